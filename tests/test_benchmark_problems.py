"""The samplers benchmark's OSY and C2-DTLZ2: their fronts and the hypervolumes scored on them."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from constrained_problems import C2_BEST_HYPERVOLUME
from constrained_problems import CONSTRAINED_PROBLEMS
from constrained_problems import OSY_BOUNDS
from constrained_problems import c2_front
from constrained_problems import c2_violation
from constrained_problems import hypervolume_3d_sweep
from constrained_problems import osy_evaluate
from constrained_problems import osy_front
from paretune.pareto import hypervolume
from paretune.pareto import is_pareto_efficient


def _osy_random(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    low, high = np.array(OSY_BOUNDS).T
    x = low + (high - low) * rng.random((n, 6))
    objectives, constraints = osy_evaluate({f"x{i}": x[:, i] for i in range(6)})
    return np.column_stack(objectives), np.column_stack(constraints)


def test_osy_front_spans_the_known_ends_and_no_random_feasible_point_beats_it() -> None:
    front = osy_front()
    assert front[:, 0].min() == pytest.approx(-274.0) and front[:, 0].max() == pytest.approx(-42.0)
    assert front[:, 1].min() == pytest.approx(4.0) and front[:, 1].max() == pytest.approx(76.0)
    objectives, constraints = _osy_random(200_000)
    feasible = objectives[np.all(constraints <= 0, axis=1)]
    assert 0.01 < len(feasible) / 200_000 < 0.06  # a hard problem: about 3% is feasible
    both = np.vstack([front, feasible])
    assert not is_pareto_efficient(both)[len(front) :].any()


def test_osy_front_is_feasible_and_a_vertex_scores_as_computed_by_hand() -> None:
    problem = CONSTRAINED_PROBLEMS["OSY"]
    # x = (5, 1, 5, 0, 5, 0): an end of the first segment, on three constraint boundaries.
    objectives, constraints = problem.evaluate(
        {"x0": 5.0, "x1": 1.0, "x2": 5.0, "x3": 0.0, "x4": 5.0, "x5": 0.0}
    )
    assert objectives == [-274.0, 76.0]
    assert max(constraints) == 0.0
    assert problem.best_hypervolume == pytest.approx(hypervolume(osy_front(), (0.0, 80.0)))


def test_c2_keeps_the_corner_and_centre_caps_and_nothing_between() -> None:
    inside = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [3**-0.5] * 3])
    between = np.array([[2**-0.5, 2**-0.5, 0.0]])  # the middle of an edge of the octant
    assert np.all(c2_violation(inside) < 0)
    assert np.all(c2_violation(between) > 0)
    evaluate = CONSTRAINED_PROBLEMS["C2-DTLZ2"].evaluate
    on_edge = {"x0": 0.0, **{f"x{i}": 0.5 for i in range(1, 7)}}  # f = (0.71, 0.71, 0)
    objectives, constraints = evaluate(on_edge)
    assert objectives == pytest.approx([2**-0.5, 2**-0.5, 0.0])  # on the sphere: g = 0
    assert constraints[0] > 0
    objectives, constraints = evaluate({f"x{i}": 0.5 for i in range(7)})  # near the centre
    assert constraints[0] < 0


def test_sweep_hypervolume_equals_paretunes_exact_routine() -> None:
    rng = np.random.default_rng(3)
    reference = np.array([1.1, 1.1, 1.1])
    for size in (1, 2, 7, 40, 150):
        points = rng.random((size, 3)) * 1.2  # some beyond the reference
        assert hypervolume_3d_sweep(points, reference) == pytest.approx(
            hypervolume(points, reference), rel=1e-12, abs=1e-15
        )
    sphere = c2_front(2000)
    assert hypervolume_3d_sweep(sphere, reference) == pytest.approx(
        hypervolume(sphere, reference), rel=1e-12
    )


def test_c2_best_hypervolume_bounds_the_sampled_fronts_from_just_above() -> None:
    reference = np.array([1.1, 1.1, 1.1])
    coarse = hypervolume_3d_sweep(c2_front(10**5), reference)
    finer = hypervolume_3d_sweep(c2_front(4 * 10**5), reference)
    assert coarse < finer < C2_BEST_HYPERVOLUME
    # The gap to the limit halves when the sample quadruples: what is left of it after
    # the finer sample is about the step from the coarse one.
    assert C2_BEST_HYPERVOLUME - finer == pytest.approx(finer - coarse, rel=0.5)
