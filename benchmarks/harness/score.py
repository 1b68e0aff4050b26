"""Scoring a run: the hypervolume of the feasible front it found, normalised by the best.

An outcome is one trial's ``[objectives, constraint values]`` (all objectives minimised,
constraints feasible when ``<= 0``), or ``None`` for a trial that failed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.problem import FrontProblem
from harness.problem import Problem
from paretune.pareto import hypervolume
from paretune.pareto import is_pareto_efficient

Outcome = Sequence[Sequence[float]] | None
"""``[objectives, constraint values]`` of a complete trial; ``None`` for a failed one."""


def feasible_points(outcomes: Iterable[Outcome]) -> list[Sequence[float]]:
    """Objectives of the complete trials whose constraint values are all ``<= 0``."""
    return [o[0] for o in outcomes if o is not None and all(v <= 0 for v in o[1])]


def failures(outcomes: Sequence[Outcome]) -> int:
    """How many trials failed."""
    return sum(o is None for o in outcomes)


def front_hypervolume(points: Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """Hypervolume of the non-dominated ``points`` against ``reference`` (points not below
    it in every objective add nothing; 0 for no points)."""
    if not len(points):
        return 0.0
    front = np.asarray(points, dtype=float)
    return float(hypervolume(front[is_pareto_efficient(front)], reference))


def normalised_hypervolume(problem: Problem, outcomes: Iterable[Outcome]) -> float:
    """Hypervolume of the feasible points among ``outcomes`` over the problem's best."""
    points = feasible_points(outcomes)
    return front_hypervolume(points, problem.reference) / problem.best_hypervolume


def with_best_known_front(problem: FrontProblem, histories: Iterable[Any]) -> FrontProblem:
    """``problem`` with the union of the feasible points of ``histories`` (lists of
    outcomes) as its front: the best-known front of a problem without a true one."""
    points = [p for history in histories for p in feasible_points(history)]
    front = np.asarray(points, dtype=float).reshape(-1, problem.n_objectives)
    best = front_hypervolume(points, problem.reference) or 1.0
    return dataclasses.replace(problem, front=lambda: front, known_hypervolume=best)
