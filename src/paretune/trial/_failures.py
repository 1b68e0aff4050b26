"""How failed trials are counted: one label per kind of failure."""

from __future__ import annotations

from paretune._values import FailKind
from paretune.trial._record import TrialRecord

__all__ = ["failure_label"]

_LABELS = {
    FailKind.INVALID_METRICS: "invalid metrics",
    FailKind.TOLD: "told as failed",
    FailKind.TIMEOUT: "timed out",
    FailKind.CRASHED: "process crashed",
    FailKind.UNRELATED: "unrelated to the configuration",
    FailKind.WORKER_LOST: "worker process ended",
    FailKind.INTERRUPTED: "interrupted",
}


def failure_label(record: TrialRecord) -> str:
    """What a failure is counted as: the exception type for an objective's error, else
    ``invalid metrics``, ``told as failed``, ``timed out``, ``process crashed``,
    ``unrelated to the configuration``, ``worker process ended`` or ``interrupted``."""
    kind = record.fail_kind
    if kind is not None and kind is not FailKind.ERROR:
        return _LABELS[kind]
    reason = record.fail_reason
    return reason.split(":", 1)[0] if reason else "no reason given"
