"""Constraints, resources (multi-fidelity) and error_score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import FitFailedWarning

import paretune as pt
from paretune.distributions import CategoricalDistribution
from paretune.distributions import FloatDistribution
from paretune.sklearn import ParetoSearchCV
from tests.sklearn._estimators import Dial
from tests.sklearn._estimators import rows_seen

C = FloatDistribution(1e-3, 1e1, log=True)


def test_a_fit_time_constraint_keeps_slow_configurations_off_the_front(
    cancer: tuple[Any, Any],
) -> None:
    X, y = cancer
    search = ParetoSearchCV(
        Dial(),
        {"C": C, "delay": CategoricalDistribution((0.0, 0.15))},
        scoring={"accuracy": "accuracy"},
        constraints={"fit_time": ("<=", 0.1)},
        cv=2,
        n_trials=6,
        random_state=3,
    ).fit(X, y)
    results = search.cv_results_
    slow = results["param_delay"] == 0.15
    assert slow.any() and (~slow).any()
    assert (results["mean_fit_time"][slow] > 0.1).all()
    np.testing.assert_array_equal(results["feasible"], ~slow)
    assert not results["on_front"][slow].any()
    assert results["pareto_rank"][slow].min() > results["pareto_rank"][~slow].max()
    assert search.best_params_["delay"] == 0.0
    assert search.study_.constraints[0].metric == "fit_time"


def test_resource_n_samples_trains_on_nested_subsamples(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    search = ParetoSearchCV(
        Dial(),
        {"C": C},
        scoring={"accuracy": "accuracy", "rows": rows_seen},
        resource="n_samples",
        cv=3,
        n_trials=14,
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    budgets = results["n_resources"]
    full = max(len(y) - len(y) // 3, len(y) - (len(y) + 2) // 3)  # the largest training fold
    assert search.study_.fidelity == pt.Fidelity("n_samples", 20, full)
    assert len(set(budgets)) > 1 and budgets.max() == full
    train_sizes = [len(y) - len(test) for _, test in _stratified(y, 3)]
    for k, size in enumerate(train_sizes):
        np.testing.assert_array_equal(results[f"split{k}_test_rows"], np.minimum(budgets, size))
    assert (budgets[results["on_front"]] == full).all()
    assert search.best_estimator_.n_rows_ == len(y)  # the refit uses every row


def _stratified(y: Any, n: int) -> Any:
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(n).split(np.zeros(len(y)), y))


def test_resource_max_iter_sets_the_budget_and_refits_at_the_full_one(
    cancer: tuple[Any, Any],
) -> None:
    X, y = cancer
    search = ParetoSearchCV(
        HistGradientBoostingClassifier(max_iter=9, early_stopping=False),
        {"learning_rate": FloatDistribution(0.05, 0.5, log=True)},
        scoring={"accuracy": "accuracy", "iters": lambda est, X, y: float(est.n_iter_)},
        resource="max_iter",
        cv=2,
        n_trials=8,
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    assert search.study_.fidelity == pt.Fidelity("max_iter", 1, 9)
    assert set(results["n_resources"]) > {9}
    np.testing.assert_array_equal(results["split0_test_iters"], results["n_resources"])
    assert search.best_estimator_.max_iter == 9 and "max_iter" not in search.best_params_


def test_resource_that_is_also_searched_is_refused(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    search = ParetoSearchCV(
        HistGradientBoostingClassifier(),
        {"max_iter": pt.distributions.IntDistribution(5, 50)},
        scoring={"accuracy": "accuracy"},
        resource="max_iter",
    )
    with pytest.raises(ValueError, match="both the resource and a searched parameter"):
        search.fit(X, y)


def _failing(error_score: Any, n_trials: int = 6) -> ParetoSearchCV:
    return ParetoSearchCV(
        Dial(),
        {"C": C, "fail": CategoricalDistribution((False, True))},
        scoring={"accuracy": "accuracy"},
        cv=2,
        n_trials=n_trials,
        random_state=0,
        error_score=error_score,
    )


def test_nan_error_score_fails_the_trial_and_warns_once(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    with pytest.warns(FitFailedWarning, match=r"trials failed .*failing on purpose") as caught:
        search = _failing(np.nan).fit(X, y)
    assert len(caught) == 1
    results = search.cv_results_
    failed = results["param_fail"].astype(bool)
    assert failed.any() and (~failed).any()
    assert (results["state"][failed] == "failed").all()
    assert np.isnan(results["mean_test_accuracy"][failed]).all()
    assert (results["rank_test_accuracy"][failed] == results["rank_test_accuracy"].max()).all()
    assert not results["on_front"][failed].any() and not search.best_params_["fail"]


def test_numeric_error_score_scores_failed_fits_with_it(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    with pytest.warns(FitFailedWarning, match=r"fits failed and were scored error_score=0\.0"):
        search = _failing(0.0).fit(X, y)
    results = search.cv_results_
    failed = results["param_fail"].astype(bool)
    assert (results["state"] == "complete").all()
    assert (results["mean_test_accuracy"][failed] == 0.0).all()


def test_raise_error_score_raises_the_fit_error(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    search = _failing("raise", n_trials=20)
    with pytest.raises(RuntimeError, match="failing on purpose"):
        search.fit(X, y)


def test_when_every_trial_fails_fit_raises_with_the_reason(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    search = _failing(np.nan).set_params(
        param_distributions={"fail": CategoricalDistribution((True,))}, n_trials=2
    )
    with pytest.raises(ValueError, match=r"All 2 trials .*RuntimeError: failing on purpose"):
        search.fit(X, y)


def test_the_same_programming_error_in_the_first_trials_stops_the_search(
    cancer: tuple[Any, Any],
) -> None:
    X, y = cancer
    search = ParetoSearchCV(Dial(), {"C": C}, scoring=["accuracy"], cv=2, n_trials=20)
    with pytest.raises(TypeError, match="unexpected keyword argument 'sensitive_features'"):
        search.fit(X, y, sensitive_features=y)  # no scorer takes them: they go to fit
    assert len(search.study_.trials) == 3
