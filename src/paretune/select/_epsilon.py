"""Optimise one metric subject to limits on the others (the epsilon-constraint method)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from paretune._logging import get_logger
from paretune.exceptions import NoSelectionError
from paretune.objectives import Direction
from paretune.select._base import SelectionRule
from paretune.select._confidence import MIN_REPEATS
from paretune.select._confidence import mean_and_bound
from paretune.select._space import best
from paretune.select._space import check_candidates
from paretune.select._space import check_names
from paretune.select._space import known_metrics
from paretune.select._space import tied_metrics
from paretune.select._ties import distinct
from paretune.select._ties import representatives

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["EpsilonConstraint", "Limit"]

logger = get_logger(__name__)

Limit = float | tuple[str, float]
"""A bound (its side taken from the study) or an explicit ``("<=", bound)`` / ``(">=", bound)``."""


@dataclass(frozen=True)
class _Estimate:
    """What a rule sees of one candidate: the value it ranks and the values it limits."""

    score: float
    limited: dict[str, float]
    repeats: int = 0


@dataclass(frozen=True, kw_only=True)
class EpsilonConstraint(SelectionRule):
    """The best candidate in one metric among those within limits on other metrics.

    This is the epsilon-constraint method of multi-objective optimisation: optimise one
    objective, turn the others into bounds ("the most accurate model whose
    equalized-odds difference is at most 0.05").

    A limit given as a bare number takes its side from the study: an upper bound for a
    minimised objective or a metric with a ``<=`` constraint, a lower bound for a maximised
    objective or a metric with a ``>=`` constraint (an objective's direction wins when a
    metric is both). Any other metric the candidates all report needs an explicit
    ``("<=", bound)`` or ``(">=", bound)``. A candidate meets a limit when its value is on
    the bound or the right side of it.

    With ``confidence`` (say 0.9), the single validation measurement is not trusted: the
    rule reads the trial's repeated measurements, ``study.repeats(number)`` (stored by
    ``study.reevaluate``). Each limit then applies to the metric's one-sided confidence
    bound over the repeats (the upper bound for an upper limit, the lower bound for a lower
    one; Student's t with ``n - 1`` degrees of freedom), and candidates are ranked by the
    repeats' mean. The original measurement is not mixed in: it is the one that made the
    trial look good, so it is biased. A candidate with fewer than two repeats of a metric
    the rule uses has no bound and is left out. Ties follow :class:`SelectionRule`'s
    contract (groups are formed among the candidates left in).

    Args:
        maximize: The metric to make as large as possible.
        minimize: The metric to make as small as possible. Give exactly one of the two.
        limits: Metric name -> a bound or an ``(op, bound)`` pair.
        confidence: None to use the stored measurements; else the one-sided confidence
            level, in ``(0, 1)``, at which every limit must hold over the repeats.

    Raises:
        ValueError: If not exactly one of ``maximize`` / ``minimize`` is given, a limit is
            not a finite number or a valid pair, or ``confidence`` is outside ``(0, 1)``.

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(objectives={"accuracy": "maximize", "eo_diff": "minimize"})
        >>> for acc, eo in [(0.80, 0.01), (0.86, 0.04), (0.88, 0.08)]:
        ...     _ = study.tell(study.ask(), {"accuracy": acc, "eo_diff": eo})
        >>> rule = pt.select.EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05})
        >>> study.select(rule).number
        1
    """

    maximize: str | None = None
    minimize: str | None = None
    limits: Mapping[str, Limit] = field(default_factory=dict)
    confidence: float | None = None

    def __post_init__(self) -> None:
        if (self.maximize is None) == (self.minimize is None):
            raise ValueError(
                "Give exactly one of `maximize` or `minimize` (the metric to optimise), but "
                f"got maximize={self.maximize!r}, minimize={self.minimize!r}."
            )
        if not isinstance(self.metric, str) or not self.metric:
            raise ValueError(
                f"The metric to optimise must be a non-empty name, got {self.metric!r}."
            )
        if not isinstance(self.limits, Mapping):
            raise ValueError(
                "`limits` must be a dict of metric name -> bound or (op, bound), such as "
                f"{{'eo_diff': 0.05}}, but got {type(self.limits).__name__}."
            )
        for metric, spec in self.limits.items():
            _parse_limit(metric, spec)
        object.__setattr__(self, "limits", dict(self.limits))
        c = self.confidence
        if c is not None and (
            isinstance(c, bool) or not isinstance(c, (int, float)) or not 0.0 < c < 1.0
        ):
            raise ValueError(f"`confidence` must be None or lie in (0, 1), but got {c!r}.")

    @property
    def metric(self) -> str:
        """The metric the rule optimises (``maximize`` or ``minimize``)."""
        return str(self.maximize if self.maximize is not None else self.minimize)

    def choose(self, study: Study, candidates: Sequence[TrialRecord]) -> TrialRecord:
        """Pick the best candidate within the limits (see the class docstring).

        Args:
            study: The study the candidates belong to.
            candidates: Complete trials of ``study``.

        Returns:
            The chosen trial (the lowest-numbered trial of its tie group).

        Raises:
            NoSelectionError: If ``candidates`` is empty, none meets every limit (the
                message names the closest candidate and its misses) or, with
                ``confidence``, none has two repeats.
            ValueError: If the metric or a limit names a metric the study and candidates
                lack (the message lists the valid names), a bare-number limit is on a
                metric with no direction in the study, or a candidate is incomplete.
        """
        check_candidates(study, candidates, self)
        valid = known_metrics(study, candidates)
        check_names([self.metric], valid, f"the metric {self.metric!r} to optimise")
        check_names(self.limits, valid, "the limits of EpsilonConstraint")
        bounds = {m: _resolve(study, m, spec) for m, spec in self.limits.items()}
        if self.confidence is None:
            estimates = {t.number: self._measured(t, bounds) for t in candidates}
            pool = list(candidates)
        else:
            estimates = self._from_repeats(study, candidates, bounds, self.confidence)
            pool = [t for t in candidates if t.number in estimates]
        trials = representatives(distinct(pool, metrics=tied_metrics(study)))
        misses = {t.number: _misses(estimates[t.number], bounds) for t in trials}
        within = [t for t in trials if not misses[t.number]]
        if not within:
            raise self._none_within(trials, estimates, misses, bounds, len(candidates))
        sign = -1.0 if self.maximize is not None else 1.0
        return best(within, [sign * estimates[t.number].score for t in within])

    def _measured(self, trial: TrialRecord, bounds: dict[str, tuple[str, float]]) -> _Estimate:
        limited = {m: float(trial.metrics[m]) for m in bounds}
        return _Estimate(float(trial.metrics[self.metric]), limited)

    def _from_repeats(
        self,
        study: Study,
        candidates: Sequence[TrialRecord],
        bounds: dict[str, tuple[str, float]],
        confidence: float,
    ) -> dict[int, _Estimate]:
        """Estimates of the candidates with enough repeats; NoSelectionError if none has."""
        found: dict[int, _Estimate] = {}
        lacking: list[int] = []
        for trial in candidates:
            repeats = study.repeats(trial.number)
            values = {m: [float(r[m]) for r in repeats if m in r] for m in [self.metric, *bounds]}
            if min(len(v) for v in values.values()) < MIN_REPEATS:
                lacking.append(trial.number)
                continue
            score, _ = mean_and_bound(values[self.metric], confidence, upper=True)
            limited = {
                m: mean_and_bound(values[m], confidence, upper=op == "<=")[1]
                for m, (op, _bound) in bounds.items()
            }
            found[trial.number] = _Estimate(score, limited, len(repeats))
        if not found:
            raise NoSelectionError(
                f"None of the {len(candidates)} candidates has the {MIN_REPEATS} or more "
                f"repeats that confidence={confidence:g} needs (trials {lacking} have "
                "fewer); re-evaluate them with study.reevaluate(...), or pass "
                "confidence=None to use the single measurements."
            )
        if lacking:
            logger.info(
                "Left out trials %s: fewer than %d repeats, so no confidence bound.",
                lacking,
                MIN_REPEATS,
            )
        return found

    def _none_within(
        self,
        trials: Sequence[TrialRecord],
        estimates: dict[int, _Estimate],
        misses: dict[int, dict[str, float]],
        bounds: dict[str, tuple[str, float]],
        n_candidates: int,
    ) -> NoSelectionError:
        spread = {}
        for m in bounds:
            values = [estimates[t.number].limited[m] for t in trials]
            spread[m] = (max(values) - min(values)) or 1.0

        def distance(t: TrialRecord) -> tuple[int, float]:
            own = misses[t.number]
            return len(own), math.fsum(v / spread[m] for m, v in own.items())

        closest = min(trials, key=lambda t: (*distance(t), t.number))
        own = estimates[closest.number]
        if self.confidence is None:
            seen = "measured {:.4g}"
        else:
            level = f"{self.confidence * 100:g}%"
            seen = f"{{side}} {level} confidence bound {{:.4g}} over {own.repeats} repeats"
        parts = []
        for m, miss in misses[closest.number].items():
            op, bound = bounds[m]
            side = "upper" if op == "<=" else "lower"
            shown = seen.format(own.limited[m], side=side)
            parts.append(f"{m} {op} {bound:g} by {miss:.4g} ({shown})")
        left_out = n_candidates - len(estimates)
        note = (
            f" {left_out} candidate(s) with fewer than {MIN_REPEATS} repeats were left out; "
            "re-evaluate them with study.reevaluate(...)."
            if left_out
            else ""
        )
        return NoSelectionError(
            f"No candidate meets every limit of {self!r}; the closest, trial "
            f"{closest.number}, misses {'; '.join(parts)}. Relax the limits or pass other "
            f"candidates.{note}",
            closest=closest.number,
            misses={
                f"{m} {bounds[m][0]} {bounds[m][1]:g}": v for m, v in misses[closest.number].items()
            },
        )


def _parse_limit(metric: object, spec: object) -> tuple[str | None, float]:
    """``(op or None, bound)`` of one limit; ValueError if malformed."""
    if not isinstance(metric, str) or not metric:
        raise ValueError(f"Limit names must be non-empty metric names, got {metric!r}.")
    op: object = None
    bound = spec
    if isinstance(spec, (tuple, list)):
        if len(spec) != 2:
            raise ValueError(
                f"The limit on {metric!r} must be a bound or a pair like ('<=', 0.05), "
                f"got {spec!r}."
            )
        op, bound = spec
        if op not in ("<=", ">="):
            raise ValueError(
                f"Unknown operator {op!r} in the limit on {metric!r}; use '<=' or '>='."
            )
    if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
        raise ValueError(
            f"The bound of the limit on {metric!r} must be a finite number, got {bound!r}."
        )
    return (None if op is None else str(op)), float(bound)


def _resolve(study: Study, metric: str, spec: Limit) -> tuple[str, float]:
    """``(op, bound)`` of a limit, taking a bare number's side from the study."""
    op, bound = _parse_limit(metric, spec)
    if op is not None:
        return op, bound
    for objective in study.objectives:
        if objective.name == metric:
            return ("<=" if objective.direction is Direction.MINIMIZE else ">="), bound
    for constraint in study.constraints:
        if constraint.metric == metric:
            return constraint.op, bound
    raise ValueError(
        f"The limit on {metric!r} is a bare number, but {metric!r} is neither an objective "
        f"nor a constrained metric of study {study.name!r}, so its side is unknown; pass "
        f"('<=', {bound:g}) or ('>=', {bound:g})."
    )


def _misses(estimate: _Estimate, bounds: dict[str, tuple[str, float]]) -> dict[str, float]:
    """Each limit ``estimate`` misses, mapped to by how much (positive)."""
    found = {}
    for m, (op, bound) in bounds.items():
        value = estimate.limited[m]
        miss = value - bound if op == "<=" else bound - value
        if miss > 0.0:
            found[m] = miss
    return found
