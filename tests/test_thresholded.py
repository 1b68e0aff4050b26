"""The demo's thresholded classifier predicts what scikit-learn's FixedThresholdClassifier does."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier

from paretune._thresholded import ThresholdedClassifier


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.5, 0.8, 1.0])
def test_predictions_match_scikit_learns_fixed_threshold(threshold: float) -> None:
    X, y = make_classification(n_samples=400, random_state=0)
    labels = np.where(y == 1, "yes", "no")  # string classes: the mapping must hold too
    ours = ThresholdedClassifier(LogisticRegression(), threshold=threshold).fit(X, labels)
    theirs = FixedThresholdClassifier(
        LogisticRegression(), threshold=threshold, response_method="predict_proba"
    ).fit(X, labels)
    assert np.array_equal(ours.predict(X), theirs.predict(X))
    assert np.allclose(ours.predict_proba(X), theirs.predict_proba(X))
    assert list(ours.classes_) == ["no", "yes"]


def test_a_fitted_model_survives_pickling() -> None:
    X, y = make_classification(n_samples=200, random_state=1)
    model = ThresholdedClassifier(LogisticRegression(), threshold=0.3).fit(X, y)
    copy = pickle.loads(pickle.dumps(model))
    assert np.array_equal(copy.predict(X), model.predict(X))
    assert 0 < model.predict(X).sum() < len(X)


def test_bad_threshold_and_multiclass_targets_are_refused() -> None:
    X, y = make_classification(n_samples=300, n_classes=3, n_informative=4, random_state=2)
    with pytest.raises(ValueError, match="exactly two classes, got 3"):
        ThresholdedClassifier(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\], got 1.5"):
        ThresholdedClassifier(LogisticRegression(), threshold=1.5).fit(X, y % 2)
