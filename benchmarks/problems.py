"""Synthetic problems with known or best-known Pareto fronts, shared by the benchmarks.

Each is a :class:`harness.problem.FrontProblem`: it suggests its parameters through a
``trial`` (paretune's or Optuna's) and returns objective values (all minimised) and
constraint values (feasible when ``<= 0``). ``best_hypervolume`` is the hypervolume of the
true front (ZDT, DTLZ) or of a dense sample of the feasible space (constrained and mixed
problems), against ``reference``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from harness.problem import Evaluation
from harness.problem import FrontProblem


def front_2d(points: np.ndarray) -> np.ndarray:
    """Non-dominated rows of a large 2-objective sample, by one sort and a sweep."""
    ordered = points[np.lexsort((points[:, 1], points[:, 0]))]
    best_before = np.concatenate([[np.inf], np.minimum.accumulate(ordered[:-1, 1])])
    return ordered[ordered[:, 1] < best_before]


# ---- ZDT (2 objectives, continuous) ------------------------------------------------------
def _zdt(kind: int, dim: int = 8) -> FrontProblem:
    def suggest(trial: Any) -> dict[str, Any]:
        return {f"x{i}": trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(dim)}

    def evaluate(p: dict[str, Any]) -> Evaluation:
        x = np.array([p[f"x{i}"] for i in range(dim)])
        f1 = x[0]
        g = 1.0 + 9.0 * x[1:].mean()
        if kind == 1:
            f2 = g * (1.0 - math.sqrt(f1 / g))
        elif kind == 2:
            f2 = g * (1.0 - (f1 / g) ** 2)
        else:
            f2 = g * (1.0 - math.sqrt(f1 / g) - (f1 / g) * math.sin(10 * math.pi * f1))
        return [float(f1), float(f2)], []

    def front() -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, 20001)
        if kind == 1:
            return np.column_stack([f1, 1 - np.sqrt(f1)])
        if kind == 2:
            return np.column_stack([f1, 1 - f1**2])
        return front_2d(np.column_stack([f1, 1 - np.sqrt(f1) - f1 * np.sin(10 * np.pi * f1)]))

    # A reference of f2 = 4 (g up to about 4) keeps early fronts measurable; with the
    # customary (1.1, 1.1) no contender scores above 0 within 100 evaluations.
    return FrontProblem(f"ZDT{kind}", 2, 0, suggest, evaluate, (1.1, 4.0), front)


# ---- DTLZ2 (3 objectives) ----------------------------------------------------------------
def _dtlz2(dim: int = 7) -> FrontProblem:
    def suggest(trial: Any) -> dict[str, Any]:
        return {f"x{i}": trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(dim)}

    def evaluate(p: dict[str, Any]) -> Evaluation:
        x = np.array([p[f"x{i}"] for i in range(dim)])
        g = float(np.sum((x[2:] - 0.5) ** 2))
        a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
        return [
            (1 + g) * math.cos(a) * math.cos(b),
            (1 + g) * math.cos(a) * math.sin(b),
            (1 + g) * math.sin(a),
        ], []

    def front() -> np.ndarray:
        a, b = np.meshgrid(np.linspace(0, np.pi / 2, 60), np.linspace(0, np.pi / 2, 60))
        a, b = a.ravel(), b.ravel()
        return np.column_stack([np.cos(a) * np.cos(b), np.cos(a) * np.sin(b), np.sin(a)])

    # The front is the unit sphere's positive octant: 1.1^3 minus an eighth of the ball.
    exact = 1.1**3 - math.pi / 6
    return FrontProblem("DTLZ2", 3, 0, suggest, evaluate, (1.1, 1.1, 1.1), front, exact)


# ---- constrained 2-variable problems -----------------------------------------------------
def grid_front(
    evaluate: Callable[[dict[str, Any]], Evaluation],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    n: int = 1500,
) -> np.ndarray:
    xs, ys = np.meshgrid(np.linspace(*x_range, n), np.linspace(*y_range, n))
    objs, cons = evaluate({"x": xs.ravel(), "y": ys.ravel()})  # vectorised
    feasible = np.all(np.asarray(cons) <= 0, axis=0)
    return front_2d(np.column_stack(objs)[feasible])


def _two_var(
    name: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    evaluate: Callable[[dict[str, Any]], Evaluation],
    reference: tuple[float, float],
) -> FrontProblem:
    def suggest(trial: Any) -> dict[str, Any]:
        return {
            "x": trial.suggest_float("x", *x_range),
            "y": trial.suggest_float("y", *y_range),
        }

    front = functools.cache(lambda: grid_front(evaluate, x_range, y_range))
    return FrontProblem(name, 2, 2, suggest, evaluate, reference, front)


def _bnh(p: dict[str, Any]) -> Evaluation:
    x, y = p["x"], p["y"]
    return [4 * x * x + 4 * y * y, (x - 5) ** 2 + (y - 5) ** 2], [
        (x - 5) ** 2 + y * y - 25,
        7.7 - ((x - 8) ** 2 + (y + 3) ** 2),
    ]


def _srn(p: dict[str, Any]) -> Evaluation:
    x, y = p["x"], p["y"]
    return [2 + (x - 2) ** 2 + (y - 1) ** 2, 9 * x - (y - 1) ** 2], [
        x * x + y * y - 225,
        x - 3 * y + 10,
    ]


def _tnk(p: dict[str, Any]) -> Evaluation:
    x, y = p["x"], p["y"]
    return [x, y], [
        -(x * x + y * y - 1 - 0.1 * np.cos(16 * np.arctan2(x, y))),
        (x - 0.5) ** 2 + (y - 0.5) ** 2 - 0.5,
    ]


# ---- a mixed, conditional space ----------------------------------------------------------
def _mixed() -> FrontProblem:
    """Choose a model family with its own knobs: error vs cost under a cost budget."""

    def suggest(trial: Any) -> dict[str, Any]:
        p: dict[str, Any] = {
            "family": trial.suggest_categorical("family", ["linear", "tree", "knn"]),
            "lr": trial.suggest_float("lr", 1e-4, 1.0, log=True),
            "width": trial.suggest_int("width", 1, 64, log=True),
        }
        if p["family"] == "tree":
            p["depth"] = trial.suggest_int("depth", 1, 12)
        elif p["family"] == "knn":
            p["k"] = trial.suggest_int("k", 1, 50)
        else:
            p["l2"] = trial.suggest_float("l2", 1e-6, 1.0, log=True)
        return p

    def evaluate(p: dict[str, Any]) -> Evaluation:
        lr_term = (math.log10(p["lr"]) + 2.0) ** 2 / 4.0  # best near lr = 1e-2
        capacity = math.log2(p["width"]) / 6.0
        if p["family"] == "tree":
            fit = 0.35 * math.exp(-0.35 * p["depth"]) + 0.08
            cost = 0.2 * p["depth"] * (1 + capacity)
        elif p["family"] == "knn":
            fit = 0.12 + 0.004 * abs(p["k"] - 15)
            cost = 1.5 + 0.02 * p["k"]
        else:
            fit = 0.2 + 0.1 * abs(math.log10(p["l2"]) + 3.0) / 3.0
            cost = 0.3 * (1 + capacity)
        error = fit * (1.0 + 0.5 * (1 - capacity)) + 0.05 * lr_term
        return [error, cost], [cost - 2.0]

    def front() -> np.ndarray:
        rng = np.random.default_rng(0)
        points = []
        for family in ("linear", "tree", "knn"):
            for _ in range(30000):
                p: dict[str, Any] = {
                    "family": family,
                    "lr": 10 ** rng.uniform(-4, 0),
                    "width": round(math.exp(rng.uniform(math.log(0.5), math.log(64.5)))),
                    "depth": int(rng.integers(1, 13)),
                    "k": int(rng.integers(1, 51)),
                    "l2": 10 ** rng.uniform(-6, 0),
                }
                p["width"] = min(max(p["width"], 1), 64)
                objs, cons = evaluate(p)
                if cons[0] <= 0:
                    points.append(objs)
        return front_2d(np.asarray(points))

    return FrontProblem("Mixed", 2, 1, suggest, evaluate, (0.6, 2.2), functools.cache(front))


PROBLEMS: dict[str, FrontProblem] = {
    p.name: p
    for p in (
        _zdt(1),
        _zdt(2),
        _zdt(3),
        _dtlz2(),
        _two_var("BNH", (0.0, 5.0), (0.0, 3.0), _bnh, (140.0, 55.0)),
        _two_var("SRN", (-20.0, 20.0), (-20.0, 20.0), _srn, (250.0, 50.0)),
        _two_var("TNK", (1e-6, math.pi), (1e-6, math.pi), _tnk, (1.2, 1.2)),
        _mixed(),
    )
}
"""Every synthetic problem, by name."""
