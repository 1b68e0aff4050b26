"""Two harder constrained problems for the samplers benchmark: OSY and C2-DTLZ2.

Kept apart from ``problems.py`` for their length: closed-form front, exact 3-D sweep.

* **OSY** (Osyczka and Kundu 1995): six variables, two objectives and six constraints
  (two of them nonlinear); only about 3% of the box is feasible, and the front is five
  segments on the constraints' boundaries, known in closed form (Deb 2001, section 8.7),
  so random proposals find almost nothing within 100 evaluations.
* **C2-DTLZ2** (Jain and Deb 2014): DTLZ2's three objectives, with one constraint on the
  objectives that keeps only four disconnected caps of the front: around each of the three
  corners and around the centre, radius ``r = 0.4``.

Constraint values are feasible when ``<= 0``, as everywhere in the benchmarks.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import numpy as np

from harness.problem import FrontProblem
from problems import front_2d

# ---- OSY ---------------------------------------------------------------------------------
OSY_BOUNDS = ((0.0, 10.0), (0.0, 10.0), (1.0, 5.0), (0.0, 6.0), (1.0, 5.0), (0.0, 10.0))


def _osy_suggest(trial: Any) -> dict[str, Any]:
    return {f"x{i}": trial.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(OSY_BOUNDS)}


def osy_evaluate(p: dict[str, Any]) -> tuple[list[float], list[float]]:
    """OSY's two objectives and six constraint values (feasible when ``<= 0``); the
    parameters may be arrays of equal shape (vectorised)."""
    x1, x2, x3, x4, x5, x6 = (p[f"x{i}"] for i in range(6))
    f1 = -(25 * (x1 - 2) ** 2 + (x2 - 2) ** 2 + (x3 - 1) ** 2 + (x4 - 4) ** 2 + (x5 - 1) ** 2)
    f2 = x1**2 + x2**2 + x3**2 + x4**2 + x5**2 + x6**2
    return [f1, f2], [
        2 - x1 - x2,
        x1 + x2 - 6,
        x2 - x1 - 2,
        x1 - 3 * x2 - 2,
        (x3 - 3) ** 2 + x4 - 4,
        4 - (x5 - 3) ** 2 - x6,
    ]


def osy_front(n: int = 4001) -> np.ndarray:
    """OSY's Pareto front: its five segments in closed form, ``n`` points each.

    With ``x4 = x6 = 0`` throughout: ``x1 = 5, x2 = 1, x5 = 5`` and ``x1 = 5, x2 = 1,
    x5 = 1`` with ``x3`` in [1, 5]; ``x2 = (x1 - 2) / 3`` for ``x1`` in [4.056, 5];
    ``x1 = 0, x2 = 2`` with ``x3`` in [1, 3.732]; ``x2 = 2 - x1`` for ``x1`` in [0, 1],
    the last three with ``x3 = x5 = 1``. (An epsilon-constraint check with SLSQP from 40
    random starts at 30 levels of ``f2`` found nothing better than this front by more
    than its spacing, 0.03 in ``f1``.)
    """
    t = np.linspace(0.0, 1.0, n)
    one, zero = np.ones_like(t), np.zeros_like(t)
    left = 4.056 + (5 - 4.056) * t
    segments = [
        (5 * one, one, 1 + 4 * t, 5 * one),
        (5 * one, one, 1 + 4 * t, one),
        (left, (left - 2) / 3, one, one),
        (zero, 2 * one, 1 + 2.732 * t, one),
        (t, 2 - t, one, one),
    ]
    points = []
    for x1, x2, x3, x5 in segments:
        objectives, _ = osy_evaluate(
            {"x0": x1, "x1": x2, "x2": x3, "x3": zero, "x4": x5, "x5": zero}
        )
        points.append(np.column_stack(objectives))
    return front_2d(np.vstack(points))


# ---- C2-DTLZ2 ----------------------------------------------------------------------------
C2_RADIUS = 0.4
"""Radius of the feasible caps for three objectives (Jain and Deb 2014)."""

C2_DIM = 7
"""Variables, as in ``problems.py``'s DTLZ2."""


def c2_violation(objectives: np.ndarray) -> np.ndarray:
    """C2-DTLZ2's constraint value for rows of objectives: ``<= 0`` inside a cap around a
    corner (``(f_i - 1)^2 + sum_{j != i} f_j^2 <= r^2``) or the centre
    (``sum_i (f_i - 1 / sqrt(3))^2 <= r^2``)."""
    f = np.atleast_2d(objectives)
    squares = f**2
    corner = ((f - 1) ** 2 + squares.sum(axis=1, keepdims=True) - squares).min(axis=1)
    centre = ((f - 1 / math.sqrt(f.shape[1])) ** 2).sum(axis=1)
    return np.minimum(corner, centre) - C2_RADIUS**2


def _c2_suggest(trial: Any) -> dict[str, Any]:
    return {f"x{i}": trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(C2_DIM)}


def c2_evaluate(p: dict[str, Any]) -> tuple[list[float], list[float]]:
    """DTLZ2's three objectives and the C2 constraint value (feasible when ``<= 0``)."""
    x = np.array([p[f"x{i}"] for i in range(C2_DIM)])
    g = float(np.sum((x[2:] - 0.5) ** 2))
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    f = [
        (1 + g) * math.cos(a) * math.cos(b),
        (1 + g) * math.cos(a) * math.sin(b),
        (1 + g) * math.sin(a),
    ]
    return f, [float(c2_violation(np.array(f))[0])]


def c2_front(n: int) -> np.ndarray:
    """Feasible points of the unit sphere's positive octant, from a Fibonacci lattice of
    ``8 n`` points on the whole sphere (about ``n`` in the octant). Off the sphere nothing
    is on the front: every feasible point there is dominated by a feasible one on it
    (checked on spheres scaled by 1 to 1.4)."""
    i = np.arange(8 * n) + 0.5
    polar = np.arccos(1 - 2 * i / (8 * n))
    azimuth = math.pi * (1 + math.sqrt(5)) * i
    points = np.column_stack(
        [np.cos(azimuth) * np.sin(polar), np.sin(azimuth) * np.sin(polar), np.cos(polar)]
    )
    points = points[np.all(points >= 0, axis=1)]
    return points[c2_violation(points) <= 0]


def hypervolume_3d_sweep(points: np.ndarray, reference: np.ndarray) -> float:
    """Exact 3-objective hypervolume of many points: a sweep up the third objective that
    keeps the 2-D staircase of the points below and its area up to date, one insertion
    at a time (paretune's own 3-D routine recomputes each slice and needs minutes for the
    tens of thousands of points a dense front sample has)."""
    pts = points[np.all(points < reference, axis=1)]
    pts = pts[np.argsort(pts[:, 2], kind="stable")]
    xs: list[float] = []  # the staircase: x increasing, y decreasing
    ys: list[float] = []
    area = volume = 0.0
    for i, (x, y, z) in enumerate(pts.tolist()):
        k = bisect.bisect_right(xs, x)
        if not (k > 0 and ys[k - 1] <= y):  # not dominated by a point below
            end = k
            while end < len(xs) and ys[end] >= y:
                end += 1  # steps that (x, y) dominates
            left_x, top = x, ys[k - 1] if k > 0 else reference[1]
            for m in range(k, end):
                area += (xs[m] - left_x) * (top - y)
                left_x, top = xs[m], ys[m]
            right = xs[end] if end < len(xs) else reference[0]
            area += (right - left_x) * (top - y)
            xs[k:end], ys[k:end] = [x], [y]
        top_z = pts[i + 1, 2] if i + 1 < len(pts) else reference[2]
        volume += area * (top_z - z)
    return float(volume)


C2_BEST_HYPERVOLUME = 0.7297
"""The front's hypervolume against (1.1, 1.1, 1.1). :func:`hypervolume_3d_sweep` of
:func:`c2_front` gives 0.72795, 0.72884, 0.72925 and 0.72946 at ``n`` = 1e5, 4e5, 1.6e6
and 6.4e6: the gap halves each time ``n`` quadruples, so the limit is 0.7297 to within
1e-4 (``tests/test_benchmark_problems.py`` checks the first two)."""

CONSTRAINED_PROBLEMS: dict[str, FrontProblem] = {
    "OSY": FrontProblem("OSY", 2, 6, _osy_suggest, osy_evaluate, (0.0, 80.0), osy_front),
    "C2-DTLZ2": FrontProblem(
        "C2-DTLZ2",
        3,
        1,
        _c2_suggest,
        c2_evaluate,
        (1.1, 1.1, 1.1),
        lambda: c2_front(10**5),
        C2_BEST_HYPERVOLUME,
    ),
}
"""The two problems, by name. OSY's reference (0, 80): ``f1`` is never above 0 and the
front's ``f2`` reaches 76, so any feasible point with ``f2 < 80`` scores."""
