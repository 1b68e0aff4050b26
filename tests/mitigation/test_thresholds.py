"""``GroupThresholds`` (fairlearn's ThresholdOptimizer) and the public ``Threshold``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

import paretune as pt
from paretune._thresholded import ThresholdedClassifier
from paretune.exceptions import MitigationInputError
from paretune.mitigation import GroupThresholds


def _figures(model: Any, credit: Any, **kw: Any) -> dict[str, float]:
    return dict(
        pt.evaluate.classifier(
            model,
            credit.X,
            credit.y,
            sensitive_features=credit.groups,
            metrics=["accuracy", "equalized_odds_difference", "demographic_parity_difference"],
            **kw,
        )
    )


@pytest.mark.parametrize(
    ("constraint", "figure"),
    [
        ("equalized_odds", "equalized_odds_difference"),
        ("demographic_parity", "demographic_parity_difference"),
    ],
)
def test_rates_are_closer_than_the_base_models_on_the_fit_data(
    constraint: str, figure: str, credit: Any, logreg: Any
) -> None:
    base = clone(logreg).fit(credit.X, credit.y)
    model = GroupThresholds(logreg, constraint=constraint, random_state=0)
    model.fit(credit.X, credit.y, sensitive_features=credit.groups)
    before, after = _figures(base, credit), _figures(model, credit)
    assert after[figure] < before[figure] / 2
    assert after["accuracy"] > before["accuracy"] - 0.05
    assert list(model.groups_) == ["female", "male"]


def test_prefit_keeps_the_given_model_and_predictions_repeat(credit: Any, logreg: Any) -> None:
    fitted = clone(logreg).fit(credit.X, credit.y)
    model = GroupThresholds(fitted, prefit=True, random_state=1, grid_size=200)
    model.fit(credit.X_val, credit.y_val, sensitive_features=credit.groups_val)
    assert model.optimizer_.estimator_ is fitted
    first = model.predict(credit.X, sensitive_features=credit.groups)
    assert np.array_equal(first, model.predict(credit.X, sensitive_features=credit.groups))
    assert model.score(credit.X, credit.y, sensitive_features=credit.groups) == pytest.approx(
        np.mean(first == credit.y)
    )
    assert clone(model).get_params(deep=False)["grid_size"] == 200


def test_groups_are_needed_and_must_be_known_at_predict(credit: Any, logreg: Any) -> None:
    model = GroupThresholds(logreg, random_state=0)
    model.fit(credit.X, credit.y, sensitive_features=credit.groups)
    with pytest.raises(MitigationInputError, match=r"GroupThresholds.predict needs sensitive"):
        model.predict(credit.X)
    with pytest.raises(MitigationInputError, match=r"\['other'\] were not in the data"):
        model.predict(credit.X[:2], sensitive_features=["male", "other"])
    numbers = np.where(np.asarray(credit.groups).ravel() == "male", 1, 0)
    as_numbers = GroupThresholds(logreg, random_state=0)
    as_numbers.fit(credit.X, credit.y, sensitive_features=numbers)
    same = as_numbers.predict(credit.X, sensitive_features=numbers.astype(str))
    assert np.array_equal(same, as_numbers.predict(credit.X, sensitive_features=numbers))


def test_bad_settings_name_the_fix(credit: Any, logreg: Any) -> None:
    X, y, groups = credit.X, credit.y, credit.groups
    with pytest.raises(MitigationInputError, match="Reduction\\(constraint='error_rate_parity'"):
        GroupThresholds(logreg, constraint="error_rate_parity").fit(X, y, sensitive_features=groups)
    with pytest.raises(MitigationInputError, match="needs a fitted estimator"):
        GroupThresholds(LogisticRegression(), prefit=True).fit(X, y, sensitive_features=groups)
    with pytest.raises(MitigationInputError, match="single group"):
        GroupThresholds(logreg).fit(X, y, sensitive_features=np.zeros(len(y)))
    with pytest.raises(MitigationInputError, match="does not take \\['eps'\\]"):
        GroupThresholds(logreg, eps=0.1).fit(X, y, sensitive_features=groups)


def test_threshold_is_paretunes_single_threshold_classifier(credit: Any, logreg: Any) -> None:
    assert pt.mitigation.Threshold is ThresholdedClassifier
    model = pt.mitigation.Threshold(logreg, threshold=0.8).fit(credit.X, credit.y)
    assert np.mean(model.predict(credit.X)) < np.mean(
        clone(logreg).fit(credit.X, credit.y).predict(credit.X)
    )
