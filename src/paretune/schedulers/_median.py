"""The median stopping rule, for several objectives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paretune.schedulers._base import BaseScheduler
from paretune.schedulers._base import Decision
from paretune.schedulers._base import Job

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["MedianStoppingScheduler"]


class MedianStoppingScheduler(BaseScheduler):
    """Stop a trial whose report is dominated by the median of other trials at that step.

    At each report from step ``min_steps`` on, take every other trial's latest report at
    or before the same step and the per-objective median of them. The trial stops when
    that median point dominates its report: no better in any objective and worse in one.
    With one objective this is the classic median rule. The rule acts once ``min_trials``
    other trials have reported that far.

    Training-loop use only; in a study with a fidelity it never stops a trial and trains
    every configuration at the full budget.

    Args:
        min_steps: Reports before this step are never judged (warm-up).
        min_trials: Other trials needed at a step before judging.
    """

    def __init__(self, *, min_steps: int = 1, min_trials: int = 5) -> None:
        if isinstance(min_steps, bool) or not isinstance(min_steps, int) or min_steps < 0:
            raise ValueError(f"`min_steps` must be a non-negative integer, got {min_steps!r}.")
        if isinstance(min_trials, bool) or not isinstance(min_trials, int) or min_trials < 1:
            raise ValueError(f"`min_trials` must be a positive integer, got {min_trials!r}.")
        self.min_steps = min_steps
        self.min_trials = min_trials

    def on_report(self, study: Study, trial: TrialRecord, step: int) -> Decision:
        """Stop when the median of the other trials dominates this report."""
        if study.fidelity is not None or step < self.min_steps or study.is_guard(trial):
            return Decision.CONTINUE
        names = [o.name for o in study.objectives]
        mine = trial.intermediate[step]
        if not all(n in mine for n in names):
            return Decision.CONTINUE
        peers = []
        for other in study.get_trials():
            if other.number == trial.number:
                continue
            steps = [s for s in other.intermediate if s <= step]
            if steps and all(n in other.intermediate[max(steps)] for n in names):
                peers.append(other.intermediate[max(steps)])
        if len(peers) < self.min_trials:
            return Decision.CONTINUE
        median = np.median(study.losses_of(peers), axis=0)
        own = study.losses_of([mine])[0]
        dominated = bool(np.all(median <= own) and np.any(median < own))
        return Decision.STOP if dominated else Decision.CONTINUE

    def next_job(self, study: Study, trials: Sequence[TrialRecord]) -> Job:
        """Every configuration at the full budget (this rule judges reports, not rungs)."""
        return self.full_budget(study)
