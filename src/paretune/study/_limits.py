"""When a call to ``optimize`` (in threads or through an executor) may start no more trials."""

from __future__ import annotations

import time

__all__ = ["limit_reached"]


def limit_reached(
    *,
    started: int,
    n_trials: int | None,
    since: float,
    timeout: float | None,
    spent: float,
    max_cost: float | None,
) -> bool:
    """Whether ``started`` trials reached ``n_trials``, ``timeout`` seconds passed since the
    monotonic time ``since``, or ``spent`` compute reached ``max_cost`` (None: no limit)."""
    if n_trials is not None and started >= n_trials:
        return True
    if timeout is not None and time.monotonic() - since >= timeout:
        return True
    return max_cost is not None and spent >= max_cost
