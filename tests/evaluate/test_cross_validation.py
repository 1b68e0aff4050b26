"""``cross_validate`` and ``stratified_folds`` on German credit, checked against a hand loop."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import equalized_odds_difference
from sklearn import metrics as skm
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

import paretune as pt
from paretune.exceptions import EvaluationInputError
from paretune.exceptions import SmallGroupWarning

METRICS = ["accuracy", "roc_auc", "equalized_odds_difference"]


@pytest.fixture(scope="module")
def data() -> pt.datasets.Split:
    """German credit's training rows (600), features encoded once so fits take milliseconds."""
    credit = pt.datasets.load_german_credit()
    train = credit.train
    encoded = credit.preprocessor().fit_transform(train.X)
    return pt.datasets.Split(X=pd.DataFrame(encoded), y=train.y, sensitive=train.sensitive)


def make_model() -> LogisticRegression:
    return LogisticRegression(max_iter=1000)


@pytest.fixture(scope="module")
def result(data: pt.datasets.Split) -> pt.evaluate.Evaluation:
    return pt.evaluate.cross_validate(make_model, data, cv=4, metrics=METRICS, seed=3)


def cells(y: np.ndarray, sensitive: pd.DataFrame) -> pd.Series:
    return pd.Series(y.astype(str)) + "|" + sensitive.iloc[:, 0].to_numpy()


def test_folds_partition_the_rows_and_keep_label_group_shares(data: pt.datasets.Split) -> None:
    sensitive = pd.DataFrame(
        {"sex": data.sensitive["sex9"], "young": np.where(data.X[0] < 0, "yes", "no")}
    )
    folds = pt.evaluate.stratified_folds(data.y, sensitive, cv=5, seed=0)
    assert len(folds) == 5
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests) == list(range(len(data)))  # each row in exactly one test fold
    for train, test in folds:
        assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(len(data)))
    key = pd.Series(data.y.astype(str)) + "|" + sensitive["sex"] + "|" + sensitive["young"]
    whole = key.value_counts(normalize=True)
    for _, test in folds:
        share = key.iloc[test].value_counts(normalize=True).reindex(whole.index, fill_value=0)
        assert np.abs(share - whole).max() <= 1.5 / len(test)  # one row per cell at most


def test_folds_are_stratified_k_fold_on_the_label_group_key(data: pt.datasets.Split) -> None:
    folds = pt.evaluate.stratified_folds(data.y, data.sensitive, cv=4, seed=3)
    key = cells(data.y, data.sensitive)
    expected = StratifiedKFold(4, shuffle=True, random_state=3).split(np.zeros(len(key)), key)
    for (train, test), (train_sk, test_sk) in zip(folds, expected, strict=True):
        assert np.array_equal(test, np.sort(test_sk))
        assert np.array_equal(train, np.sort(train_sk))


def test_folds_are_reproducible_with_the_seed(data: pt.datasets.Split) -> None:
    def tests(seed: int) -> list[list[int]]:
        folds = pt.evaluate.stratified_folds(data.y, data.sensitive, cv=3, seed=seed)
        return [list(test) for _, test in folds]

    assert tests(0) == tests(0)
    assert tests(0) != tests(1)


def test_a_rare_label_group_cell_falls_back_to_label_strata_with_one_warning() -> None:
    y = np.array([0, 1] * 20)
    group = np.array(["a"] * 36 + ["b"] * 4)  # cells (0, b) and (1, b) hold 2 rows each
    with pytest.warns(SmallGroupWarning, match=r"y=0 & b \(2 rows\).*fewer rows than the 5"):
        folds = pt.evaluate.stratified_folds(y, group, cv=5, seed=0)
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests) == list(range(40))
    for _, test in folds:
        assert np.sum(y[test] == 1) == 4  # still stratified by label


def test_values_match_a_hand_loop_with_scikit_learn_and_fairlearn(
    data: pt.datasets.Split, result: pt.evaluate.Evaluation
) -> None:
    by_hand = []
    for train, test in pt.evaluate.stratified_folds(data.y, data.sensitive, cv=4, seed=3):
        model = make_model().fit(data.X.iloc[train], data.y[train])
        pred = model.predict(data.X.iloc[test])
        proba = model.predict_proba(data.X.iloc[test])[:, 1]
        by_hand.append(
            {
                "accuracy": skm.accuracy_score(data.y[test], pred),
                "roc_auc": skm.roc_auc_score(data.y[test], proba),
                "equalized_odds_difference": equalized_odds_difference(
                    data.y[test], pred, sensitive_features=data.sensitive["sex9"].iloc[test]
                ),
            }
        )
    assert result.details["folds"] == [pytest.approx(f) for f in by_hand]
    for name in METRICS:
        values = [f[name] for f in by_hand]
        assert result[name] == pytest.approx(np.mean(values))
        assert result[f"{name}_std"] == pytest.approx(np.std(values, ddof=1))
    assert list(result) == [k for name in METRICS for k in (name, f"{name}_std")]
    assert result.details["fold_sizes"] == [150, 150, 150, 150]
    assert set(result.details["fold_by_group"][0]) == {"sex9"}


def test_intervals_are_repeats_t_intervals_contain_the_mean_and_shrink(
    data: pt.datasets.Split, result: pt.evaluate.Evaluation
) -> None:
    folds = result.details["folds"]
    same = pt.evaluate.repeat(lambda k: folds[k], seeds=range(4))
    assert set(result.intervals) == set(METRICS)
    for name in METRICS:
        assert result.intervals[name] == pytest.approx(same.intervals[name])
    narrow = pt.evaluate.cross_validate(
        make_model, data, cv=4, metrics=METRICS, seed=3, confidence=0.5
    )
    for name in METRICS:
        low, high = result.intervals[name]
        n_low, n_high = narrow.intervals[name]
        assert low <= n_low <= result[name] <= n_high <= high
        assert n_high - n_low < high - low


def test_tuple_data_with_sensitive_features_equals_the_split(
    data: pt.datasets.Split, result: pt.evaluate.Evaluation
) -> None:
    again = pt.evaluate.cross_validate(
        make_model,
        (data.X.to_numpy(), data.y),
        sensitive_features=data.sensitive["sex9"].to_numpy(),
        cv=4,
        metrics=METRICS,
        seed=3,
    )
    assert dict(again) == pytest.approx(dict(result))


def test_make_model_may_take_the_seed_or_be_a_class(data: pt.datasets.Split) -> None:
    seen: list[int] = []

    def seeded(seed: int) -> LogisticRegression:
        seen.append(seed)
        return make_model()

    pt.evaluate.cross_validate(seeded, (data.X, data.y), cv=3, metrics=["accuracy"], seed=7)
    assert seen == [7, 7, 7]
    m = pt.evaluate.cross_validate(LogisticRegression, (data.X, data.y), cv=2, metrics=["f1"])
    assert set(m) == {"f1", "f1_std"}


def test_latency_is_measured_once_on_the_last_fold(
    data: pt.datasets.Split, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paretune.evaluate import _evaluators

    calls = []
    real = _evaluators.measure_latency

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(len(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(_evaluators, "measure_latency", counting)
    m = pt.evaluate.cross_validate(
        make_model, data, cv=3, metrics=["accuracy", "model_size_bytes"], seed=0
    )
    assert calls == [m.details["fold_sizes"][-1]]
    assert m["model_size_bytes"] > 0 and "model_size_bytes_std" not in m
    assert "model_size_bytes" not in m.intervals
    assert all("model_size_bytes" not in fold for fold in m.details["folds"])
    assert m.details["latency"]["model_size_bytes"] == m["model_size_bytes"]


def test_small_groups_warn_once_for_all_folds(data: pt.datasets.Split) -> None:
    groups = np.where(np.arange(len(data)) % 10 == 0, "rare", "common")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pt.evaluate.cross_validate(
            make_model,
            (data.X, data.y),
            sensitive_features=groups,
            cv=3,
            metrics=["equalized_odds_difference"],
        )
    small = [w for w in caught if issubclass(w.category, SmallGroupWarning)]
    assert len(small) == 1 and "sensitive=rare" in str(small[0].message)
    assert small[0].filename == __file__  # points at the caller


def test_an_objective_returns_it_in_one_line(data: pt.datasets.Split) -> None:
    def objective(trial: pt.Trial) -> pt.evaluate.Evaluation:
        C = trial.suggest_float("C", 0.01, 10.0, log=True)
        return pt.evaluate.cross_validate(
            lambda: LogisticRegression(C=C, max_iter=1000), data, cv=3, metrics=METRICS
        )

    study = pt.create_study(
        objectives={"accuracy": "maximize", "equalized_odds_difference": "minimize"},
        sampler=pt.samplers.RandomSampler(seed=0),
    )
    study.optimize(objective, n_trials=2)
    record = study.trials[0]
    assert {"accuracy", "accuracy_std", "equalized_odds_difference"} <= set(record.metrics)
    stored = record.user_attrs["evaluation"]
    assert len(stored["details"]["folds"]) == 3
    json.dumps(stored)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cv": 1}, "at least 2 folds"),
        ({"cv": True}, "at least 2 folds"),
        ({"cv": 181}, r"label 0 has 180; lower cv to at most 180"),
        ({"metrics": ["accuracy", "worst_group_accuracy"], "data": "tuple"}, "need groups"),
        ({"metrics": ["acuracy"]}, "Unknown classifier metric"),
        ({"metrics": "accuracy"}, r"metrics=\['accuracy'\]"),
        ({"data": "triple"}, r"must be \(X, y\)"),
        ({"data": "list"}, "an \\(X, y\\) tuple or an object"),
    ],
)
def test_bad_input_raises_before_fitting(
    data: pt.datasets.Split, kwargs: dict[str, Any], match: str
) -> None:
    kwargs = dict(kwargs)
    fits = []

    def model() -> LogisticRegression:
        fits.append(1)
        return make_model()

    given = {
        "tuple": (data.X, data.y),
        "triple": (data.X, data.y, data.sensitive),
        "list": [data.X, data.y],
        None: data,
    }[kwargs.pop("data", None)]
    with pytest.raises(EvaluationInputError, match=match) as info:
        pt.evaluate.cross_validate(model, given, **kwargs)
    assert isinstance(info.value, ValueError) and not fits


def test_bad_factories_and_confidence(data: pt.datasets.Split) -> None:
    with pytest.raises(TypeError, match="lambda: <your estimator>"):
        pt.evaluate.cross_validate(make_model(), data, metrics=["accuracy"])
    with pytest.raises(TypeError, match=r"requires \['a', 'b'\]"):
        pt.evaluate.cross_validate(lambda a, b: make_model(), data, metrics=["accuracy"])
    with pytest.raises(ValueError, match="confidence"):
        pt.evaluate.cross_validate(make_model, data, metrics=["accuracy"], confidence=1.0)
    with pytest.raises(EvaluationInputError, match="single label"):
        pt.evaluate.stratified_folds(np.ones(10), cv=2)
