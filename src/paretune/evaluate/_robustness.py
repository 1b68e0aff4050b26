"""Scores under perturbation and on held-apart slices, and the worst of them.

Each perturbation is applied to a copy of the validation features with a seeded generator,
so two trials see exactly the same perturbed rows:

* ``noise``: Gaussian noise on every numeric feature with standard deviation
  ``strength x`` that feature's standard deviation on the evaluation rows;
* ``missing``: that fraction of all cells set missing (NaN / None). The model must
  handle missing values (a pipeline with an imputer does);
* ``flips``: that fraction of each categorical feature's cells replaced by another
  category seen in the same column;
* ``slices``: the score on each named subset of rows (a region, a time period), given as a
  boolean mask.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np

from paretune.exceptions import EvaluationInputError


@dataclass(frozen=True)
class Robustness:
    """Which perturbations and slices to score (see the module docstring).

    Attributes:
        noise: Noise strengths, relative to each numeric feature's spread.
        missing: Fractions of cells set missing.
        flips: Fractions of categorical cells flipped to another category.
        slices: Name -> boolean mask over the evaluation rows.
        numeric: Numeric columns (names for a DataFrame, indices for an array); by default
            every numeric column.
        categorical: Categorical columns; by default every non-numeric DataFrame column.
        seed: Seed of the perturbations.
    """

    noise: Sequence[float] = (0.1, 0.3)
    missing: Sequence[float] = (0.1,)
    flips: Sequence[float] = (0.1,)
    slices: Mapping[str, Any] = field(default_factory=dict)
    numeric: Sequence[Any] | None = None
    categorical: Sequence[Any] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("noise", "missing", "flips"):
            for value in getattr(self, name):
                upper = np.inf if name == "noise" else 1.0
                if not 0 < value <= upper:
                    raise ValueError(
                        f"Robustness.{name} values must be in (0, {upper}], but got {value!r}."
                    )


def _columns(X: Any, robustness: Robustness) -> tuple[list[Any], list[Any]]:
    if hasattr(X, "columns"):
        import pandas as pd

        numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
        categorical = [c for c in X.columns if c not in numeric]
    else:
        arr = np.asarray(X)
        numeric = list(range(arr.shape[1])) if arr.dtype.kind in "fiu" else []
        categorical = []
    if robustness.numeric is not None:
        numeric = list(robustness.numeric)
    if robustness.categorical is not None:
        categorical = list(robustness.categorical)
    return numeric, categorical


def _copy(X: Any) -> Any:
    return X.copy() if hasattr(X, "copy") else np.array(X, copy=True)


def _get(X: Any, column: Any) -> np.ndarray:
    return np.asarray(X[column] if hasattr(X, "columns") else X[:, column])


def _set(X: Any, column: Any, values: np.ndarray) -> None:
    if hasattr(X, "columns"):
        X[column] = values
    else:
        X[:, column] = values


def perturbations(X: Any, robustness: Robustness) -> dict[str, Any]:
    """Name -> perturbed copy of ``X`` (``noise_0.1``, ``missing_0.1``, ``flip_0.1``)."""
    numeric, categorical = _columns(X, robustness)
    rng = np.random.default_rng(robustness.seed)
    out: dict[str, Any] = {}
    n = len(X)
    if numeric and robustness.noise:
        columns = [_get(X, column).astype(float) for column in numeric]
        values = np.column_stack(columns)
        spread = np.array([np.nanstd(c) for c in columns])  # per column: the same rounding
    for strength in robustness.noise:
        copy = _copy(X)
        if numeric:
            # One draw for all columns, column after column: the seeded stream is the same
            # as one normal draw per column.
            draws = rng.standard_normal((len(numeric), n)).T
            noisy = values + draws * (strength * spread)
            for j, column in enumerate(numeric):
                _set(copy, column, noisy[:, j])
        out[f"noise_{strength:g}"] = copy
    for fraction in robustness.missing:
        copy = _copy(X)
        if hasattr(copy, "columns"):
            for column in copy.columns:
                hit = rng.random(n) < fraction
                kind = float if column in numeric else object
                values = copy[column].to_numpy(dtype=kind, copy=True)
                values[hit] = np.nan if column in numeric else None
                copy[column] = values
        else:
            copy = copy.astype(float)
            copy[rng.random(copy.shape) < fraction] = np.nan
        out[f"missing_{fraction:g}"] = copy
    for fraction in robustness.flips if categorical else ():
        copy = _copy(X)
        for column in categorical:
            values = _get(X, column).astype(object)
            seen = np.unique(values[[v is not None for v in values]].astype(str))
            if len(seen) < 2:
                continue
            flipped = values.copy()
            for i in np.flatnonzero(rng.random(n) < fraction):
                others = seen[seen != str(values[i])]
                flipped[i] = others[rng.integers(len(others))]
            _set(copy, column, flipped)
        out[f"flip_{fraction:g}"] = copy
    return out


def robustness_scores(
    X: Any,
    y: np.ndarray,
    predict: Callable[[Any], np.ndarray],
    score: Callable[[np.ndarray, np.ndarray], float],
    robustness: Robustness,
    *,
    name: str,
    higher_is_better: bool,
) -> dict[str, float]:
    """``{name}_{perturbation}`` and ``{name}_slice[<slice>]`` scores and their worst case.

    Args:
        X: Evaluation features.
        y: Labels (0/1 for classifiers).
        predict: Features -> predictions comparable with ``y``.
        score: ``f(y, pred)``, e.g. accuracy.
        robustness: What to perturb.
        name: Score name used in the keys (``"accuracy"``).
        higher_is_better: Whether the worst case is the minimum (True) or the maximum.

    Returns:
        One entry per perturbation and slice, plus ``worst_case_{name}``.
    """
    out: dict[str, float] = {}
    for label, perturbed in perturbations(X, robustness).items():
        try:
            pred = predict(perturbed)
        except ValueError as exc:
            raise EvaluationInputError(
                f"The model failed on the {label!r} perturbation: {exc}. For missing values "
                "put an imputer in the model's pipeline, or pass Robustness(missing=())."
            ) from exc
        out[f"{name}_{label}"] = float(score(y, pred))
    for label, mask in robustness.slices.items():
        rows = np.asarray(mask, dtype=bool)
        if rows.shape != (len(y),) or not rows.any():
            raise EvaluationInputError(
                f"Slice {label!r} must be a boolean mask with one entry per row and at least "
                f"one True, but has shape {rows.shape} and {int(rows.sum())} rows selected."
            )
        subset = X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]
        out[f"{name}_slice[{label}]"] = float(score(y[rows], predict(subset)))
    if out:
        pick = min if higher_is_better else max
        out[f"worst_case_{name}"] = pick(out.values())
    return out
