"""Cross-fidelity calibration: do cheap rungs rank configurations as the full budget does?"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._costs import cost_basis
from paretune._pareto._select import select_best
from paretune._warnings import warn as emit
from paretune.exceptions import FidelityWarning
from paretune.pareto import is_pareto_efficient
from paretune.schedulers._calibration import MIN_PAIRS
from paretune.schedulers._calibration import compare
from paretune.schedulers._calibration import measurements
from paretune.schedulers._calibration import predictive
from paretune.schedulers._calibration import rung_costs
from paretune.schedulers._calibration import screening_multiple
from paretune.schedulers._calibration import screening_saving_bound
from paretune.schedulers._payoff import expected_saving
from paretune.schedulers._rungs import RungScheduler
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["FidelityReport", "RungCalibration", "fidelity_report"]


@dataclass(frozen=True)
class RungCalibration:
    """How well one rung predicts the top rung.

    Attributes:
        rung: The rung's index (0 is the cheapest).
        budget: Its budget.
        n_configs: Configurations measured at this rung.
        n_pairs: Configurations measured both here and at the top budget.
        kendall: Kendall's tau per objective between this rung and the top, over the pairs
            (NaN with fewer than 2 pairs or constant values).
        spearman: Spearman's rho per objective, likewise.
        regret: Configurations on the final Pareto front that this rung's rule (keep the
            best ``1 / eta``) would have stopped, judged over the pairs.
        compute_s: Compute spent training at this rung, in the report's
            :attr:`~FidelityReport.cost_unit` (seconds unless costs were told).
        predictive: Whether every objective's tau reaches the threshold; None with fewer
            than 5 pairs.
        seconds_per_config: Median cost (in the report's ``cost_unit``) of the trials that
            started a configuration at this rung (budgeted studies, at least 3 such trials;
            None otherwise): what screening one configuration here costs.
        screening_multiple: What one top-budget result costs when successive halving
            screens from this rung, as a multiple of training one configuration at the top
            budget directly (from the measured costs of started and promoted trials; None
            where they are unknown). Screening here pays only if choosing which
            configurations reach the top is worth that multiple.
        max_saving: The most compute screening from this rung can save against
            full-budget search, ``eta ** (top - rung) / screening_multiple``: what it would
            save if this rung ranked configurations exactly as the top budget does
            (the bound of ``paretune.schedulers._calibration``). Below 1,
            screening here cannot pay; a rung that misranks saves less.
        expected_saving: What screening from this rung is expected to save given how it
            ranks: ``max_saving`` discounted by the worst objective's Kendall tau
            (:mod:`paretune.schedulers._payoff`; None below 5 pairs or without costs).
            ``HyperbandScheduler(skip_unprofitable=True)`` gives up a rung when even tau's
            upper confidence bound leaves this at or below 1.
    """

    rung: int
    budget: float
    n_configs: int
    n_pairs: int
    kendall: Mapping[str, float]
    spearman: Mapping[str, float]
    regret: int
    compute_s: float
    predictive: bool | None
    seconds_per_config: float | None = None
    screening_multiple: float | None = None
    max_saving: float | None = None
    expected_saving: float | None = None


@dataclass(frozen=True)
class FidelityReport:
    """The calibration of every rung of a multi-fidelity study against its top rung.

    Attributes:
        study_name: The study.
        top_budget: The budget every rung is compared with.
        rungs: One :class:`RungCalibration` per rung below the top, cheapest first.
        warnings: One line per rung that does not predict the top one.
        top_compute_s: Compute spent training at the top budget.
        top_seconds_per_config: :attr:`RungCalibration.seconds_per_config` of the top rung.
        cost_unit: The unit of every cost in the report: the study's cost unit when its
            trials told costs, ``"s"`` (wall-clock durations) otherwise
            (:mod:`paretune._costs`).
    """

    study_name: str
    top_budget: float
    rungs: list[RungCalibration]
    warnings: list[str] = field(default_factory=list)
    top_compute_s: float = 0.0
    top_seconds_per_config: float | None = None
    cost_unit: str = "s"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN correlations become None)."""

        def clean(values: Mapping[str, float]) -> dict[str, float | None]:
            return {k: (None if math.isnan(v) else v) for k, v in values.items()}

        return {
            "study": self.study_name,
            "top_budget": self.top_budget,
            "cost_unit": self.cost_unit,
            "top_compute_s": self.top_compute_s,
            "top_seconds_per_config": self.top_seconds_per_config,
            "rungs": [
                {
                    "rung": r.rung,
                    "budget": r.budget,
                    "n_configs": r.n_configs,
                    "n_pairs": r.n_pairs,
                    "kendall": clean(r.kendall),
                    "spearman": clean(r.spearman),
                    "regret": r.regret,
                    "compute_s": r.compute_s,
                    "predictive": r.predictive,
                    "seconds_per_config": r.seconds_per_config,
                    "screening_multiple": r.screening_multiple,
                    "max_saving": r.max_saving,
                    "expected_saving": r.expected_saving,
                }
                for r in self.rungs
            ],
            "warnings": list(self.warnings),
        }

    def __str__(self) -> str:
        unit = self.cost_unit
        spent, each = f"compute {unit}", f"{unit}/config"  # headers named after the unit
        cw, pw = max(9, len(spent)), max(8, len(each))
        lines = [f"Cross-fidelity calibration of study {self.study_name!r}"]
        lines.append(
            f"{'rung':>4} {'budget':>9} {'configs':>7} {'pairs':>5}  "
            f"{'Kendall tau / Spearman rho per objective':<44} {'regret':>6} "
            f"{spent:>{cw}} {each:>{pw}} {'x top':>6} {'max save':>8} {'exp save':>8}"
        )
        for r in self.rungs:
            cells = ", ".join(
                f"{name} {_fmt(r.kendall[name])}/{_fmt(r.spearman[name])}" for name in r.kendall
            )
            lines.append(
                f"{r.rung:>4} {r.budget:>9.4g} {r.n_configs:>7} {r.n_pairs:>5}  "
                f"{cells:<44} {r.regret:>6} {r.compute_s:>{cw}.1f} "
                f"{_cost(r.seconds_per_config, pw)} "
                f"{_multiple(r.screening_multiple)} {_multiple(r.max_saving, 8)} "
                f"{_multiple(r.expected_saving, 8)}"
            )
        lines.append(
            f"top  {self.top_budget:>9.4g}   compute {unit} {self.top_compute_s:.1f}, "
            f"{each} {_cost(self.top_seconds_per_config, pw).strip()}"
        )
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _cost(value: float | None, width: int = 8) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:>{width}.3f}"


def _multiple(value: float | None, width: int = 6) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:>{width - 1}.2f}x"


def _fmt(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


def fidelity_report(study: Study, *, threshold: float = 0.3, warn: bool = True) -> FidelityReport:
    """Compare each rung's ranking of configurations with the top rung's.

    See :meth:`paretune.study.Study.fidelity_report`.
    """
    scheduler = study.scheduler
    if not isinstance(scheduler, RungScheduler):
        raise ValueError(
            f"Study {study.name!r} has no rung-based scheduler, so it has no rungs to "
            "calibrate; load it with scheduler=pt.schedulers.HyperbandScheduler() (or the "
            "one it ran with)."
        )

    rungs = scheduler.rungs(study)
    trials = study.get_trials()
    by_rung, compute = measurements(study, rungs, trials)
    basis = cost_basis(trials, study.cost_unit)
    costs: list[float | None] = [None] * len(rungs)
    promotions: list[float | None] = [None] * len(rungs)
    if study.fidelity is not None:
        complete = [r for r in trials if r.state is TrialState.COMPLETE]
        costs = rung_costs(rungs, complete, basis=basis)
        promotions = rung_costs(rungs, complete, promoted=True, basis=basis)
    top = by_rung[-1]
    names = [o.name for o in study.objectives]
    front: set[int] = set()
    if top:
        configs = sorted(top)
        feasible = [c for c in configs if study.violation_of(top[c]) <= 0]
        if feasible:
            mask = is_pareto_efficient(study.losses_of([top[c] for c in feasible]))
            front = {c for c, keep in zip(feasible, mask, strict=True) if keep}
    report_rungs, notes = [], []
    for k, budget in enumerate(rungs[:-1]):
        pairs, low, kendall, spearman = compare(study, by_rung[k], top)
        regret = 0
        if pairs:
            violations = np.array([study.violation_of(by_rung[k][c]) for c in pairs])
            keep = select_best(low, violations, max(1, len(pairs) // scheduler.eta))
            regret = sum(1 for c, kept in zip(pairs, keep, strict=True) if c in front and not kept)
        verdict = predictive(kendall, len(pairs), threshold)
        if verdict is False:
            worst = min(names, key=lambda n: -2.0 if math.isnan(kendall[n]) else kendall[n])
            notes.append(
                f"rung {k} (budget {budget:g}) does not predict the top budget: Kendall tau "
                f"of {worst} is {_fmt(kendall[worst])} over {len(pairs)} configurations "
                f"(threshold {threshold:g}); {regret} configuration(s) of the final front "
                "would have been stopped there. Raise the fidelity's low budget, judge "
                "trials later, or let the scheduler skip such rungs (skip_misleading=True)."
            )
        multiple = screening_multiple(k, costs, promotions, scheduler.eta)
        taus = [t for t in kendall.values() if not math.isnan(t)]
        least = min(taus) if taus and len(pairs) >= MIN_PAIRS else None
        report_rungs.append(
            RungCalibration(
                k, budget, len(by_rung[k]), len(pairs), kendall, spearman, regret,
                compute[k], verdict, costs[k], multiple,
                screening_saving_bound(k, len(rungs), multiple, scheduler.eta),
                None if least is None
                else expected_saving(k, len(rungs), multiple, scheduler.eta, least),
            )
        )  # fmt: skip
    result = FidelityReport(
        study.name, rungs[-1], report_rungs, notes, compute[-1], costs[-1], basis.unit
    )
    if warn:
        for note in notes:
            emit(note, FidelityWarning)
    return result
