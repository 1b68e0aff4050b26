"""Fairness scorers get each fold's sensitive features through metadata routing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sklearn
from fairlearn.metrics import equalized_odds_difference
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV

import paretune as pt
from paretune.distributions import FloatDistribution
from paretune.objectives import Direction
from paretune.sklearn import ParetoSearchCV
from paretune.sklearn import fairness_scorer

SPACE = {"C": FloatDistribution(1e-3, 1e1, log=True)}


def _search(**settings: Any) -> ParetoSearchCV:
    scoring = {"accuracy": "accuracy", "eod": fairness_scorer("equalized_odds_difference")}
    options: dict[str, Any] = {"scoring": scoring, "cv": 3, "n_trials": 4, "random_state": 0}
    return ParetoSearchCV(LogisticRegression(max_iter=1000), SPACE, **{**options, **settings})


@pytest.fixture(scope="module")
def searched(credit: tuple[Any, Any, Any]) -> ParetoSearchCV:
    X, y, sex = credit
    return _search().fit(X, y, sensitive_features=sex)


def _by_hand(X: Any, y: Any, sex: Any, params: dict[str, Any], folds: Any) -> list[list[float]]:
    """``[accuracy, EO difference]`` of each fold, with fairlearn, on the same folds."""
    out = []
    for train, test in folds:
        model = LogisticRegression(max_iter=1000, **params).fit(X[train], y[train])
        pred = model.predict(X[test])
        eod = equalized_odds_difference(y[test], pred, sensitive_features=sex[test])
        out.append([accuracy_score(y[test], pred), eod])
    return out


def test_fold_values_equal_fairlearn_on_the_same_folds(
    searched: ParetoSearchCV, credit: tuple[Any, Any, Any]
) -> None:
    X, y, sex = credit
    # An integer cv with sensitive features: folds stratified by label and group jointly.
    folds = pt.evaluate.stratified_folds(y, sex, cv=3, seed=0)
    results = searched.cv_results_
    for i in (0, len(results["params"]) - 1):
        expected = _by_hand(X, y, sex, results["params"][i], folds)
        for k, (accuracy, eod) in enumerate(expected):
            assert results[f"split{k}_test_accuracy"][i] == pytest.approx(accuracy, abs=1e-12)
            assert results[f"split{k}_test_eod"][i] == pytest.approx(eod, abs=1e-12)


def test_differences_are_minimised(searched: ParetoSearchCV) -> None:
    directions = {o.name: o.direction for o in searched.study_.objectives}
    assert directions == {"accuracy": Direction.MAXIMIZE, "eod": Direction.MINIMIZE}
    results = searched.cv_results_
    assert results["mean_test_eod"][results["rank_test_eod"] == 1].min() == min(
        results["mean_test_eod"]
    )
    assert (results["mean_test_eod"] >= 0).all()


def test_routing_enabled_gives_the_same_scores(
    searched: ParetoSearchCV, credit: tuple[Any, Any, Any]
) -> None:
    X, y, sex = credit
    with sklearn.config_context(enable_metadata_routing=True):
        routed = _search().fit(X, y, sensitive_features=sex)
        with pytest.raises(ValueError, match="sample_weight"):  # requested by nobody
            _search().fit(X, y, sensitive_features=sex, sample_weight=np.ones(len(y)))
    for k in range(3):
        key = f"split{k}_test_eod"
        np.testing.assert_array_equal(routed.cv_results_[key], searched.cv_results_[key])


@pytest.mark.parametrize("routing", [False, True])
def test_an_alias_routes_metadata_of_another_name(
    credit: tuple[Any, Any, Any], routing: bool
) -> None:
    X, y, sex = credit
    folds = pt.evaluate.stratified_folds(y, sex, cv=3, seed=0)
    scorer = fairness_scorer("equalized_odds_difference").set_score_request(
        sensitive_features="sex"
    )
    search = ParetoSearchCV(
        LogisticRegression(max_iter=1000),
        SPACE,
        scoring={"accuracy": "accuracy", "eod": scorer},
        cv=folds,
        n_trials=2,
        random_state=0,
    )
    with sklearn.config_context(enable_metadata_routing=routing):
        search.fit(X, y, sex=sex)
    expected = _by_hand(X, y, sex, search.cv_results_["params"][0], folds)
    assert search.cv_results_["split1_test_eod"][0] == pytest.approx(expected[1][1], abs=1e-12)


def test_score_takes_the_groups_of_the_rows_it_scores(
    searched: ParetoSearchCV, credit: tuple[Any, Any, Any]
) -> None:
    X, y, sex = credit
    with pytest.raises(ValueError, match="sensitive_features"):  # the first scorer: accuracy
        searched.score(X, y, sensitive_features=sex)
    fair_first = _search(
        scoring={"eod": fairness_scorer("equalized_odds_difference"), "accuracy": "accuracy"},
        n_trials=2,
    ).fit(X, y, sensitive_features=sex)
    pred = fair_first.predict(X)
    expected = equalized_odds_difference(y, pred, sensitive_features=sex)
    assert fair_first.score(X, y, sensitive_features=sex) == pytest.approx(expected, abs=1e-12)


def test_without_groups_every_trial_fails_with_the_reason(credit: tuple[Any, Any, Any]) -> None:
    X, y, _ = credit
    with pytest.raises(ValueError, match=r"All 2 trials .* sensitive_features"):
        _search(n_trials=2).fit(X, y)


def test_the_scorer_works_in_scikit_learns_own_search(credit: tuple[Any, Any, Any]) -> None:
    X, y, sex = credit
    folds = pt.evaluate.stratified_folds(y, sex, cv=3, seed=0)
    grid = GridSearchCV(
        LogisticRegression(max_iter=1000),
        {"C": [0.01, 1.0]},
        scoring={"accuracy": "accuracy", "eod": fairness_scorer("equalized_odds_difference")},
        refit="accuracy",
        cv=folds,
    )
    with sklearn.config_context(enable_metadata_routing=True):
        grid.fit(X, y, sensitive_features=sex)
    expected = _by_hand(X, y, sex, {"C": 0.01}, folds)
    assert grid.cv_results_["split2_test_eod"][0] == pytest.approx(expected[2][1], abs=1e-12)


def test_unknown_metric_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown fairness metric"):
        fairness_scorer("equalised_odds")
