"""What the rules share: metric names, normalised objectives and the tie-breaking pick."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paretune.exceptions import NoSelectionError
from paretune.select._ties import distinct
from paretune.select._ties import representatives

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = [
    "best",
    "check_candidates",
    "check_names",
    "groups_of",
    "known_metrics",
    "normalised",
    "tied_metrics",
]


def tied_metrics(study: Study) -> list[str]:
    """The metrics that decide ties: the objectives, then the constrained metrics."""
    names = [o.name for o in study.objectives] + [c.metric for c in study.constraints]
    return list(dict.fromkeys(names))


def check_candidates(study: Study, candidates: Sequence[TrialRecord], rule: object) -> None:
    """Raise unless there are candidates and each has every objective.

    Raises:
        NoSelectionError: If there are no candidates.
        ValueError: If a candidate lacks an objective (it is not a complete trial).
    """
    if not candidates:
        raise NoSelectionError(
            f"{rule!r} has nothing to choose from: the candidates (by default the Pareto "
            f"front of study {study.name!r}) are empty. Complete some feasible trials first."
        )
    for trial in candidates:
        missing = [o.name for o in study.objectives if o.name not in trial.metrics]
        if missing:
            raise ValueError(
                f"Candidate trial {trial.number} ({trial.state.value}) has no value for "
                f"objective(s) {missing!r}; candidates must be complete trials of the study."
            )


def groups_of(study: Study, candidates: Sequence[TrialRecord], rule: object) -> list[TrialRecord]:
    """Check the candidates (see :func:`check_candidates`) and return the lowest-numbered
    trial of each tie group, in the order of the groups' first appearance."""
    check_candidates(study, candidates, rule)
    return representatives(distinct(candidates, metrics=tied_metrics(study)))


def known_metrics(study: Study, candidates: Iterable[TrialRecord]) -> list[str]:
    """The names a rule may refer to: objectives, constrained metrics, then the other
    metrics every candidate reported (sorted)."""
    declared = tied_metrics(study)
    common: set[str] | None = None
    for trial in candidates:
        common = set(trial.metrics) if common is None else common & set(trial.metrics)
    extra = sorted((common or set()) - set(declared))
    return declared + extra


def check_names(names: Iterable[str], valid: Sequence[str], where: str) -> None:
    """Raise ValueError naming the unknown ``names`` and listing ``valid`` ones."""
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ValueError(
            f"Unknown metric(s) {unknown!r} in {where}; valid names are {list(valid)!r}."
        )


def normalised(
    study: Study,
    trials: Sequence[TrialRecord],
    reference: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Objectives of ``trials`` scaled to ``[0, 1]`` over them, 0 best in every column.

    Each objective becomes a loss (maximised ones negated), then ``(loss - min) / (max -
    min)`` over ``trials``; a column whose values are all equal becomes 0. Soft-constraint
    penalties are not added: the rules compare what was measured.

    Args:
        study: Gives the objectives and their directions.
        trials: Complete trials, ``n`` of them.
        reference: Objective name -> value in the objective's units, mapped the same way
            (an objective it lacks maps to 0, the best value among ``trials``).

    Returns:
        The ``n x m`` normalised objectives and the reference point as a length-``m`` array.
    """
    signs = np.asarray([o.sign for o in study.objectives])
    raw = np.asarray([[t.metrics[o.name] for o in study.objectives] for t in trials], float)
    losses = raw.reshape(len(trials), len(signs)) * signs
    low = losses.min(axis=0)
    span = losses.max(axis=0) - low
    span[span <= 0] = 1.0
    ref = np.zeros(len(signs))
    for k, o in enumerate(study.objectives):
        if reference is not None and o.name in reference:
            ref[k] = (o.sign * float(reference[o.name]) - low[k]) / span[k]
    return (losses - low) / span, ref


def best(
    trials: Sequence[TrialRecord],
    primary: Sequence[float],
    secondary: Sequence[float] | None = None,
) -> TrialRecord:
    """The trial with the smallest ``primary`` score.

    Scores within ``1e-12`` (relative to the best, at least absolute) count as tied; ties
    go to the smallest ``secondary`` score (same tolerance), then to the lowest number.
    """
    order = list(range(len(trials)))
    for scores in (primary, secondary):
        if scores is None:
            continue
        top = min(scores[i] for i in order)
        tol = 1e-12 * max(1.0, abs(top))
        order = [i for i in order if scores[i] <= top + tol]
    return min((trials[i] for i in order), key=lambda t: t.number)
