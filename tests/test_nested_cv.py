"""``nested_cv`` on German credit: the outer test rows never reach the search."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.base import TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import paretune as pt
from paretune.exceptions import EvaluationInputError
from paretune.exceptions import NoFeasibleTrialWarning
from paretune.exceptions import NoSelectionError

METRICS = ["accuracy", "equalized_odds_difference"]
"""Scored on the outer folds; the inner search maximises accuracy alone (fast)."""


class Spy(BaseEstimator, TransformerMixin):
    """Passes rows through, noting the index of every row any fit or transform touched."""

    def __init__(self, log: list[set[int]]) -> None:
        self.log = log

    def fit(self, X: pd.DataFrame, y: Any = None) -> Spy:
        self.log[-1].update(X.index)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self.log[-1].update(X.index)
        return X


def model(C: float) -> LogisticRegression:
    return LogisticRegression(C=C, solver="liblinear")


@dataclass
class Run:
    """A nested CV run with its logs: per fold, the rows the search and the refit touched."""

    data: pt.datasets.Split
    searched: list[set[int]] = field(default_factory=list)
    refitted: list[set[int]] = field(default_factory=list)
    parts: list[set[int]] = field(default_factory=list)
    result: Any = None

    def make_study(self, fold: int) -> pt.Study:
        self.searched.append(set())
        self.refitted.append(set())
        return pt.create_study(
            objectives={"accuracy": "maximize"}, sampler=pt.samplers.RandomSampler(seed=fold)
        )

    def objective_for(self, part: pt.datasets.Split) -> Any:
        self.parts.append(set(part.X.index))

        def objective(trial: pt.Trial) -> pt.evaluate.Evaluation:
            C = trial.suggest_float("C", 1e-3, 10.0, log=True)
            return pt.evaluate.cross_validate(
                lambda: make_pipeline(Spy(self.searched), model(C)),
                part,
                cv=3,
                metrics=["accuracy"],
            )

        return objective

    def refit(self, params: dict[str, Any], part: pt.datasets.Split) -> Any:
        fitted = make_pipeline(Spy(self.refitted), model(params["C"])).fit(part.X, part.y)
        fitted.steps[0] = ("spy", Spy([set()]))  # the outer evaluation is logged nowhere
        return fitted


@pytest.fixture(scope="module")
def run() -> Run:
    credit = pt.datasets.load_german_credit()
    encoded = pd.DataFrame(credit.preprocessor().fit_transform(credit.train.X))
    data = pt.datasets.Split(X=encoded, y=credit.train.y, sensitive=credit.train.sensitive)
    run = Run(data)
    run.result = pt.analysis.nested_cv(
        run.make_study,
        run.objective_for,
        data,
        refit=run.refit,
        outer=3,
        n_trials=5,
        metrics=METRICS,
        seed=0,
    )
    return run


def test_outer_test_rows_never_reach_the_search_or_the_refit(run: Run) -> None:
    folds = run.result.folds
    assert len(folds) == 3
    everything = set(range(len(run.data)))
    assert sorted(np.concatenate([f.test_rows for f in folds])) == sorted(everything)
    for f, searched, refitted, part in zip(
        folds, run.searched, run.refitted, run.parts, strict=True
    ):
        test = set(f.test_rows.tolist())
        assert part == set(f.train_rows.tolist()) == everything - test
        assert searched == part  # the inner folds cover the outer-training rows, no more
        assert refitted == part
        assert not searched & test


def test_result_fields_are_consistent(run: Run) -> None:
    result = run.result
    for f in result.folds:
        assert f.index == result.folds.index(f)
        assert set(f.params) == {"C"} and len(f.study.trials) == 5
        record = f.study.trials[f.trial_number]
        assert f.params == dict(record.params) and f.inner == dict(record.metrics)
        assert list(f.outer) == METRICS
        best = max(r.metrics["accuracy"] for r in f.study.trials)  # the default choice
        assert f.inner["accuracy"] == best
        assert f.trial_number == min(
            r.number for r in f.study.trials if r.metrics["accuracy"] == best
        )
    for name in METRICS:
        values = [f.outer[name] for f in result.folds]
        assert result.mean[name] == pytest.approx(np.mean(values))
        assert result.summary[f"{name}_std"] == pytest.approx(np.std(values, ddof=1))
        low, high = result.intervals[name]
        assert low < result.mean[name] < high
    frame = result.to_frame()
    assert list(frame.columns) == ["fold", "trial", "C", *METRICS]
    text = str(result)
    lines = text.splitlines()
    assert lines[0].split() == ["fold", "trial", "C", *METRICS]
    assert [line.split()[0] for line in lines[1:4]] == ["0", "1", "2"]
    assert lines[4].startswith("mean") and lines[5].startswith("95% low")
    assert f"{result.mean['accuracy']:.4f}" in lines[4]


def test_select_and_tuple_data_without_groups() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + rng.normal(size=120) > 0).astype(int)
    seen: list[pt.datasets.Split] = []

    def objective_for(part: pt.datasets.Split) -> Any:
        seen.append(part)

        def objective(trial: pt.Trial) -> pt.evaluate.Evaluation:
            C = trial.suggest_float("C", 0.01, 1.0, log=True)
            return pt.evaluate.cross_validate(
                lambda: LogisticRegression(C=C), part, cv=2, metrics=["accuracy"]
            )

        return objective

    result = pt.analysis.nested_cv(
        lambda fold: pt.create_study(
            objectives={"accuracy": "maximize"}, sampler=pt.samplers.RandomSampler(seed=fold)
        ),
        objective_for,
        (X, y),
        refit=lambda params, part: LogisticRegression(**params).fit(part.X, part.y),
        outer=2,
        n_trials=2,
        select=lambda study: study.trials[-1],
    )
    assert [f.trial_number for f in result.folds] == [1, 1]
    assert list(result.mean) == ["accuracy"]  # by default the study's objective
    assert all(part.sensitive.shape == (60, 0) for part in seen)


def test_errors_name_the_fix(run: Run) -> None:
    data = run.data
    studies: list[int] = []

    def make_study(fold: int) -> pt.Study:
        studies.append(fold)
        return pt.create_study(objectives={"accuracy": "maximize"}, seed=fold)

    def never(part: Any) -> Any:
        raise AssertionError("no search should start")

    refit = run.refit
    with pytest.raises(EvaluationInputError, match="need groups"):
        pt.analysis.nested_cv(
            make_study, never, (data.X, data.y), refit=refit, metrics=["worst_group_accuracy"]
        )
    with pytest.raises(EvaluationInputError, match="at least 2 folds"):
        pt.analysis.nested_cv(make_study, never, data, refit=refit, outer=1)
    assert not studies
    shared = pt.create_study(objectives={"accuracy": "maximize"}, seed=0)
    shared.optimize(lambda t: {"accuracy": t.suggest_float("x", 0, 1)}, n_trials=1)
    with pytest.raises(ValueError, match="fresh study per fold"):
        pt.analysis.nested_cv(lambda fold: shared, never, data, refit=refit)

    def hopeless(fold: int) -> pt.Study:
        return pt.create_study(
            objectives={"accuracy": "maximize"}, constraints={"accuracy": (">=", 2.0)}, seed=0
        )

    def objective_for(part: Any) -> Any:
        return lambda t: {"accuracy": t.suggest_float("x", 0, 1)}

    with pytest.warns(NoFeasibleTrialWarning), pytest.raises(NoSelectionError, match="select="):
        pt.analysis.nested_cv(hopeless, objective_for, data, refit=refit, n_trials=2)
