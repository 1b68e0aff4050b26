"""Screening only where it pays: the expected compute of screening from each rung, against
training every configuration at the top budget, from the evidence a study has gathered.

**The model.** For each configuration that reaches the top budget, successive halving from
rung ``k`` looks at ``n = eta ** (top - k)`` configurations and pays ``multiple`` top-budget
trainings (:func:`~paretune.schedulers._calibration.screening_multiple`, from the costs of
configurations started at each rung and of promotions into it: a promotion that resumes
from a checkpoint pays only the difference). Full-budget search pays one training per
configuration it looks at. Had the rung ranked configurations exactly as the top budget
does, screening would find a configuration as good as the best of ``n`` full trainings
(:func:`~paretune.schedulers._calibration.screening_saving_bound`, ``n / multiple``).

A rung that ranks imperfectly finds less. With rank agreement Kendall's tau between the
rung and the top budget (the worst objective's), take the two measurements as jointly
Gaussian with correlation ``rho = sin(pi * tau / 2)`` (Greiner's relation). Keeping the
best of ``n`` by the rung's measurement then gives, on average, ``rho`` times the top-budget
quality of the best of ``n`` measured at the top; :func:`effective_looks` counts how many
full trainings give that quality (Blom's approximation of the expected maximum of normal
samples, inverted). The **expected saving** is that count per top-budget training spent,
``effective_looks(n, rho) / multiple``: above 1, screening from the rung reaches a given
front with less compute than full-budget search; at or below 1 it does not pay.

**Uncertainty.** Tau is measured over the configurations measured both at the rung and at
the top budget (``n_pairs``), a few at first. The decision takes tau's upper confidence
bound, ``tau + Z * se`` with the null standard error ``sqrt(2 (2 n + 5) / (9 n (n - 1)))``:
a rung is given up only when even an optimistic reading of the evidence says it does not
pay. Below :data:`~paretune.schedulers._calibration.MIN_PAIRS` pairs, or before the costs
it needs are known, a rung is trusted (its saving is unknown, not judged).

Everything here is a function of the study's trials, read on the study's cost basis
(:mod:`paretune._costs`): with told costs, the same trials give the same verdict in any
process.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

from paretune._costs import cost_basis
from paretune.schedulers._calibration import MIN_PAIRS
from paretune.schedulers._calibration import compare
from paretune.schedulers._calibration import measurements
from paretune.schedulers._calibration import rung_costs
from paretune.schedulers._calibration import screening_multiple
from paretune.schedulers._calibration import screening_saving_bound
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = [
    "Z",
    "RungPayoff",
    "effective_looks",
    "expected_saving",
    "kendall_upper",
    "payoffs",
    "unprofitable_floor",
]

Z = 1.0
"""Standard errors added to a rung's Kendall tau before judging it (one-sided, about 84%)."""

_NORMAL = NormalDist()


def kendall_upper(tau: float, n_pairs: int) -> float:
    """Tau's upper confidence bound over ``n_pairs`` pairs (at most 1).

    Args:
        tau: The measured Kendall tau.
        n_pairs: The configurations it was measured over (at least 2).
    """
    n = max(n_pairs, 2)
    se = math.sqrt(2.0 * (2 * n + 5) / (9.0 * n * (n - 1)))
    return min(1.0, tau + Z * se)


def effective_looks(n: float, rho: float) -> float:
    """How many configurations trained at the top budget give, at best, what keeping the
    best of ``n`` by a measurement of correlation ``rho`` with the top budget gives.

    ``n`` when ``rho`` is 1, 1 when ``rho <= 0`` (a ranking no better than chance finds an
    average configuration).
    """
    if n <= 1 or rho <= 0:
        return 1.0
    rho = min(rho, 1.0)
    quality = rho * _NORMAL.inv_cdf((n - 0.375) / (n + 0.25))  # Blom: E[max of n] ~ this
    p = _NORMAL.cdf(quality)
    return max(1.0, (0.375 + 0.25 * p) / (1.0 - p))


def expected_saving(
    k: int, n_rungs: int, multiple: float | None, eta: int, tau: float | None
) -> float | None:
    """The compute screening from rung ``k`` saves against full-budget search (above 1:
    it pays), given its ``multiple`` and its rank agreement ``tau`` with the top budget.

    None when the multiple is unknown; the perfect-ranking bound
    (:func:`~paretune.schedulers._calibration.screening_saving_bound`) when ``tau`` is None.
    """
    if multiple is None or multiple <= 0:
        return None
    if tau is None:
        return screening_saving_bound(k, n_rungs, multiple, eta)
    rho = math.sin(math.pi * max(tau, 0.0) / 2.0)
    return effective_looks(eta ** (n_rungs - 1 - k), rho) / multiple


@dataclass(frozen=True)
class RungPayoff:
    """The evidence on screening from one rung, and the verdict.

    Attributes:
        rung: The rung's index (0 is the cheapest).
        multiple: :func:`~paretune.schedulers._calibration.screening_multiple`, or None.
        tau: The worst objective's Kendall tau against the top budget, or None below
            :data:`~paretune.schedulers._calibration.MIN_PAIRS` pairs.
        n_pairs: Configurations measured both at the rung and at the top budget.
        saving: :func:`expected_saving` at the measured tau (None when unknown).
        optimistic: The same at tau's upper confidence bound: what the verdict uses.
    """

    rung: int
    multiple: float | None
    tau: float | None
    n_pairs: int
    saving: float | None
    optimistic: float | None

    @property
    def pays(self) -> bool | None:
        """Whether screening from the rung can pay (None: not judged yet)."""
        return None if self.optimistic is None else self.optimistic > 1.0


def payoffs(
    study: Study, rungs: Sequence[float], trials: Sequence[TrialRecord], eta: int
) -> list[RungPayoff]:
    """The :class:`RungPayoff` of every rung below the top of a budgeted study.

    Args:
        study: The study (its fidelity is set).
        rungs: Its rung budgets, cheapest first.
        trials: Its trials, read once by the caller.
        eta: The scheduler's reduction factor.
    """
    complete = [r for r in trials if r.state is TrialState.COMPLETE]
    basis = cost_basis(complete, study.cost_unit)
    started = rung_costs(rungs, complete, basis=basis)
    promoted = rung_costs(rungs, complete, promoted=True, basis=basis)
    by_rung, _ = measurements(study, tuple(rungs), complete)
    found = []
    for k in range(len(rungs) - 1):
        multiple = screening_multiple(k, started, promoted, eta)
        pairs, _, kendall, _ = compare(study, by_rung[k], by_rung[-1])
        taus = [t for t in kendall.values() if not math.isnan(t)]  # NaN: constant, no say
        tau = min(taus) if taus and len(pairs) >= MIN_PAIRS else None
        upper = None if tau is None else kendall_upper(tau, len(pairs))
        found.append(
            RungPayoff(
                k,
                multiple,
                tau,
                len(pairs),
                expected_saving(k, len(rungs), multiple, eta, tau),
                expected_saving(k, len(rungs), multiple, eta, upper),
            )
        )
    return found


def unprofitable_floor(found: Sequence[RungPayoff]) -> int:
    """One above the most expensive rung shown not to pay (0 when none is)."""
    losing = [p.rung for p in found if p.pays is False]
    return losing[-1] + 1 if losing else 0
