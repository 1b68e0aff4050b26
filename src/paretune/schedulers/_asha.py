"""Asynchronous successive halving (ASHA), multi-objective and constraint-aware."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from paretune.schedulers._base import Job
from paretune.schedulers._placement import rung_members
from paretune.schedulers._rungs import RungScheduler
from paretune.schedulers._rungs import keep_best
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["ASHAScheduler"]


class ASHAScheduler(RungScheduler):
    """Asynchronous successive halving: promote as soon as the evidence allows, never wait.

    Budgeted use: each time a worker asks, the scheduler looks at the rungs from the top
    down. A configuration finished at a rung is promoted to the next budget when it ranks in
    the best ``floor(n / eta)`` of the ``n`` trials finished at that rung and was not
    promoted before (ranking rule: :mod:`paretune.schedulers._rungs`). When nothing can be
    promoted, a new configuration starts at the lowest budget (the cheapest trusted one with
    ``skip_misleading``), proposed by the study's sampler. No worker ever idles waiting for
    a rung to fill; a promotion is decided once, even with many workers.

    Training-loop use: see :class:`~paretune.schedulers._rungs.RungScheduler`.

    Args:
        eta: Reduction factor: each rung trains ``eta`` times longer and keeps ``1 / eta``.
        min_resource: Lowest rung in reported steps (training-loop use without a fidelity).
        max_resource: Highest rung in reported steps (training-loop use).
        bias_guard: Fraction of new configurations sent up every rung unjudged (for
            :meth:`Study.fidelity_report`).
        skip_misleading: Stop judging at, and starting from, rungs the running calibration
            shows do not predict the top budget (see
            :class:`~paretune.schedulers._rungs.RungScheduler`).

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(
        ...     objectives={"loss": "minimize"},
        ...     fidelity=pt.Fidelity("epochs", 1, 9),
        ...     scheduler=pt.schedulers.ASHAScheduler(eta=3),
        ...     seed=0,
        ... )
        >>> trial = study.ask()
        >>> trial.budget
        1
    """

    def next_job(self, study: Study, trials: Sequence[TrialRecord]) -> Job:
        """Promote the best unpromoted configuration of the highest rung that allows it."""
        rungs = self.rungs(study)
        members = rung_members(trials, rungs)
        floor = self.trusted_floor(study, trials)
        for k in range(len(rungs) - 2, floor - 1, -1):
            finished = [r for r in members[k] if r.state.is_finished]
            complete = [r for r in finished if r.state is TrialState.COMPLETE]
            promoted = {r.config for r in members[k + 1]}
            waiting = [r for r in complete if r.config not in promoted]
            if not waiting:
                continue
            guarded = [r for r in waiting if study.is_guard(r)]
            if guarded:
                return Job(budget=rungs[k + 1], promote=guarded[0])
            quota = len(finished) // self.eta
            if quota == 0:
                continue
            best = keep_best(study, [r.metrics for r in complete], quota)
            for record, keep in zip(complete, best, strict=True):
                if keep and record.config not in promoted:
                    return Job(budget=rungs[k + 1], promote=record)
        return Job(budget=rungs[floor])
