"""Cross-fidelity calibration maths: rank agreement between rungs, and what rungs cost.

Schedulers act on these while a study runs (``skip_misleading``, ``skip_costly``); the
fidelity report (:mod:`paretune.analysis`) prints them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paretune._costs import CostBasis
from paretune._costs import cost_basis
from paretune.schedulers._placement import measured_at
from paretune.schedulers._placement import rung_index
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = [
    "COST_SAMPLES",
    "MIN_PAIRS",
    "compare",
    "correlations",
    "measurements",
    "predictive",
    "rung_costs",
    "rungs_predictive",
    "screening_multiple",
    "screening_saving_bound",
]

MIN_PAIRS = 5
"""Configurations a rung must share with the top rung before it is judged at all."""


def correlations(low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
    from scipy.stats import kendalltau
    from scipy.stats import spearmanr

    if low.size < 2 or np.ptp(low) == 0 or np.ptp(high) == 0:
        return math.nan, math.nan
    return float(kendalltau(low, high).statistic), float(spearmanr(low, high).statistic)


def predictive(kendall: Mapping[str, float], n_pairs: int, threshold: float) -> bool | None:
    """Whether every objective's tau reaches ``threshold``; None below :data:`MIN_PAIRS`."""
    if n_pairs < MIN_PAIRS:
        return None
    return all(not math.isnan(t) and t >= threshold for t in kendall.values())


def compare(
    study: Study,
    measured: Mapping[int, Mapping[str, float]],
    top: Mapping[int, Mapping[str, float]],
) -> tuple[list[int], np.ndarray, dict[str, float], dict[str, float]]:
    """Configurations measured at a rung and at the top, their losses at the rung, and
    Kendall's tau and Spearman's rho per objective between the two."""
    pairs = sorted(set(measured) & set(top))
    low = study.losses_of([measured[c] for c in pairs])
    high = study.losses_of([top[c] for c in pairs])
    kendall, spearman = {}, {}
    for j, objective in enumerate(study.objectives):
        kendall[objective.name], spearman[objective.name] = correlations(low[:, j], high[:, j])
    return pairs, low, kendall, spearman


def measurements(
    study: Study, rungs: tuple[float, ...], trials: Sequence[TrialRecord]
) -> tuple[list[dict[int, Mapping[str, float]]], list[float]]:
    """Per rung, config -> metrics measured there; and compute spent per rung.

    ``trials`` are the study's trials, read once by the caller. Compute is in the unit of
    the study's :func:`~paretune._costs.cost_basis`: told costs (of trials, and the
    cumulative costs told with reports in a training loop) once any complete trial told
    one, else seconds (durations, and report times since the trial started).
    """
    basis = cost_basis(trials, study.cost_unit)
    by_rung: list[dict[int, Mapping[str, float]]] = [{} for _ in rungs]
    compute = [0.0] * len(rungs)
    top = len(rungs) - 1
    for record in trials:
        if study.fidelity is not None:  # budgeted: one trial per configuration and budget
            if record.budget is None:
                continue
            k = rung_index(rungs, record.budget)
            if k is None:
                continue
            compute[k] += basis.of(record) or 0.0
            if record.state is TrialState.COMPLETE:
                by_rung[k][record.config] = record.metrics
            continue
        previous = 0.0  # training loop: reports are the cheap rungs, final metrics the top
        for k, budget in enumerate(rungs[:-1]):
            measured = measured_at(record, budget)
            if measured is None:
                break
            by_rung[k][record.number] = measured
            step = next(s for s in record.intermediate if s >= budget - 1e-9)
            spent = record.cost_at(step) if basis.told else record.elapsed_at(step)
            elapsed = previous if spent is None else spent
            compute[k] += max(elapsed - previous, 0.0)
            previous = elapsed
        if record.state is TrialState.COMPLETE:
            by_rung[top][record.number] = record.metrics
            compute[top] += max((basis.of(record) or 0.0) - previous, 0.0)
    return by_rung, compute


def rungs_predictive(
    study: Study, rungs: tuple[float, ...], threshold: float = 0.3
) -> list[bool | None]:
    """For each rung below the top, whether it predicts the top (as the report judges it).

    The cheap part of the fidelity report (no regret, no warnings), for schedulers that act
    on the calibration while the study runs.
    """
    by_rung, _ = measurements(study, rungs, study.get_trials())
    verdicts: list[bool | None] = []
    for measured in by_rung[:-1]:
        pairs, _, kendall, _ = compare(study, measured, by_rung[-1])
        verdicts.append(predictive(kendall, len(pairs), threshold))
    return verdicts


COST_SAMPLES = 3
"""Configurations started at a rung before ``skip_costly`` judges what the rung costs."""


def rung_costs(
    rungs: Sequence[float],
    complete: Sequence[TrialRecord],
    *,
    promoted: bool = False,
    basis: CostBasis | None = None,
) -> list[float | None]:
    """Per rung, the median cost of the complete trials started there.

    Only configurations that began at the rung count (not promoted ones, whose job may have
    resumed from a checkpoint and so cost only the extra budget); None where fewer than
    :data:`COST_SAMPLES` did. ``promoted=True`` gives the other half instead: the median
    cost of the trials promoted into each rung, what a promotion costs there (told costs
    of promotions say what resuming really cost).

    Costs are read on ``basis`` (None: the basis of ``complete``, see
    :func:`~paretune._costs.cost_basis`): told costs once any of them told one (trials
    without one are left out), else durations in seconds.
    """
    basis = basis if basis is not None else cost_basis(complete)
    costs: list[list[float]] = [[] for _ in rungs]
    for record in complete:
        placement, cost = record.placement, basis.of(record)
        if placement is None or cost is None:
            continue
        if (placement.previous_trial is not None) != promoted:
            continue
        k = rung_index(rungs, placement.budget)
        if k is not None:
            costs[k].append(cost)
    return [float(np.median(c)) if len(c) >= COST_SAMPLES else None for c in costs]


def screening_multiple(
    k: int, started: Sequence[float | None], promoted: Sequence[float | None], eta: int
) -> float | None:
    """What one top-budget result costs when configurations are screened from rung ``k``,
    as a multiple of training one configuration at the top budget directly.

    Successive halving from rung ``k`` starts ``eta ** (top - k)`` configurations there and
    promotes ``eta ** (top - j)`` into each rung ``j`` above it for every one that reaches
    the top. ``started[j]`` is the median cost of a configuration started at rung ``j``,
    ``promoted[j]`` that of a promotion into it (lower where jobs resume from a checkpoint;
    the started cost stands in where too few promotions were measured). None where a cost
    it needs is unknown.
    """
    top = len(started) - 1
    first, direct = started[k], started[top]
    if first is None or direct is None or direct <= 0:
        return None
    total = eta ** (top - k) * first
    for j in range(k + 1, top + 1):
        step = promoted[j] if promoted[j] is not None else started[j]
        if step is None:
            return None
        total += eta ** (top - j) * step
    return float(total / direct)


def screening_saving_bound(k: int, n_rungs: int, multiple: float | None, eta: int) -> float | None:
    """The most compute that screening from rung ``k`` can save against full-budget search.

    For each top-budget result, screening from rung ``k`` looks at ``eta ** (top - k)``
    configurations and pays ``multiple`` top-budget trainings
    (:func:`screening_multiple`); full-budget search looks at one configuration per
    training. Even a rung that ranks configurations exactly as the top budget does can at
    best stand in for that many full trainings, so reaching a given front takes at least
    ``1 / (eta ** (top - k) / multiple)`` of full-budget search's compute. A bound below 1
    means screening from the rung costs more than it can save; a rung that misranks saves
    less than its bound. None when the multiple is unknown.
    """
    if multiple is None or multiple <= 0:
        return None
    return float(eta ** (n_rungs - 1 - k) / multiple)
