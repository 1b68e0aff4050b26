"""Predictive metrics by name, each a scikit-learn metric or a documented formula.

A classifier metric takes ``(y, pred, proba)``: 0/1 labels, 0/1 predictions and
positive-class probabilities (None when the metric does not need them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paretune.evaluate._calibration import brier_score
from paretune.evaluate._calibration import expected_calibration_error


@dataclass(frozen=True)
class _Metric:
    compute: Callable[[np.ndarray, np.ndarray, np.ndarray | None], float]
    needs_proba: bool = False


def _sk(name: str) -> Callable[..., float]:
    from sklearn import metrics

    return getattr(metrics, name)  # type: ignore[no-any-return]


def _given(proba: np.ndarray | None) -> np.ndarray:
    if proba is None:  # the caller computes probabilities for every needs_proba metric
        raise ValueError("this metric needs predicted probabilities")
    return proba


CLASSIFIER_METRICS: dict[str, _Metric] = {
    "accuracy": _Metric(lambda y, p, s: _sk("accuracy_score")(y, p)),
    "balanced_accuracy": _Metric(lambda y, p, s: _sk("balanced_accuracy_score")(y, p)),
    "f1": _Metric(lambda y, p, s: _sk("f1_score")(y, p, zero_division=0.0)),
    "precision": _Metric(lambda y, p, s: _sk("precision_score")(y, p, zero_division=0.0)),
    "recall": _Metric(lambda y, p, s: _sk("recall_score")(y, p, zero_division=0.0)),
    "roc_auc": _Metric(lambda y, p, s: _sk("roc_auc_score")(y, s), needs_proba=True),
    "log_loss": _Metric(lambda y, p, s: _sk("log_loss")(y, s, labels=[0, 1]), needs_proba=True),
    "expected_calibration_error": _Metric(
        lambda y, p, s: expected_calibration_error(y, _given(s)), needs_proba=True
    ),
    "brier_score": _Metric(lambda y, p, s: brier_score(y, _given(s)), needs_proba=True),
}
"""Classifier metric name -> how to compute it (sklearn names without ``_score``)."""

REGRESSOR_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "rmse": lambda y, p: float(np.sqrt(np.mean((y - p) ** 2))),
    "mae": lambda y, p: float(np.mean(np.abs(y - p))),
    "r2": lambda y, p: _sk("r2_score")(y, p),
}
"""Regressor metric name -> ``f(y, pred)``."""
