"""Failure kinds: how a failed trial is classified when told, and how failures are counted."""

from __future__ import annotations

from paretune._values import FailKind
from paretune.trial import TrialRecord

__all__ = ["UNRELATED", "WORKER_ENDED", "failure_label", "kind_for_told_failure"]

WORKER_ENDED = "worker process "
"""How the reason of a trial failed because its worker process ended begins."""

UNRELATED = "unrelated to the configuration: "
"""How the reason of a trial failed for a reason unrelated to its configuration begins
(:class:`~paretune.exceptions.UnrelatedFailure`). An ask/tell user who starts a
``fail_reason`` with it gets :attr:`FailKind.UNRELATED` without passing ``fail_kind``."""

_LABELS = {
    FailKind.INVALID_METRICS: "invalid metrics",
    FailKind.TOLD: "told as failed",
    FailKind.UNRELATED: "unrelated to the configuration",
    FailKind.WORKER_LOST: "worker process ended",
}


def kind_for_told_failure(fail_kind: FailKind | str | None, fail_reason: str | None) -> FailKind:
    """The kind stored for a trial told as failed: the given one, else read off the reason.

    Raises:
        ValueError: If ``fail_kind`` names no :class:`FailKind`.
    """
    if fail_kind is not None:
        try:
            return FailKind(fail_kind)
        except ValueError:
            names = ", ".join(repr(k.value) for k in FailKind)
            raise ValueError(f"Unknown fail_kind {fail_kind!r}; use one of {names}.") from None
    if (fail_reason or "").startswith(UNRELATED):
        return FailKind.UNRELATED
    return FailKind.TOLD


def failure_label(record: TrialRecord) -> str:
    """What a failure is counted as: the exception type for an objective's error, else
    ``invalid metrics``, ``told as failed``, ``unrelated to the configuration`` or
    ``worker process ended``."""
    kind = record.fail_kind
    if kind is not None and kind is not FailKind.ERROR:
        return _LABELS[kind]
    reason = record.fail_reason
    return reason.split(":", 1)[0] if reason else "no reason given"
