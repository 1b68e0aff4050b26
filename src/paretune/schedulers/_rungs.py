"""Rungs: the budgets of successive halving, and the multi-objective rule that ranks a rung.

**The ranking rule.** Trials measured at one rung are ranked by constraint-domination
(:func:`~paretune.pareto.constrained_nondominated_sort`): feasible trials by Pareto front,
then infeasible ones by total violation. The front that does not fit in the kept share is
split by hypervolume contribution on objectives normalised over the rung (crowding distance
for fronts over 40 trials or infeasible ones). A trial that violates a constraint declared
``independent`` or ``monotone`` of the budget is never kept: it cannot become feasible.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from paretune._pareto._select import select_best
from paretune.schedulers._base import BaseScheduler
from paretune.schedulers._base import Decision
from paretune.schedulers._calibration import rung_costs
from paretune.schedulers._calibration import rungs_predictive
from paretune.schedulers._payoff import payoffs
from paretune.schedulers._payoff import unprofitable_floor
from paretune.schedulers._placement import at_top
from paretune.schedulers._placement import measured_at
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["RungScheduler", "hopeless", "keep_best"]


def hopeless(study: Study, metrics: Mapping[str, float]) -> bool:
    """Whether ``metrics`` violate a hard constraint that more budget cannot repair."""
    return any(
        c.stops_early and c.metric in metrics and c.violation(metrics[c.metric]) > 0
        for c in study.constraints
    )


def keep_best(study: Study, measurements: Sequence[Mapping[str, float]], k: int) -> np.ndarray:
    """Mask of the ``k`` best measurements by the ranking rule in the module docstring.

    Measurements lacking an objective, and hopeless ones, are never kept.
    """
    n = len(measurements)
    mask = np.zeros(n, dtype=bool)
    names = [o.name for o in study.objectives]
    usable = [
        i
        for i, m in enumerate(measurements)
        if all(name in m for name in names) and not hopeless(study, m)
    ]
    if not usable or k <= 0:
        return mask
    rows = [measurements[i] for i in usable]
    losses = study.losses_of(rows)
    violations = np.array([study.violation_of(m) for m in rows], dtype=np.float64)
    chosen = select_best(losses, violations, min(k, len(rows)))
    mask[np.asarray(usable)[chosen]] = True
    return mask


class RungScheduler(BaseScheduler):
    """Shared machinery of the successive-halving family (rungs, brackets, in-loop stops).

    Rung budgets come from the study's :class:`~paretune.fidelity.Fidelity` (budgeted
    use) or from ``min_resource`` and ``max_resource`` (training-loop use, in steps):
    ``max_resource * eta**-k`` down to ``min_resource``.

    In the training loop, a trial whose report first reaches a rung is compared with every
    other trial that reached that rung of its bracket; it goes on when it ranks in the best
    ``1 / eta`` of them (at least one), and stops otherwise. A rung judges only once
    ``eta`` trials reached it. Subclasses decide the brackets and the budgeted schedule.

    With ``skip_misleading=True`` the scheduler acts on the running cross-fidelity
    calibration (:meth:`Study.fidelity_report`'s rule: Kendall's tau of every objective
    against the top budget at least 0.3, over at least 5 configurations measured at both).
    Once a rung is shown not to predict the top budget, neither it nor any cheaper rung
    judges a trial again, and new configurations start above it: with every cheap rung
    misleading, the study becomes a full-budget search. Until a rung has enough pairs it is
    trusted. The verdict is recomputed each time a configuration completes at the top budget.
    :class:`~paretune.schedulers.HyperbandScheduler` also takes ``skip_costly``.
    """

    def __init__(
        self,
        *,
        eta: int = 3,
        min_resource: float | None = None,
        max_resource: float | None = None,
        bias_guard: float = 0.0,
        skip_misleading: bool = False,
    ) -> None:
        if isinstance(eta, bool) or not isinstance(eta, int) or eta < 2:
            raise ValueError(f"`eta` must be an integer >= 2, got {eta!r}.")
        if (min_resource is None) != (max_resource is None):
            raise ValueError("Pass both `min_resource` and `max_resource`, or neither.")
        if min_resource is not None and not (0 < min_resource < max_resource):  # type: ignore[operator]
            raise ValueError(
                f"`0 < min_resource < max_resource` must hold, but got "
                f"({min_resource=}, {max_resource=})."
            )
        if not (isinstance(bias_guard, (int, float)) and 0.0 <= bias_guard < 1.0):
            raise ValueError(f"`bias_guard` must lie in [0, 1), got {bias_guard!r}.")
        self.eta = eta
        self.min_resource = min_resource
        self.max_resource = max_resource
        self.bias_guard = float(bias_guard)
        self.skip_misleading = bool(skip_misleading)
        self.skip_costly = False  # Hyperband's options: its brackets start at every rung
        self.skip_unprofitable = False
        self._floor: tuple[tuple[str, int], int] | None = None  # ((study, top results), floor)
        self._cost_floor: tuple[tuple[str, int], int] | None = None  # ((study, complete), floor)
        self._payoff_floor: tuple[tuple[str, int], int] | None = None  # likewise

    def rungs(self, study: Study) -> tuple[float, ...]:
        """The rung budgets, smallest first."""
        from paretune.fidelity import Fidelity

        if study.fidelity is not None:
            return study.fidelity.rungs(self.eta)
        if self.min_resource is None or self.max_resource is None:
            raise ValueError(
                f"{type(self).__name__} needs rungs: give the study a fidelity "
                "(create_study(fidelity=pt.Fidelity(...))) or pass min_resource and "
                "max_resource (in reported steps) to the scheduler."
            )
        return Fidelity("steps", self.min_resource, self.max_resource).rungs(self.eta)

    def trusted_floor(self, study: Study, trials: Sequence[TrialRecord]) -> int:
        """The cheapest rung that may judge trials and start configurations (0 unless
        ``skip_misleading``, ``skip_costly`` or ``skip_unprofitable``): one above the most
        expensive rung the calibration distrusts, that costs too much for its saving, or
        whose screening is shown not to pay.

        Args:
            study: The study.
            trials: Its trials (to count the results at the top budget the verdict rests on).
        """
        floor = self._costly_floor(study, trials) if self.skip_costly else 0
        if self.skip_unprofitable:
            floor = max(floor, self._unprofitable_floor(study, trials))
        if not self.skip_misleading:
            return floor
        return max(floor, self._misleading_floor(study, trials))

    def _costly_floor(self, study: Study, trials: Sequence[TrialRecord]) -> int:
        """One above the most expensive rung that costs over ``1 / sqrt(eta)`` of the next."""
        if study.fidelity is None:
            return 0
        complete = [r for r in trials if r.state is TrialState.COMPLETE]
        key = (study.name, len(complete))
        if self._cost_floor is None or self._cost_floor[0] != key:
            costs = rung_costs(self.rungs(study), complete)
            costly = [
                k
                for k, (cost, above) in enumerate(pairwise(costs))
                if cost is not None and above is not None and cost > above / math.sqrt(self.eta)
            ]
            floor = costly[-1] + 1 if costly else 0
            if self._cost_floor is not None and self._cost_floor[0][0] == study.name:
                floor = max(floor, self._cost_floor[1])  # a raised floor stays raised
            self._cost_floor = (key, floor)
        return self._cost_floor[1]

    def _unprofitable_floor(self, study: Study, trials: Sequence[TrialRecord]) -> int:
        """One above the most expensive rung whose screening is shown not to pay
        (:mod:`paretune.schedulers._payoff`); a function of the trials alone."""
        if study.fidelity is None:
            return 0
        complete = sum(1 for r in trials if r.state is TrialState.COMPLETE)
        key = (study.name, complete)
        if self._payoff_floor is None or self._payoff_floor[0] != key:
            found = payoffs(study, self.rungs(study), trials, self.eta)
            self._payoff_floor = (key, unprofitable_floor(found))
        return self._payoff_floor[1]

    def _misleading_floor(self, study: Study, trials: Sequence[TrialRecord]) -> int:
        """One above the most expensive rung the running calibration distrusts."""
        rungs = self.rungs(study)
        top = sum(1 for r in trials if r.state is TrialState.COMPLETE and at_top(study, r, rungs))
        key = (study.name, top)
        if self._floor is None or self._floor[0] != key:
            verdicts = rungs_predictive(study, rungs)
            distrusted = [k for k, verdict in enumerate(verdicts) if verdict is False]
            self._floor = (key, distrusted[-1] + 1 if distrusted else 0)
        return self._floor[1]

    # ---- brackets: subclasses with several override these -----------------------------
    def bracket_of(self, study: Study, record: TrialRecord) -> int:
        """The bracket of a training-loop trial (one bracket unless overridden)."""
        return 0

    def first_rung(self, study: Study, bracket: int) -> int:
        """The index of the lowest rung of ``bracket``."""
        return 0

    # ---- training-loop use -----------------------------------------------------------
    def on_report(self, study: Study, trial: TrialRecord, step: int) -> Decision:
        """Stop ``trial`` if it ranks outside the best ``1 / eta`` of a rung it just reached."""
        if study.fidelity is not None:
            return Decision.CONTINUE  # budgeted: the budget itself bounds the trial
        rungs = self.rungs(study)
        earlier = [s for s in trial.intermediate if s < step]
        previous = max(earlier) if earlier else -math.inf
        bracket = self.bracket_of(study, trial)
        start = self.first_rung(study, bracket)
        reached = [
            k for k, b in enumerate(rungs) if k >= start and previous + 1e-9 < b <= step + 1e-9
        ]
        if not reached or reached[-1] == len(rungs) - 1 or study.is_guard(trial):
            return Decision.CONTINUE
        trials = study.get_trials()
        if reached[-1] < self.trusted_floor(study, trials):
            return Decision.CONTINUE
        budget = rungs[reached[-1]]
        mine = trial.intermediate[step]
        peers = [
            measured
            for other in trials
            if other.number != trial.number and self.bracket_of(study, other) == bracket
            for measured in [measured_at(other, budget)]
            if measured is not None
        ]
        if len(peers) + 1 < self.eta:
            return Decision.CONTINUE
        keep = max(1, (len(peers) + 1) // self.eta)
        mask = keep_best(study, [mine, *peers], keep)
        return Decision.CONTINUE if mask[0] else Decision.STOP
