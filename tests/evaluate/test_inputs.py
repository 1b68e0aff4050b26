"""Bad input gets an error that names the problem."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.svm import LinearSVC

import paretune as pt
from paretune.exceptions import EvaluationInputError


def test_misaligned_labels(credit: Any, fitted: Any) -> None:
    val = credit.validation
    with pytest.raises(EvaluationInputError, match="y has 199 rows but X has 200"):
        pt.evaluate.classifier(fitted, val.X, val.y[:-1], metrics=["accuracy"])


def test_misaligned_sensitive_features(credit: Any, fitted: Any) -> None:
    val = credit.validation
    with pytest.raises(EvaluationInputError, match="sensitive_features has 10 rows"):
        pt.evaluate.classifier(fitted, val.X, val.y, sensitive_features=val.sensitive[:10])


def test_sensitive_feature_with_one_group(credit: Any, fitted: Any) -> None:
    val = credit.validation
    with pytest.raises(EvaluationInputError, match="'sex9' has a single group"):
        pt.evaluate.classifier(
            fitted, val.X, val.y, sensitive_features={"sex9": ["male"] * len(val)}
        )


def test_sensitive_feature_with_missing_values(credit: Any, fitted: Any) -> None:
    val = credit.validation
    groups = val.sensitive["sex9"].astype(object).copy()
    groups.iloc[[3, 7]] = None
    with pytest.raises(EvaluationInputError, match=r"'sex9' \(2 rows\) have missing values"):
        pt.evaluate.classifier(
            fitted, val.X, val.y, sensitive_features=groups, metrics=["accuracy"]
        )


def test_nan_predictions(credit: Any) -> None:
    class Broken:
        def predict(self, X: Any) -> np.ndarray:
            return np.full(len(X), np.nan)

    val = credit.validation
    with pytest.raises(EvaluationInputError, match="predict returned 200 NaN"):
        pt.evaluate.classifier(Broken(), val.X, val.y, metrics=["accuracy"])


def test_probability_metric_without_predict_proba(credit: Any) -> None:
    from sklearn.pipeline import make_pipeline

    val = credit.validation
    model = make_pipeline(credit.preprocessor(), LinearSVC()).fit(credit.train.X, credit.train.y)
    with pytest.raises(EvaluationInputError, match=r"'roc_auc' needs predicted probabilities.*"
                       r"CalibratedClassifierCV"):  # fmt: skip
        pt.evaluate.classifier(model, val.X, val.y, metrics=["accuracy", "roc_auc"])
    assert pt.evaluate.classifier(model, val.X, val.y, metrics=["accuracy"])["accuracy"] > 0.5


def test_unknown_metric_and_fairness_without_groups(credit: Any, fitted: Any) -> None:
    val = credit.validation
    with pytest.raises(EvaluationInputError, match=r"Unknown classifier metric\(s\) \['acc'\]"):
        pt.evaluate.classifier(fitted, val.X, val.y, metrics=["acc"])
    with pytest.raises(EvaluationInputError, match="need sensitive_features"):
        pt.evaluate.classifier(fitted, val.X, val.y, metrics=["equalized_odds_difference"])
    with pytest.raises(EvaluationInputError, match="list of names"):
        pt.evaluate.classifier(fitted, val.X, val.y, metrics="accuracy")  # type: ignore[arg-type]


def test_multiclass_labels_are_refused_for_threshold_metrics(credit: Any, fitted: Any) -> None:
    val = credit.validation
    y = np.arange(len(val)) % 3
    with pytest.raises(EvaluationInputError, match="binary label, but y has 3 classes"):
        pt.evaluate.classifier(fitted, val.X, y, metrics=["accuracy"])
