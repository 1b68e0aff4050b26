"""Small value types shared by trials, schedulers, storages and the study.

They sit below every subpackage, so that ``trial/`` and ``schedulers/`` can both use them
without importing each other.
"""

from __future__ import annotations

import enum

__all__ = ["Decision", "FailKind", "TrialState"]


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


class FailKind(str, enum.Enum):
    """Why a failed trial failed; stored with the trial.

    ``ERROR``: the objective raised. ``INVALID_METRICS``: it returned a missing, NaN,
    infinite or non-numeric value. ``TOLD``: an ask/tell user told ``state="failed"``.
    ``TIMEOUT``: it ran longer than ``optimize``'s ``trial_timeout``. ``CRASHED``: its
    process died (``isolation="process"``: a segfault, ``os._exit``, a kill by a signal
    such as the out-of-memory killer's). ``UNRELATED``: the objective raised
    :class:`~paretune.exceptions.UnrelatedFailure` (a preempted machine, say).
    ``WORKER_LOST``: the worker process running ``optimize`` ended while the trial ran.
    ``INTERRUPTED``: Ctrl-C (``KeyboardInterrupt``) stopped ``optimize`` while it ran.

    The first five blame the configuration (samplers steer away from it): a configuration
    too slow for the limit, or one that brought its process down (out of memory, a native
    library's crash on its inputs), is likely to do so again. The last three say nothing
    about it.
    """

    ERROR = "error"
    INVALID_METRICS = "invalid_metrics"
    TOLD = "told"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    UNRELATED = "unrelated"
    WORKER_LOST = "worker_lost"
    INTERRUPTED = "interrupted"

    @property
    def blames_configuration(self) -> bool:
        """Whether the failure counts against the trial's parameters."""
        return self not in (FailKind.UNRELATED, FailKind.WORKER_LOST, FailKind.INTERRUPTED)


class Decision(enum.Enum):
    """What a scheduler says after a report."""

    CONTINUE = "continue"
    STOP = "stop"
