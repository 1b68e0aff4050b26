"""Pareto maths against brute force and closed forms, on random fronts of 2 to 4 objectives."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from paretune.pareto import constrained_nondominated_sort
from paretune.pareto import constraint_dominates
from paretune.pareto import crowding_distance
from paretune.pareto import dominates
from paretune.pareto import hypervolume
from paretune.pareto import hypervolume_contributions
from paretune.pareto import is_pareto_efficient
from paretune.pareto import nondominated_sort


def brute_force_ranks(points: np.ndarray) -> list[int]:
    """Peel fronts one at a time with plain loops."""
    remaining = set(range(len(points)))
    ranks = [-1] * len(points)
    rank = 0
    while remaining:
        front = {
            i
            for i in remaining
            if not any(dominates(points[j], points[i]) for j in remaining if j != i)
        }
        for i in front:
            ranks[i] = rank
        remaining -= front
        rank += 1
    return ranks


def inclusion_exclusion_hv(points: np.ndarray, ref: np.ndarray) -> float:
    """Union of boxes by inclusion-exclusion: exact, exponential, for small sets."""
    pts = [p for p in points if np.all(p < ref)]
    total = 0.0
    for k in range(1, len(pts) + 1):
        for subset in itertools.combinations(pts, k):
            corner = np.max(subset, axis=0)
            total += (-1) ** (k + 1) * float(np.prod(ref - corner))
    return total


def grid_hv(points: np.ndarray, ref: np.ndarray) -> float:
    """Exact volume by summing the cells of the grid all coordinates induce."""
    pts = points[np.all(points < ref, axis=1)]
    if len(pts) == 0:
        return 0.0
    axes = [np.unique(np.append(pts[:, j], ref[j])) for j in range(ref.size)]
    total = 0.0
    for cell in itertools.product(*[range(len(a) - 1) for a in axes]):
        low = np.array([axes[j][c] for j, c in enumerate(cell)])
        high = np.array([axes[j][c + 1] for j, c in enumerate(cell)])
        if np.any(np.all(pts <= low, axis=1)):
            total += float(np.prod(high - low))
    return total


def random_front(rng: np.random.Generator, n: int, m: int, *, on_simplex: bool) -> np.ndarray:
    points = rng.random((n, m))
    if on_simplex:  # points on a concave front, many mutually non-dominated
        points = points / np.linalg.norm(points, axis=1, keepdims=True)
    return np.round(points, 3)


def test_dominates() -> None:
    assert dominates([1, 2], [2, 2])
    assert not dominates([1, 2], [1, 2])
    assert not dominates([1, 3], [2, 2])


def test_constraint_domination_rules() -> None:
    assert constraint_dominates([9, 9], 0.0, [0, 0], 0.1)  # feasible beats infeasible
    assert not constraint_dominates([0, 0], 0.1, [9, 9], 0.0)
    assert constraint_dominates([9, 9], 0.1, [0, 0], 0.5)  # smaller violation wins
    assert constraint_dominates([0, 0], 0.0, [1, 1], 0.0)  # both feasible: Pareto
    assert not constraint_dominates([0, 1], 0.0, [1, 0], 0.0)


@pytest.mark.parametrize("m", [2, 3, 4])
@pytest.mark.parametrize("seed", range(5))
def test_nondominated_sort_matches_brute_force(m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    points = rng.integers(0, 6, size=(40, m)).astype(float)  # many ties and duplicates
    assert nondominated_sort(points).tolist() == brute_force_ranks(points)
    assert is_pareto_efficient(points).tolist() == [r == 0 for r in brute_force_ranks(points)]


def test_constrained_sort_puts_feasible_first_then_by_violation() -> None:
    losses = np.array([[0.0, 0.0], [5.0, 5.0], [1.0, 2.0], [2.0, 1.0], [0.0, 0.0]])
    violations = np.array([0.3, 0.0, 0.0, 0.0, 0.1])
    ranks = constrained_nondominated_sort(losses, violations)
    assert ranks.tolist() == [3, 1, 0, 0, 2]


def test_constrained_sort_with_no_feasible_row() -> None:
    ranks = constrained_nondominated_sort([[0, 0], [1, 1], [2, 2]], [0.2, 0.1, 0.2])
    assert ranks.tolist() == [1, 0, 1]


def test_crowding_distance_closed_form() -> None:
    # Evenly spaced points on a line: interior points get 2 * spacing / range per objective.
    front = np.array([[0.0, 4.0], [1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [4.0, 0.0]])
    distance = crowding_distance(front)
    assert np.isinf(distance[[0, 4]]).all()
    np.testing.assert_allclose(distance[1:4], [1.0, 1.0, 1.0])


def test_crowding_distance_uneven_points() -> None:
    front = np.array([[0.0, 10.0], [1.0, 9.0], [1.1, 8.9], [10.0, 0.0]])
    # Objective 0 gives (1.1 - 0) / 10 and (10 - 1) / 10; objective 1 gives the same again.
    np.testing.assert_allclose(crowding_distance(front)[1:3], [0.22, 1.8])


def test_hypervolume_closed_forms() -> None:
    assert hypervolume([[0.0, 0.0]], [2.0, 3.0]) == pytest.approx(6.0)
    # Staircase of n points on x + y = 1 with reference (1, 1): a sum of rectangles.
    n = 10
    xs = np.arange(1, n + 1) / (n + 1)
    staircase = np.column_stack([xs, 1 - xs])
    expected = sum((1 - xs[i]) * ((xs[i + 1] if i + 1 < n else 1.0) - xs[i]) for i in range(n))
    assert hypervolume(staircase, [1.0, 1.0]) == pytest.approx(expected)
    # A unit cube corner in 4 objectives.
    assert hypervolume([[0.5] * 4], [1.0] * 4) == pytest.approx(0.5**4)
    # Points outside the reference box count for nothing.
    assert hypervolume([[2.0, 0.0], [0.0, 1.0]], [1.0, 1.0]) == 0.0
    assert hypervolume(np.zeros((0, 3)), [1.0, 1.0, 1.0]) == 0.0


@pytest.mark.parametrize("m", [2, 3, 4])
@pytest.mark.parametrize("seed", range(6))
def test_hypervolume_matches_inclusion_exclusion(m: int, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    points = random_front(rng, 9, m, on_simplex=seed % 2 == 0)
    ref = np.full(m, 1.1)
    assert hypervolume(points, ref) == pytest.approx(inclusion_exclusion_hv(points, ref), abs=1e-12)


@pytest.mark.parametrize("m", [2, 3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_hypervolume_matches_grid_count_on_larger_fronts(m: int, seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n = {2: 60, 3: 25, 4: 12}[m]
    points = random_front(rng, n, m, on_simplex=True)
    ref = np.full(m, 1.05)
    assert hypervolume(points, ref) == pytest.approx(grid_hv(points, ref), rel=1e-10)


def test_hypervolume_five_objectives_matches_inclusion_exclusion() -> None:
    rng = np.random.default_rng(7)
    points = random_front(rng, 7, 5, on_simplex=True)
    ref = np.full(5, 1.2)
    assert hypervolume(points, ref) == pytest.approx(inclusion_exclusion_hv(points, ref))


@pytest.mark.parametrize("m", [2, 3, 4])
def test_contributions_equal_leave_one_out_differences(m: int) -> None:
    rng = np.random.default_rng(m)
    points = random_front(rng, 8, m, on_simplex=True)
    ref = np.full(m, 1.1)
    total = hypervolume(points, ref)
    expected = [total - hypervolume(np.delete(points, i, axis=0), ref) for i in range(len(points))]
    np.testing.assert_allclose(hypervolume_contributions(points, ref), expected, atol=1e-12)


def test_contributions_of_dominated_and_duplicate_points_are_zero() -> None:
    points = np.array([[0.2, 0.8], [0.5, 0.5], [0.6, 0.6], [0.5, 0.5]])
    contributions = hypervolume_contributions(points, [1.0, 1.0])
    assert contributions[2] == 0.0
    assert contributions[1] == contributions[3] == 0.0
    assert contributions[0] == pytest.approx(0.3 * 0.2)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="do not match"):
        hypervolume([[0.0, 0.0, 0.0]], [1.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        nondominated_sort([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="finite"):
        hypervolume([[0.0, 0.0]], [np.inf, 1.0])


@pytest.mark.parametrize("m", [2, 3])
def test_sort_can_stop_once_enough_rows_are_ranked(m: int) -> None:
    rng = np.random.default_rng(m)
    points = rng.integers(0, 8, size=(200, m)).astype(float)
    full = nondominated_sort(points)
    partial = nondominated_sort(points, stop_after=10)
    cut = partial.max()
    assert (partial[full < cut] == full[full < cut]).all()  # exact below the cut
    assert (partial[full >= cut] == cut).all()  # everything else shares the next rank
    assert (partial < cut).sum() >= 10 or cut == full.max()
