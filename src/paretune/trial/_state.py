"""The life-cycle states of a trial."""

from __future__ import annotations

import enum

__all__ = ["TrialState"]


class TrialState(str, enum.Enum):
    """Where a trial is in its life.

    ``WAITING`` trials were enqueued and wait for a worker; ``RUNNING`` ones are being
    evaluated. The three finished states are final: ``COMPLETE`` (metrics told),
    ``STOPPED`` (ended early, e.g. by a multi-fidelity scheduler, keeping its intermediate
    reports) and ``FAILED`` (an error, a non-finite or missing metric, or a lost worker).
    """

    WAITING = "waiting"
    RUNNING = "running"
    COMPLETE = "complete"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        """Whether the state is final (complete, stopped or failed)."""
        return self in (TrialState.COMPLETE, TrialState.STOPPED, TrialState.FAILED)
