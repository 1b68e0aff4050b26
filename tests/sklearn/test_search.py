"""ParetoSearchCV on real data: the front, cv_results_, refit, delegation, resume."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

import paretune as pt
from paretune.distributions import CategoricalDistribution
from paretune.distributions import FloatDistribution
from paretune.sklearn import ParetoSearchCV

SPACE = {"C": FloatDistribution(1e-4, 1e2, log=True)}
SCORING = {"accuracy": "accuracy", "recall": "recall", "log_loss": "neg_log_loss"}


@pytest.fixture(scope="module")
def fitted(cancer: tuple[Any, Any], tmp_path_factory: pytest.TempPathFactory) -> ParetoSearchCV:
    """Ten trials on breast cancer, three objectives, stored in SQLite."""
    X, y = cancer
    url = f"sqlite:///{tmp_path_factory.mktemp('search')}/search.db"
    search = ParetoSearchCV(
        LogisticRegression(),
        SPACE,
        scoring=SCORING,
        cv=3,
        n_trials=10,
        random_state=0,
        storage=url,
        study_name="cancer",
        return_train_score=True,
    )
    return search.fit(X, y)


def test_cv_results_load_into_pandas_with_consistent_values(fitted: ParetoSearchCV) -> None:
    frame = pd.DataFrame(fitted.cv_results_)
    assert len(frame) == 10
    expected = {"mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"}
    expected |= {"param_C", "params", "trial_number", "state", "feasible"}
    expected |= {"pareto_rank", "on_front"}
    for name in SCORING:
        for kind in ("test", "train"):
            expected |= {f"split{k}_{kind}_{name}" for k in range(3)}
            expected |= {f"mean_{kind}_{name}", f"std_{kind}_{name}"}
        expected.add(f"rank_test_{name}")
    assert set(frame.columns) == expected
    for name in SCORING:
        for kind in ("test", "train"):
            splits = frame[[f"split{k}_{kind}_{name}" for k in range(3)]].to_numpy()
            assert np.array_equal(frame[f"mean_{kind}_{name}"], splits.mean(axis=1))
            np.testing.assert_allclose(frame[f"std_{kind}_{name}"], splits.std(axis=1))
        best = frame[f"mean_test_{name}"].max()  # every scorer here is maximised
        assert set(frame.loc[frame[f"rank_test_{name}"] == 1, f"mean_test_{name}"]) == {best}
    assert frame["param_C"].dtype == np.float64
    assert list(frame["param_C"]) == [p["C"] for p in frame["params"]]
    # The study's own metrics are the search's objectives: the same means.
    for record, row in zip(fitted.study_.trials, frame.itertuples(), strict=True):
        assert record.metrics["accuracy"] == row.mean_test_accuracy


def test_the_front_is_the_studys_and_non_dominated(fitted: ParetoSearchCV) -> None:
    results = fitted.cv_results_
    front = np.flatnonzero(results["on_front"])
    assert len(front) >= 1
    assert [r.number for r in fitted.study_.pareto_front()] == list(results["trial_number"][front])
    assert [p["index"] for p in fitted.pareto_front_] == list(front)
    assert (results["pareto_rank"][front] == 1).all()
    means = np.column_stack([results[f"mean_test_{n}"] for n in SCORING])
    for i in front:
        dominated = (means >= means[i]).all(axis=1) & (means > means[i]).any(axis=1)
        assert not dominated.any()
    first = fitted.pareto_front_[0]
    assert set(first) == {"index", "params", *SCORING, "fit_time", "score_time"}
    assert first["accuracy"] == results["mean_test_accuracy"][first["index"]]


def test_default_refit_is_the_knee_and_the_refit_model_predicts(
    fitted: ParetoSearchCV, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    knee = fitted.study_.select(pt.select.Knee())
    assert fitted.cv_results_["trial_number"][fitted.best_index_] == knee.number
    assert fitted.best_params_ == dict(knee.params)
    assert fitted.best_score_ == fitted.cv_results_["mean_test_accuracy"][fitted.best_index_]
    assert fitted.best_estimator_.C == fitted.best_params_["C"]
    np.testing.assert_array_equal(fitted.predict(X), fitted.best_estimator_.predict(X))
    np.testing.assert_array_equal(fitted.predict_proba(X), fitted.best_estimator_.predict_proba(X))
    np.testing.assert_array_equal(
        fitted.decision_function(X), fitted.best_estimator_.decision_function(X)
    )
    assert fitted.score(X, y) == accuracy_score(y, fitted.predict(X))
    assert list(fitted.classes_) == [0, 1] and fitted.n_features_in_ == 30
    assert fitted.n_splits_ == 3 and fitted.multimetric_ and fitted.refit_time_ > 0
    assert set(fitted.scorer_) == set(SCORING)


@pytest.mark.parametrize(
    "refit",
    [
        pt.select.EpsilonConstraint(maximize="recall", limits={"accuracy": 0.9}),
        "log_loss",
        lambda study: min(study.pareto_front(), key=lambda r: r.params["C"]),
    ],
    ids=["rule", "scorer-name", "callable"],
)
def test_refit_by_rule_scorer_or_callable(
    fitted: ParetoSearchCV, cancer: tuple[Any, Any], refit: Any
) -> None:
    X, y = cancer
    again = clone(fitted).set_params(refit=refit).fit(X, y)  # the stored study: no new trial
    assert len(again.cv_results_["params"]) == 10
    results, chosen = again.cv_results_, again.best_index_
    front = np.flatnonzero(results["on_front"])
    assert chosen in front
    if refit == "log_loss":
        assert results["mean_test_log_loss"][chosen] == results["mean_test_log_loss"][front].max()
    elif callable(refit):
        assert again.best_params_["C"] == min(results["params"][i]["C"] for i in front)
    else:
        assert results["mean_test_accuracy"][chosen] >= 0.9
    assert again.best_estimator_.C == again.best_params_["C"]


def test_refit_false_keeps_results_and_refuses_to_predict(
    fitted: ParetoSearchCV, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    bare = clone(fitted).fit(X, y)
    bare.set_params(refit=False).fit(X, y)  # the same object: the earlier choice goes
    assert "best_estimator_" not in vars(bare) and "best_index_" not in vars(bare)
    assert bare.cv_results_["on_front"].any()
    with pytest.raises(AttributeError, match="refit=False"):
        bare.predict(X)


def test_resume_from_sqlite_runs_only_the_missing_trials(
    fitted: ParetoSearchCV, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    more = ParetoSearchCV(
        LogisticRegression(),
        SPACE,
        scoring=SCORING,
        cv=3,
        n_trials=12,
        random_state=0,
        storage=fitted.storage,
        study_name="cancer",
    ).fit(X, y)
    assert len(more.cv_results_["params"]) == 12
    assert more.cv_results_["params"][:10] == fitted.cv_results_["params"]
    assert more.study_.name == "cancer" and len(more.study_.trials) == 12


def test_pickled_search_predicts_and_reloads_its_stored_study(
    fitted: ParetoSearchCV, cancer: tuple[Any, Any]
) -> None:
    import pickle

    X, _ = cancer
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.predict(X), fitted.predict(X))
    assert copy.study_.name == "cancer"


def test_one_scorer_is_named_score_and_searches_one_objective(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    search = ParetoSearchCV(
        LogisticRegression(), SPACE, scoring="accuracy", cv=2, n_trials=4, random_state=1
    ).fit(X, y)
    results = search.cv_results_
    assert not search.multimetric_ and "mean_test_score" in results
    assert search.best_score_ == results["mean_test_score"].max()
    assert search.best_index_ == int(np.argmax(results["mean_test_score"]))


def test_n_jobs_runs_trials_on_threads(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    search = ParetoSearchCV(
        LogisticRegression(), SPACE, scoring=["accuracy", "recall"], cv=2, n_trials=6, n_jobs=2
    ).fit(X, y)
    assert sorted(search.cv_results_["trial_number"]) == list(range(6))
    assert (search.cv_results_["state"] == "complete").all()


def test_lists_are_categorical_and_masked_params_stay_aligned(cancer: tuple[Any, Any]) -> None:
    X, y = cancer
    search = ParetoSearchCV(
        LogisticRegression(),
        {"C": SPACE["C"], "class_weight": [None, "balanced"]},
        scoring={"accuracy": "accuracy"},
        cv=2,
        n_trials=4,
        random_state=0,
    ).fit(X, y)
    column = search.cv_results_["param_class_weight"]
    assert isinstance(column, np.ma.MaskedArray) and column.dtype == object
    assert list(column) == [p["class_weight"] for p in search.cv_results_["params"]]
    distributions = search.study_.trials[0].distributions
    assert distributions["class_weight"] == CategoricalDistribution((None, "balanced"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_trials": 0}, "'n_trials' parameter of ParetoSearchCV must be a positive integer"),
        ({"n_trials": None}, "needs an end"),
        ({"scoring": {"fit_time": "accuracy"}}, "reserved"),
        ({"param_distributions": {"nope": SPACE["C"]}}, "'nope' is not a parameter"),
        ({"constraints": {"latency": ("<=", 1.0)}}, "names no metric"),
        ({"refit": "recall"}, "names no scorer"),
        ({"scoring": {"accuracy": "no_such_scorer"}}, "not a valid scoring value"),
    ],
)
def test_invalid_settings_fail_before_any_trial(
    cancer: tuple[Any, Any], change: dict[str, Any], message: str
) -> None:
    X, y = cancer
    search = ParetoSearchCV(LogisticRegression(), SPACE, scoring={"accuracy": "accuracy"})
    with pytest.raises(ValueError, match=message):
        search.set_params(**change).fit(X, y)


def test_samplers_with_locks_survive_clone_pickle_and_deepcopy(cancer: tuple[Any, Any]) -> None:
    import copy
    import pickle

    X, y = cancer
    sampler = pt.samplers.TPESampler(seed=0)
    search = ParetoSearchCV(
        LogisticRegression(), SPACE, scoring=["accuracy"], cv=2, n_trials=3, sampler=sampler
    )
    twin = clone(search)
    assert isinstance(twin.sampler, pt.samplers.TPESampler) and twin.sampler is not sampler
    twin.fit(X, y)
    assert twin.sampler.__dict__.keys() == sampler.__dict__.keys()  # the param is untouched
    for copied in (pickle.loads(pickle.dumps(twin)), copy.deepcopy(twin)):
        assert isinstance(copied.sampler, pt.samplers.TPESampler)
        np.testing.assert_array_equal(copied.predict(X), twin.predict(X))
        clone(copied).fit(X, y)  # the copy's sampler works
    assert len(twin.study_.trials) == 3  # copying leaves the original's in-memory study
