"""Scalarisations: one score per candidate from weighted, normalised objectives."""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

import numpy as np

from paretune.select._base import SelectionRule
from paretune.select._space import best
from paretune.select._space import check_names
from paretune.select._space import groups_of
from paretune.select._space import normalised

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["Chebyshev", "Weighted"]


def _check_weights(rule: str, weights: object) -> dict[str, float]:
    """A copy of ``weights``; ValueError unless they are finite, non-negative, not all 0."""
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError(
            f"{rule} needs a non-empty dict of objective name -> weight, such as "
            f"{{'accuracy': 1.0, 'eo_diff': 2.0}}, but got {weights!r}."
        )
    for name, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
            raise ValueError(
                f"The weights of {rule} must be finite and non-negative, but {name!r} has {w!r}."
            )
    if not any(w > 0 for w in weights.values()):
        raise ValueError(f"The weights of {rule} must not all be 0, but got {dict(weights)!r}.")
    return {str(k): float(v) for k, v in weights.items()}


def _weight_vector(study: Study, weights: Mapping[str, float], rule: str) -> np.ndarray:
    """The weights in the study's objective order (0 for an objective they omit)."""
    names = [o.name for o in study.objectives]
    check_names(weights, names, f"the weights of {rule} (they name objectives)")
    return np.asarray([weights.get(n, 0.0) for n in names], dtype=float)


@dataclass(frozen=True)
class Weighted(SelectionRule):
    """The candidate with the smallest weighted sum of normalised objectives.

    Objectives are turned into losses and scaled to ``[0, 1]`` over the candidates (0 is
    the best value any candidate reached, so a maximised objective is flipped), then
    summed with the weights. Only the weights' ratios matter. A weighted sum can only reach
    candidates on the convex hull of the front; use :class:`Chebyshev` to reach any of
    them. Equal scores go to the smaller sum of unweighted normalised objectives (so a zero
    weight cannot pick a dominated candidate), then as in :class:`SelectionRule`.

    Args:
        weights: Objective name -> weight; an objective left out weighs 0. Weights are
            finite, non-negative and not all 0.

    Raises:
        ValueError: On an empty mapping or a negative, non-finite or all-zero weights.

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(objectives={"accuracy": "maximize", "eo_diff": "minimize"})
        >>> for acc, eo in [(0.80, 0.01), (0.86, 0.04), (0.88, 0.08)]:
        ...     _ = study.tell(study.ask(), {"accuracy": acc, "eo_diff": eo})
        >>> study.select(pt.select.Weighted({"accuracy": 1.0})).number
        2
    """

    weights: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", _check_weights("Weighted", self.weights))

    def choose(self, study: Study, candidates: Sequence[TrialRecord]) -> TrialRecord:
        """Pick the candidate with the smallest weighted sum (see the class docstring).

        Args:
            study: The study the candidates belong to.
            candidates: Complete trials of ``study``.

        Returns:
            The chosen trial (the lowest-numbered trial of its tie group).

        Raises:
            NoSelectionError: If ``candidates`` is empty.
            ValueError: If a weight names no objective of the study (the message lists
                them) or a candidate is incomplete.
        """
        w = _weight_vector(study, self.weights, "Weighted")
        trials = groups_of(study, candidates, self)
        points, _ = normalised(study, trials)
        return best(trials, list(points @ w), list(points.sum(axis=1)))


@dataclass(frozen=True)
class Chebyshev(SelectionRule):
    """The candidate whose worst weighted distance from a reference point is smallest.

    Objectives are normalised as for :class:`Weighted`; the score of a candidate is
    ``max_i weight_i * (objective_i - reference_i)``, the weighted Chebyshev (max-norm)
    distance from the reference. With the default reference, the ideal point (0 in every
    normalised objective), this is the weighted Tchebycheff scalarisation, which can reach
    every Pareto-optimal candidate, also on non-convex fronts. With a ``reference`` that
    some candidates beat, the signed differences make it Wierzbicki's achievement function:
    the candidate that beats it by most (in the worst weighted objective) wins. Equal scores
    go to the smaller sum of normalised objectives, then as in :class:`SelectionRule`.

    Args:
        weights: Objective name -> weight; an objective left out weighs 0 (it is then
            ignored). Weights are finite, non-negative and not all 0.
        reference: Objective name -> a value in the objective's own units (say
            ``{"accuracy": 0.9, "eo_diff": 0.02}``); an objective it omits takes the best
            value among the candidates. None: the ideal point.

    Raises:
        ValueError: On an empty mapping or negative, non-finite or all-zero weights, or a
            non-finite reference value.

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(objectives={"accuracy": "maximize", "eo_diff": "minimize"})
        >>> for acc, eo in [(0.80, 0.01), (0.86, 0.04), (0.88, 0.08)]:
        ...     _ = study.tell(study.ask(), {"accuracy": acc, "eo_diff": eo})
        >>> study.select(pt.select.Chebyshev({"accuracy": 1.0, "eo_diff": 1.0})).number
        1
    """

    weights: Mapping[str, float]
    reference: Mapping[str, float] | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", _check_weights("Chebyshev", self.weights))
        if self.reference is None:
            return
        if not isinstance(self.reference, Mapping):
            raise ValueError(
                "`reference` must be None or a dict of objective name -> value, but got "
                f"{type(self.reference).__name__}."
            )
        for name, value in self.reference.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise ValueError(
                    f"The reference value of {name!r} must be a finite number, got {value!r}."
                )
        object.__setattr__(self, "reference", {str(k): float(v) for k, v in self.reference.items()})

    def choose(self, study: Study, candidates: Sequence[TrialRecord]) -> TrialRecord:
        """Pick the candidate closest to the reference in the weighted max-norm.

        Args:
            study: The study the candidates belong to.
            candidates: Complete trials of ``study``.

        Returns:
            The chosen trial (the lowest-numbered trial of its tie group).

        Raises:
            NoSelectionError: If ``candidates`` is empty.
            ValueError: If a weight or reference names no objective of the study (the
                message lists them) or a candidate is incomplete.
        """
        w = _weight_vector(study, self.weights, "Chebyshev")
        reference = None if self.reference is None else dict(self.reference)
        if reference is not None:
            names = [o.name for o in study.objectives]
            check_names(reference, names, "the reference of Chebyshev (it names objectives)")
        trials = groups_of(study, candidates, self)
        points, ref = normalised(study, trials, reference)
        used = w > 0  # a zero weight ignores its objective rather than scoring it 0
        scores = ((points - ref)[:, used] * w[used]).max(axis=1)
        return best(trials, list(scores), list(points.sum(axis=1)))
