"""Synchronous successive halving and Hyperband, multi-objective and constraint-aware."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune.schedulers._base import Job
from paretune.schedulers._placement import rung_members
from paretune.schedulers._rungs import RungScheduler
from paretune.schedulers._rungs import hopeless
from paretune.schedulers._rungs import keep_best
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["HyperbandScheduler", "SuccessiveHalvingScheduler"]


class SuccessiveHalvingScheduler(RungScheduler):
    """Synchronous successive halving, in brackets.

    Budgeted use: a bracket starts ``eta ** s`` new configurations at the lowest budget
    (``s + 1`` rungs). When every one of them has finished, the best ``1 / eta`` (ranking
    rule: :mod:`paretune.schedulers._rungs`) train at the next budget, and so on up to the
    full budget. While a bracket waits for running trials, free workers start the next
    bracket, so parallel workers never idle. Configurations sent up by the bias guard do
    not take the place of selected ones.

    Training-loop use: see :class:`~paretune.schedulers._rungs.RungScheduler` (in a loop,
    trials are judged as they reach a rung, as ASHA does).

    Args:
        eta: Reduction factor: each rung trains ``eta`` times longer and keeps ``1 / eta``.
        min_resource: Lowest rung in reported steps (training-loop use without a fidelity).
        max_resource: Highest rung in reported steps (training-loop use).
        bias_guard: Fraction of new configurations sent up every rung unjudged.
        skip_misleading: Stop judging at, and starting from, rungs the running calibration
            shows do not predict the top budget (see
            :class:`~paretune.schedulers._rungs.RungScheduler`).
    """

    def shape(self, n_rungs: int, bracket: int, floor: int = 0) -> tuple[int, list[int]]:
        """``(first rung index, configurations per rung)`` of a new bracket.

        Args:
            n_rungs: Rungs of the fidelity.
            bracket: The bracket's index.
            floor: The cheapest rung the bracket may start at.
        """
        start = self.start_rung(n_rungs, bracket, floor)
        return start, self.sizes(n_rungs, start)

    def start_rung(self, n_rungs: int, bracket: int, floor: int = 0) -> int:
        """The rung a new bracket starts at: ``floor`` (every bracket starts lowest)."""
        return floor

    def sizes(self, n_rungs: int, start: int) -> list[int]:
        """Configurations per rung of a bracket starting at rung ``start``."""
        s = n_rungs - 1 - start
        return [self.eta ** (s - i) for i in range(s + 1)]

    def next_job(self, study: Study, trials: Sequence[TrialRecord]) -> Job:
        """Promote within the oldest bracket that can, else fill the oldest unfilled one.

        A bracket keeps the shape it started with; a new one starts no lower than
        :meth:`trusted_floor`.
        """
        rungs = self.rungs(study)
        floor = self.trusted_floor(study, trials)
        bracket = 0
        while True:
            placed = rung_members(trials, rungs, bracket)
            occupied = [k for k, here in enumerate(placed) if here]
            start = occupied[0] if occupied else self.start_rung(len(rungs), bracket, floor)
            sizes = self.sizes(len(rungs), start)
            members = placed[start:]
            if not any(members):
                return Job(budget=rungs[start], bracket=bracket)
            done = all(r.state.is_finished for r in members[0]) and len(members[0]) >= sizes[0]
            ready: list[list[TrialRecord]] = []
            for i in range(len(sizes) - 1):
                pending = self._pending(study, members[i], members[i + 1], sizes[i + 1])
                ready.append(pending if done else [])
                done = done and not pending and all(r.state.is_finished for r in members[i + 1])
            for i in range(len(ready) - 1, -1, -1):
                if ready[i]:
                    return Job(budget=rungs[start + i + 1], bracket=bracket, promote=ready[i][0])
            if len(members[0]) < sizes[0]:
                return Job(budget=rungs[start], bracket=bracket)
            bracket += 1

    @staticmethod
    def _pending(
        study: Study, here: list[TrialRecord], above: list[TrialRecord], size_above: int
    ) -> list[TrialRecord]:
        """Configurations of one rung still to be promoted to the rung above."""
        promoted = {r.config for r in above}
        complete = [r for r in here if r.state is TrialState.COMPLETE]
        pending = [r for r in complete if study.is_guard(r) and r.config not in promoted]
        regular = [r for r in complete if not study.is_guard(r) and not hopeless(study, r.metrics)]
        target = min(size_above, len(regular))
        if sum(not study.is_guard(r) for r in above) < target:
            best = keep_best(study, [r.metrics for r in regular], target)
            pending += [r for r, keep in zip(regular, best, strict=True) if keep]
            pending = [r for r in pending if r.config not in promoted]
        return pending


class HyperbandScheduler(SuccessiveHalvingScheduler):
    """Hyperband: successive-halving brackets that start at every rung in turn.

    With ``R = s_max + 1`` rungs, bracket ``b`` starts at rung ``b mod R`` with
    ``ceil(R / (s + 1) * eta ** s)`` configurations, where ``s = s_max - b mod R``: the
    first bracket is the most aggressive (many configurations at the lowest budget), the
    last trains a few at the full budget only, which hedges against cheap budgets that
    mislead. Paired with the study's sampler (which learns from the highest budget with
    enough results), this is the BOHB-style default of every study with a fidelity. With
    ``skip_misleading``, new brackets cycle over the starting rungs from the cheapest
    trusted one up (a bracket keeps the shape it started with).

    With ``skip_costly`` (budgeted use) the scheduler acts on what each rung costs.
    Successive halving pays off when a rung costs about ``1 / eta`` of the rung above; a
    data fraction often costs far more, as fitting, evaluating and proposing have fixed
    costs that do not shrink with the rows. Every bracket starts configurations at its own
    rung, so each rung's cost is the median cost of the trials started there (their told
    costs, else their durations: :mod:`paretune._costs`; at least
    :data:`~paretune.schedulers._calibration.COST_SAMPLES`; promoted trials do not count, their
    job may have resumed from a checkpoint). A rung costing over ``1 / sqrt(eta)`` of the
    rung above is not worth screening at: neither it nor any cheaper rung judges a trial
    again, and new brackets start above it. With every rung that costly, the study becomes
    a full-budget search.

    With ``skip_unprofitable`` (budgeted use) the scheduler weighs both what screening
    costs and how well it ranks: from the costs of the configurations started at each rung
    and of the promotions into it (a promotion that resumes pays only the difference), and
    from each rung's Kendall tau against the top budget with its uncertainty, it estimates
    the compute that screening from the rung saves against training every configuration at
    the full budget (:mod:`paretune.schedulers._payoff`). A rung shown not to pay, even on
    an optimistic reading of the evidence, judges no trial again, nor does any cheaper
    rung, and new brackets start above it. The verdict is recomputed as trials complete
    and depends on the trials alone (with told costs, the same in any process).

    With ``safe_first`` (budgeted use) the brackets cycle the other way: bracket ``b``
    starts at rung ``R - 1 - b mod R``, so the first trains a few configurations at the
    full budget only and the most aggressive bracket comes last. A study stopped by a
    compute limit then holds full-budget results (the only ones on its front) from the
    start, the sampler has top-budget results to learn from sooner, and ``skip_costly``
    knows the top rung's cost before the cheap rungs have spent much.

    In the training loop, trial ``n`` joins bracket ``n mod R`` and is first judged at that
    bracket's lowest rung, against the trials of its bracket.

    Args:
        skip_costly: Stop judging at, and starting from, rungs that cost too much for
            what they save (budgeted use; see above).
        skip_unprofitable: Stop judging at, and starting from, rungs whose screening is
            expected to cost more than full-budget search, from their costs and rank
            agreement (budgeted use; see above).
        safe_first: Start with the full-budget bracket and end with the most aggressive
            one (budgeted use; see above).
        **options: ``eta``, ``min_resource``, ``max_resource``, ``bias_guard`` and
            ``skip_misleading``, as for :class:`SuccessiveHalvingScheduler`.
    """

    def __init__(
        self,
        *,
        skip_costly: bool = False,
        skip_unprofitable: bool = False,
        safe_first: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.skip_costly = bool(skip_costly)
        self.skip_unprofitable = bool(skip_unprofitable)
        self.safe_first = bool(safe_first)

    def start_rung(self, n_rungs: int, bracket: int, floor: int = 0) -> int:
        """Brackets cycle over the starting rungs from ``floor`` up (``safe_first``: from
        the top down to ``floor``)."""
        if self.safe_first:
            return n_rungs - 1 - bracket % (n_rungs - floor)
        return floor + bracket % (n_rungs - floor)

    def sizes(self, n_rungs: int, start: int) -> list[int]:
        """Hyperband's sizes: ``ceil(R / (s + 1) * eta**s)`` at the start, ``s = R - 1 - start``."""
        s = n_rungs - 1 - start
        first = math.ceil(n_rungs / (s + 1) * self.eta**s)
        return [max(1, first // self.eta**i) for i in range(s + 1)]

    def bracket_of(self, study: Study, record: TrialRecord) -> int:
        """Trial ``n`` joins bracket ``n mod R``."""
        return record.number % len(self.rungs(study))

    def first_rung(self, study: Study, bracket: int) -> int:
        """Bracket ``b`` starts at rung ``b``."""
        return bracket % len(self.rungs(study))
