"""A binary classifier with a tuned decision threshold and little per-call overhead."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.base import ClassifierMixin
from sklearn.base import clone


class ThresholdedClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Predicts the second class when its probability is at least ``threshold``.

    The same rule as scikit-learn's ``FixedThresholdClassifier(estimator, threshold=t,
    response_method="predict_proba")`` for a binary problem, without that class's
    per-call checks of the target type and response method, which can cost more than a
    single-row prediction of a linear model or a small MLP, and so dominate what a latency
    constraint measures. The wrapped estimator still validates its own input.

    Args:
        estimator: An unfitted scikit-learn classifier with ``predict_proba``.
        threshold: Probability of ``classes_[1]`` from which it is predicted.
    """

    def __init__(self, estimator: Any, *, threshold: float = 0.5) -> None:
        self.estimator = estimator
        self.threshold = threshold

    def fit(self, X: Any, y: Any) -> ThresholdedClassifier:
        """Fit a clone of ``estimator``; the problem must have exactly two classes."""
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}.")
        estimator = clone(self.estimator).fit(X, y)
        if len(estimator.classes_) != 2:
            raise ValueError(
                f"ThresholdedClassifier needs exactly two classes, got {len(estimator.classes_)}."
            )
        self.estimator_ = estimator
        self.classes_ = estimator.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """The wrapped estimator's class probabilities."""
        proba: np.ndarray = self.estimator_.predict_proba(X)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where its probability reaches ``threshold``, else ``classes_[0]``."""
        labels: np.ndarray = self.classes_[
            (self.estimator_.predict_proba(X)[:, 1] >= self.threshold).astype(np.intp)
        ]
        return labels
