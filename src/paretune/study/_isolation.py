"""Where a trial's objective runs, and how a trial ends that hangs, crashes or is interrupted.

``optimize(isolation=..., trial_timeout=...)`` wraps the objective in a *runner*
(:func:`isolate`), a callable that takes the trial and returns the objective's metrics or
raises what it raised. A runner may also raise :class:`TrialAborted`, which ends the trial
as failed with the kind and reason it carries, whatever ``catch`` says:

* ``isolation="thread"`` with one worker and no ``trial_timeout``: the objective itself,
  called on the worker's thread (the main thread for one worker), as always.
* ``isolation="thread"`` otherwise: the objective runs on a fresh daemon thread while the
  worker waits for it, the deadline and the call's interrupt flag (with several workers
  too, so that an interrupt need not wait for their objectives). Python cannot stop a
  thread, so a trial past ``trial_timeout`` is told as failed (:attr:`FailKind.TIMEOUT`)
  and its thread is *abandoned*: it keeps running, and holding its memory and its share
  of the GIL, until the objective returns (its result is then dropped, and its calls on
  the finished trial raise :class:`~paretune.exceptions.UpdateFinishedTrialError`) or the
  process exits (daemon threads do not keep it alive).
* ``isolation="process"``: the objective runs in a child process per trial
  (:mod:`paretune.study._process`), which can be killed: a hang past ``trial_timeout`` is
  :attr:`FailKind.TIMEOUT`, a crash :attr:`FailKind.CRASHED`.

Interrupts. Ctrl-C raises ``KeyboardInterrupt`` in the main thread: in the objective (one
worker, no timeout) or wherever the main thread waits. ``optimize`` then tells the trial
as failed with :attr:`FailKind.INTERRUPTED` (which does not blame the configuration), sets
the call's interrupt flag so that the other workers' running trials end the same way (their
threads abandoned, their processes killed) and no new trial starts, waits for the workers,
and re-raises ``KeyboardInterrupt``, as Optuna does. A ``KeyboardInterrupt`` that the
objective raises itself, on any worker, counts the same; ``catch=`` never catches it.
One that arrives while the sampler proposes parameters (in ``Study.ask``) ends that trial
the same way.
"""

from __future__ import annotations

import concurrent.futures
import math
import threading
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune._values import FailKind

if TYPE_CHECKING:
    from paretune.trial import Trial

__all__ = [
    "ISOLATIONS",
    "INTERRUPTED_BY_ANOTHER",
    "TrialAborted",
    "check_isolation",
    "interrupt_reason",
    "isolate",
    "wait_for_workers",
]

ISOLATIONS = ("thread", "process")
"""The values ``optimize``'s ``isolation`` takes."""

INTERRUPTED_BY_ANOTHER = "interrupted: optimize was interrupted while the trial ran"
"""The reason of a running trial that another worker's interrupt (or Ctrl-C) ended."""

_POLL = 0.1
"""Seconds between checks of the interrupt flag while a thread waits for an objective."""


class TrialAborted(BaseException):
    """A runner ended the trial without a result: it timed out, crashed or was interrupted.

    A ``BaseException``, so that no ``catch=`` and no ``except Exception`` in between
    swallows it; ``optimize`` tells the trial as failed with these fields.

    Attributes:
        kind: The trial's :class:`~paretune.trial.FailKind`.
        reason: Its failure reason.
        traceback: What to store as its traceback (a crash's fault handler output), or None.
        then_raise: An error that ``optimize`` raises once the trial is told (a child
            process that could not even load the objective), or None to go on.
    """

    def __init__(
        self,
        kind: FailKind,
        reason: str,
        traceback: str | None = None,
        *,
        then_raise: BaseException | None = None,
    ) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.traceback = traceback
        self.then_raise = then_raise


def check_isolation(isolation: str, trial_timeout: float | None) -> None:
    """Validate ``optimize``'s ``isolation`` and ``trial_timeout``.

    Raises:
        ValueError: On an unknown isolation, or a timeout that is not a positive, finite
            number of seconds.
    """
    if isolation not in ISOLATIONS:
        raise ValueError(
            f"`isolation` must be 'thread' or 'process', got {isolation!r}. 'process' runs "
            "each trial in a child process that a crash or a timeout can end."
        )
    if trial_timeout is not None and (
        isinstance(trial_timeout, bool)
        or not isinstance(trial_timeout, (int, float))
        or not trial_timeout > 0
        or not math.isfinite(trial_timeout)
    ):
        raise ValueError(
            f"`trial_timeout` must be a positive number of seconds or None, got {trial_timeout!r}."
        )


def interrupt_reason(exc: BaseException) -> str:
    """The failure reason of a trial ``exc`` (a ``KeyboardInterrupt``) interrupted."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"interrupted: {type(exc).__name__}" + (f": {text}" if text else "")


def isolate(
    objective: Callable[[Any], Any],
    *,
    isolation: str,
    trial_timeout: float | None,
    n_workers: int,
    interrupted: threading.Event,
) -> Callable[[Trial], Any]:
    """The runner for one ``optimize`` call (see the module docstring).

    Args:
        objective: The user's objective.
        isolation: ``"thread"`` or ``"process"``.
        trial_timeout: Seconds a trial may run, or None.
        n_workers: The call's worker threads.
        interrupted: The call's interrupt flag; a running trial ends when it is set.

    Raises:
        ObjectiveNotPicklableError: With ``isolation="process"``, when the objective cannot
            be sent to a child process.
    """
    if isolation == "process":
        from paretune.study._process import InProcess

        return InProcess(objective, trial_timeout, interrupted)
    if trial_timeout is None and n_workers == 1:
        return objective
    return _InThread(objective, trial_timeout, interrupted)


class _Outcome:
    """What an objective's thread left: its result or its exception, once done."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self, objective: Callable[[Any], Any], trial: Trial) -> None:
        try:
            self.result = objective(trial)
        except BaseException as exc:  # kept for the waiting worker, or dropped if abandoned
            self.error = exc
        finally:
            self.done.set()


class _InThread:
    """Runs the objective on a daemon thread and waits for it, the deadline or an interrupt."""

    def __init__(
        self,
        objective: Callable[[Any], Any],
        trial_timeout: float | None,
        interrupted: threading.Event,
    ) -> None:
        self._objective = objective
        self._timeout = trial_timeout
        self._interrupted = interrupted

    def __call__(self, trial: Trial) -> Any:
        if self._interrupted.is_set():
            raise TrialAborted(FailKind.INTERRUPTED, INTERRUPTED_BY_ANOTHER)
        outcome = _Outcome()
        thread = threading.Thread(
            target=outcome.run,
            args=(self._objective, trial),
            name=f"paretune-trial-{trial.number}",
            daemon=True,
        )
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        thread.start()
        while not outcome.done.is_set():
            if self._interrupted.is_set():
                raise TrialAborted(FailKind.INTERRUPTED, INTERRUPTED_BY_ANOTHER)
            wait = _POLL
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TrialAborted(
                        FailKind.TIMEOUT,
                        f"timed out: the objective ran longer than trial_timeout="
                        f"{self._timeout:g} s; its thread cannot be stopped and was left "
                        "running",
                    )
                wait = min(wait, left)
            outcome.done.wait(wait)
        if outcome.error is not None:
            raise outcome.error
        return outcome.result


def wait_for_workers(
    futures: Sequence[concurrent.futures.Future[None]], interrupted: threading.Event
) -> None:
    """Wait for the workers' futures, raising the first one's error; on
    ``KeyboardInterrupt`` here (Ctrl-C in the main thread), set ``interrupted`` first so
    that the workers end their trials and stop."""
    try:
        for future in futures:
            future.result()
    except KeyboardInterrupt:
        interrupted.set()
        raise
