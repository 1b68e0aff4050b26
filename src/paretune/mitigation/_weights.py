"""Giving fairlearn's per-row weights to an estimator, a ``Pipeline`` included.

fairlearn's reductions call ``estimator.fit(X, y, sample_weight=w)`` on every round.
``Pipeline.fit`` refuses a bare ``sample_weight``, so :class:`LastStepWeights` stands in
for a pipeline: it fits the pipeline's leading steps as ``Pipeline.fit`` would (without
weights, which transformers have no use for) and hands the weights to the last step. It
calls the steps directly, so it works whether scikit-learn's metadata routing is enabled or
not.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.base import ClassifierMixin
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import has_fit_parameter

from paretune.exceptions import MitigationInputError


def _missing_weights(estimator: Any) -> str | None:
    """Why ``estimator`` cannot be fitted with ``sample_weight``; None when it can."""
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        if last is None or last == "passthrough":
            return f"the Pipeline's last step {name!r} is 'passthrough', not a classifier"
        reason = _missing_weights(last)
        return None if reason is None else f"the Pipeline's last step {name!r}: {reason}"
    if not has_fit_parameter(estimator, "sample_weight"):
        return f"{type(estimator).__name__}.fit takes no sample_weight"
    return None


def check_sample_weight(estimator: Any, *, who: str) -> None:
    """Raise unless ``estimator`` (or a Pipeline's last step) takes ``sample_weight``.

    Raises:
        MitigationInputError: Naming the estimator and the ways out.
    """
    reason = _missing_weights(estimator)
    if reason is not None:
        raise MitigationInputError(
            f"{who} reweights the training rows on every round, so the estimator's fit "
            f"must take sample_weight, but {reason}. Use a classifier that does "
            "(LogisticRegression, HistGradientBoostingClassifier, ...), wrap it in a "
            "Pipeline whose last step accepts sample_weight, or use GroupThresholds, which "
            "only needs the fitted model's scores."
        )


def weighted_learner(estimator: Any) -> Any:
    """What to hand fairlearn: a Pipeline wrapped in :class:`LastStepWeights`, else as is."""
    return LastStepWeights(estimator) if isinstance(estimator, Pipeline) else estimator


def fit_weighted(estimator: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    """Fit ``estimator`` in place, the weights going to a Pipeline's last step only."""
    if not isinstance(estimator, Pipeline):
        return estimator.fit(X, y, sample_weight=sample_weight)
    Xt = estimator[:-1].fit_transform(X, y) if len(estimator) > 1 else X
    fit_weighted(estimator.steps[-1][1], Xt, y, sample_weight)
    return estimator


class LastStepWeights(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A classifier Pipeline whose ``fit`` takes ``sample_weight`` for its last step.

    Args:
        pipeline: An unfitted ``Pipeline`` whose last step's ``fit`` takes
            ``sample_weight`` (nested pipelines are followed to their last step).
    """

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LastStepWeights:
        """Fit a clone of the pipeline; the leading steps see no weights."""
        self.pipeline_ = fit_weighted(clone(self.pipeline), X, y, sample_weight)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The fitted pipeline's predictions."""
        return np.asarray(self.pipeline_.predict(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """The fitted pipeline's class probabilities."""
        return np.asarray(self.pipeline_.predict_proba(X))
