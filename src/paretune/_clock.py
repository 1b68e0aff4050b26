"""The clock trials are timed with: the system's, or a simulated one in tests.

A trial's start, end and report times (and so its duration, the cost that counts when no
cost is told) are read from :func:`now`. :func:`use_clock` swaps in another clock for a
block, such as a :class:`SimulatedClock` that a test advances by hand, so wall-clock
behaviour (e.g. the cost rule judging from durations) can be tested without sleeping and
without timing noise. Leases (heartbeats, reaping) and ``optimize``'s ``timeout`` keep the
system clock. (A top-level module so that trials and the study can both use it.)
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Protocol

__all__ = ["Clock", "SimulatedClock", "now", "use_clock"]


class Clock(Protocol):
    """Anything that tells the time in seconds since the epoch."""

    def now(self) -> float: ...


class _SystemClock:
    def now(self) -> float:
        return time.time()


class SimulatedClock:
    """A clock that moves only when told to.

    Args:
        start: Its first reading, seconds since the epoch.
    """

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current simulated time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` (>= 0) forward.

        Raises:
            ValueError: On a negative step.
        """
        if not seconds >= 0:
            raise ValueError(f"A clock only moves forward; got a step of {seconds!r} s.")
        with self._lock:
            self._now += float(seconds)


_clock: Clock = _SystemClock()


def now() -> float:
    """The current time, seconds since the epoch, from the clock in use."""
    return _clock.now()


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Time trials with ``clock`` inside the block (process-wide), then restore the last."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous
