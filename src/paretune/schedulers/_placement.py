"""Where trials sit on the rungs: rung indices, rung members, and reports at a budget."""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paretune.trial import TrialRecord

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["at_top", "measured_at", "rung_index", "rung_members"]


def measured_at(
    record: TrialRecord, budget: float, require: Sequence[str] = ()
) -> Mapping[str, float] | None:
    """A training-loop trial's report at ``budget``: its first report at a step >= budget.

    With ``require``, the first such report that holds every metric named there.
    """
    for step, metrics in record.intermediate.items():  # ordered by step
        if step >= budget - 1e-9 and all(name in metrics for name in require):
            return metrics
    return None


def at_top(study: Study, record: TrialRecord, rungs: Sequence[float]) -> bool:
    """Whether a complete trial holds a top-budget result (any complete loop trial does)."""
    if study.fidelity is None:
        return True
    return record.budget is not None and rung_index(rungs, record.budget) == len(rungs) - 1


def rung_members(
    trials: Sequence[TrialRecord], rungs: Sequence[float], bracket: int | None = None
) -> list[list[TrialRecord]]:
    """The placed trials (any state) at each rung, optionally of one bracket only."""
    members: list[list[TrialRecord]] = [[] for _ in rungs]
    for record in trials:
        placement = record.placement
        if placement is None or (bracket is not None and placement.bracket != bracket):
            continue
        index = rung_index(rungs, placement.budget)
        if index is not None:
            members[index].append(record)
    return members


def rung_index(rungs: Sequence[float], budget: float) -> int | None:
    """The index of the rung at ``budget``, or None when no rung has that budget."""
    for k, b in enumerate(rungs):
        if math.isclose(b, budget, rel_tol=1e-9, abs_tol=1e-12):
            return k
    return None
