"""Tiny estimators whose behaviour a test can dial: slow fits, failing fits, row counts."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.base import ClassifierMixin
from sklearn.linear_model import LogisticRegression


class Dial(ClassifierMixin, BaseEstimator):
    """Logistic regression that can sleep in ``fit`` and fail on purpose, and remembers
    how many rows it was fitted on."""

    def __init__(self, C: float = 1.0, delay: float = 0.0, fail: bool = False) -> None:
        self.C = C
        self.delay = delay
        self.fail = fail

    def fit(self, X: Any, y: Any) -> Dial:
        if self.fail:
            raise RuntimeError("failing on purpose")
        time.sleep(self.delay)
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        self.n_rows_ = len(y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        prediction: np.ndarray = self.model_.predict(X)
        return prediction


def rows_seen(estimator: Any, X: Any, y: Any) -> float:
    """A scorer: the number of rows the estimator was fitted on."""
    return float(estimator.n_rows_)
