"""Fast rescoring of fixed predictions on bootstrap resamples of the rows.

Point estimates come from fairlearn and scikit-learn (:func:`classifier`). Rescoring a
resample hundreds of times through fairlearn's ``MetricFrame`` costs about a second each,
so the resamples use confusion counts per group instead: the same definitions (rates per
group; a difference is the largest minus the smallest group value, a ratio the smallest
over the largest, the equalized-odds figures the worse of the TPR and FPR ones). The tests
check that on the original rows these counts reproduce fairlearn's figures exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paretune.evaluate._fairness import CLASSIFIER_FAIRNESS
from paretune.evaluate._fairness import figure_from_rates
from paretune.evaluate._predictive import CLASSIFIER_METRICS

if TYPE_CHECKING:
    import pandas as pd

_COUNTED = ("accuracy", "balanced_accuracy", "f1", "precision", "recall")


def _safe(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1e-300), np.nan)


def _rates(counts: np.ndarray) -> dict[str, np.ndarray]:
    """``counts[..., 4]`` = (tn, fp, fn, tp) -> accuracy, selection, TPR, FPR."""
    tn, fp, fn, tp = np.moveaxis(counts.astype(float), -1, 0)
    n = tn + fp + fn + tp
    return {
        "accuracy": _safe(tn + tp, n),
        "selection_rate": _safe(fp + tp, n),
        "true_positive_rate": _safe(tp, tp + fn),
        "false_positive_rate": _safe(fp, fp + tn),
    }


class CountScorer:
    """Rescores 0/1 predictions on any subset of rows from per-group confusion counts.

    Args:
        y: 0/1 labels.
        pred: 0/1 predictions.
        proba: Positive-class probabilities (for probability metrics) or None.
        sensitive: Sensitive features (the headline uses their intersection).
        names: Metric names to compute.
    """

    def __init__(
        self,
        y: np.ndarray,
        pred: np.ndarray,
        proba: np.ndarray | None,
        sensitive: pd.DataFrame | None,
        names: Sequence[str],
    ) -> None:
        self._y, self._pred, self._proba = y, pred, proba
        self._cell = (2 * y + pred).astype(int)
        self._names = list(names)
        self._views: list[tuple[str, np.ndarray, int]] = []
        if sensitive is not None:
            several = sensitive.shape[1] > 1
            headline = sensitive.apply(" & ".join, axis=1) if several else sensitive.iloc[:, 0]
            columns = [("", headline)]
            if several:
                columns += [(f"[{c}]", sensitive[c]) for c in sensitive.columns]
            for suffix, values in columns:
                _, codes = np.unique(values.to_numpy(), return_inverse=True)
                self._views.append((suffix, codes, int(codes.max()) + 1))

    def __call__(self, rows: np.ndarray) -> dict[str, float]:
        """Every requested figure on ``rows`` (indices, repeats allowed)."""
        out: dict[str, float] = {}
        cells = self._cell[rows]
        tn, fp, fn, tp = np.bincount(cells, minlength=4).astype(float)
        overall = {
            "accuracy": (tn + tp) / len(rows),
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
            "balanced_accuracy": 0.5
            * ((tp / (tp + fn) if tp + fn else 0.0) + (tn / (tn + fp) if tn + fp else 0.0)),
        }
        for name in self._names:
            if name in _COUNTED:
                out[name] = float(overall[name])
            elif name in CLASSIFIER_METRICS and self._proba is not None:
                metric = CLASSIFIER_METRICS[name]
                out[name] = float(
                    metric.compute(self._y[rows], self._pred[rows], self._proba[rows])
                )
        fair = [n for n in self._names if n in CLASSIFIER_FAIRNESS]
        for suffix, codes, n_groups in self._views:
            counts = np.bincount(codes[rows] * 4 + cells, minlength=4 * n_groups)
            rates = _rates(counts.reshape(n_groups, 4))
            present = counts.reshape(n_groups, 4).sum(axis=1) > 0
            for name in fair:
                out[name + suffix] = _figure(name, {k: v[present] for k, v in rates.items()})
        return out


def _figure(name: str, rates: dict[str, np.ndarray]) -> float:
    def difference(key: str) -> float:
        return float(np.nanmax(rates[key]) - np.nanmin(rates[key]))

    def ratio(key: str) -> float:
        top = np.nanmax(rates[key])
        return float(np.nanmin(rates[key]) / top) if top > 0 else float("nan")

    return figure_from_rates(name, difference, ratio, lambda k: float(np.nanmin(rates[k])))
