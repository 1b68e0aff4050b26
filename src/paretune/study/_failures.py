"""Failure kinds: how a failed trial told without one is classified."""

from __future__ import annotations

import collections

from paretune._values import FailKind
from paretune._warnings import warn
from paretune.exceptions import FailedTrialsWarning

__all__ = ["UNRELATED", "WORKER_ENDED", "kind_for_told_failure", "warn_failed_trials"]

WORKER_ENDED = "worker process "
"""How the reason of a trial failed because its worker process ended begins."""

UNRELATED = "unrelated to the configuration: "
"""How the reason of a trial failed for a reason unrelated to its configuration begins
(:class:`~paretune.exceptions.UnrelatedFailure`). An ask/tell user who starts a
``fail_reason`` with it gets :attr:`FailKind.UNRELATED` without passing ``fail_kind``."""


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


def warn_failed_trials(
    study_name: str,
    done: int,
    failures: collections.Counter[str],
    first: dict[str, str],
) -> None:
    """One :class:`~paretune.exceptions.FailedTrialsWarning` counting ``done`` trials'
    failures by label, with the first reason of each; nothing when none failed."""
    if not failures:
        return
    total = sum(failures.values())
    lines = "; ".join(
        f"{n} x {label} (first: {first[label]})" for label, n in failures.most_common()
    )
    warn(
        f"{total} of {done} trials of study {study_name!r} failed: {lines}. Their reasons are "
        "in study.trials_dataframe(), their tracebacks in each record's `traceback` (and in "
        "`paretune export NAME --format json`).",
        FailedTrialsWarning,
    )
