"""``Reduction``: fairlearn's reductions around a classifier or a whole Pipeline."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from fairlearn.reductions import EqualizedOdds
from fairlearn.reductions import ExponentiatedGradient
from sklearn.base import clone
from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

import paretune as pt
from paretune.exceptions import MitigationInputError
from paretune.mitigation import Reduction
from paretune.mitigation._checks import fairlearn_quiet

METRICS = ["accuracy", "equalized_odds_difference"]


@pytest.fixture(scope="module")
def eg(credit: Any) -> Reduction:
    """Exponentiated gradient at a small bound, on the encoded rows."""
    model = Reduction(LogisticRegression(max_iter=500), eps=0.01, random_state=0)
    return model.fit(credit.X, credit.y, sensitive_features=credit.groups)


def _train_figures(model: Any, credit: Any) -> dict[str, float]:
    return dict(
        pt.evaluate.classifier(
            model, credit.X, credit.y, sensitive_features=credit.groups, metrics=METRICS
        )
    )


def test_a_small_bound_lowers_the_training_disparity(eg: Reduction, credit: Any) -> None:
    plain = LogisticRegression(max_iter=500).fit(credit.X, credit.y)
    before, after = _train_figures(plain, credit), _train_figures(eg, credit)
    assert before["equalized_odds_difference"] > 0.15  # the unmitigated model is unfair here
    assert after["equalized_odds_difference"] < before["equalized_odds_difference"] / 2
    assert after["accuracy"] > before["accuracy"] - 0.05


def test_predictions_repeat_for_a_seed_and_match_fairlearns(eg: Reduction, credit: Any) -> None:
    first, second = eg.predict(credit.X_val), eg.predict(credit.X_val)
    assert np.array_equal(first, second)
    assert set(np.unique(first)) <= set(eg.classes_)
    assert np.array_equal(first, eg.mitigator_.predict(credit.X_val, random_state=0))
    proba = eg.predict_proba(credit.X_val)
    assert proba.shape == (len(credit.X_val), 2)
    assert np.allclose(proba, eg.mitigator_._pmf_predict(credit.X_val))
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_a_pipeline_works_where_fairlearn_refuses_it(credit: Any) -> None:
    data = credit.data
    pipeline = make_pipeline(data.preprocessor(), LogisticRegression(max_iter=500))
    with fairlearn_quiet(), pytest.raises(ValueError, match="sample_weight"):
        ExponentiatedGradient(clone(pipeline), EqualizedOdds(), max_iter=3).fit(
            data.train.X, data.train.y, sensitive_features=data.train.sensitive
        )
    model = Reduction(pipeline, eps=0.05, random_state=0, max_iter=3, run_linprog_step=False)
    model.fit(data.train.X, data.train.y, sensitive_features=data.train.sensitive)
    pred = model.predict(data.validation.X)
    assert pred.shape == (len(data.validation),)
    assert model.predict_proba(data.validation.X).shape == (len(data.validation), 2)
    first = model.mitigator_.predictors_.iloc[0]
    assert first.pipeline_ is not pipeline  # a fitted clone; the given pipeline is untouched
    assert not hasattr(pipeline[-1], "coef_")


def test_grid_search_picks_the_best_model_within_the_bound(credit: Any, logreg: Any) -> None:
    model = Reduction(logreg, method="grid_search", eps=0.3, grid_size=8)
    model.fit(credit.X, credit.y, sensitive_features=credit.groups)
    grid = model.mitigator_
    violations = grid.gammas_.max(axis=0).to_numpy()
    errors = np.asarray(grid.objectives_)
    within = violations <= 0.3
    assert within.any()
    assert errors[model.best_index_] == errors[within].min()
    assert np.array_equal(
        model.predict(credit.X_val), grid.predictors_[model.best_index_].predict(credit.X_val)
    )
    assert model.predict_proba(credit.X_val).shape == (len(credit.X_val), 2)
    fairlearns = Reduction(logreg, method="grid_search", eps=None, grid_size=8)
    fairlearns.fit(credit.X, credit.y, sensitive_features=credit.groups)
    assert fairlearns.best_index_ == fairlearns.mitigator_.best_idx_


@pytest.mark.parametrize("constraint", pt.mitigation.CONSTRAINTS)
def test_every_constraint_fits_with_string_labels(constraint: str, credit: Any) -> None:
    labels = np.where(credit.y == 1, "good", "bad")
    model = Reduction(
        LogisticRegression(max_iter=500), constraint=constraint, max_iter=2, run_linprog_step=False
    )
    model.fit(credit.X, labels, sensitive_features=np.asarray(credit.groups).ravel())
    assert list(model.classes_) == ["bad", "good"]
    assert set(model.predict(credit.X_val)) <= {"bad", "good"}


def test_parameters_and_options_survive_clone_and_set_params() -> None:
    model = Reduction(LogisticRegression(C=0.5), eps=0.05, max_iter=7, random_state=3)
    params = model.get_params(deep=False)
    assert params["max_iter"] == 7 and params["eps"] == 0.05 and params["random_state"] == 3
    copy = clone(model)
    assert copy.get_params(deep=False)["max_iter"] == 7
    assert copy.get_params()["estimator__C"] == 0.5
    copy.set_params(max_iter=9, estimator__C=2.0, eta0=1.0)
    assert copy.max_iter == 9 and copy.estimator.C == 2.0 and copy.eta0 == 1.0
    assert clone(copy).get_params(deep=False)["eta0"] == 1.0
    assert "max_iter=7" in repr(model)
    assert model.max_iter == 7  # the original is unchanged
    assert is_classifier(model)


def test_a_fitted_reduction_survives_pickling(eg: Reduction, credit: Any) -> None:
    again = pickle.loads(pickle.dumps(eg))
    assert np.array_equal(again.predict(credit.X_val), eg.predict(credit.X_val))


def test_a_model_without_sample_weight_is_refused_with_the_fix(credit: Any) -> None:
    for estimator, named in [
        (KNeighborsClassifier(), "KNeighborsClassifier.fit takes no sample_weight"),
        (make_pipeline(KNeighborsClassifier()), "last step 'kneighborsclassifier'"),
    ]:
        with pytest.raises(MitigationInputError, match=named) as info:
            Reduction(estimator).fit(credit.X, credit.y, sensitive_features=credit.groups)
        assert "Pipeline whose last step accepts sample_weight" in str(info.value)
        assert "GroupThresholds" in str(info.value)


def test_bad_input_is_named(credit: Any, logreg: Any) -> None:
    X, y, groups = credit.X, credit.y, credit.groups
    with pytest.raises(MitigationInputError, match="needs sensitive_features"):
        Reduction(logreg).fit(X, y)
    with pytest.raises(MitigationInputError, match="single group"):
        Reduction(logreg).fit(X, y, sensitive_features=["male"] * len(y))
    with pytest.raises(MitigationInputError, match="has 10 rows but X has 600"):
        Reduction(logreg).fit(X, y, sensitive_features=np.asarray(groups)[:10])
    with pytest.raises(MitigationInputError, match="missing"):
        Reduction(logreg).fit(X, y, sensitive_features=[None] * len(y))
    with pytest.raises(MitigationInputError, match="binary target"):
        Reduction(logreg).fit(X, np.arange(len(y)) % 3, sensitive_features=groups)
    with pytest.raises(MitigationInputError, match="constraint must be one of"):
        Reduction(logreg, constraint="fairness").fit(X, y, sensitive_features=groups)
    with pytest.raises(MitigationInputError, match="eps must be a positive number"):
        Reduction(logreg, eps=0).fit(X, y, sensitive_features=groups)
    with pytest.raises(MitigationInputError, match="does not take \\['grid_size'\\]"):
        Reduction(logreg, grid_size=3).fit(X, y, sensitive_features=groups)


def test_predict_proba_follows_the_estimator_for_grid_search() -> None:
    from sklearn.svm import LinearSVC

    assert not hasattr(Reduction(LinearSVC(), method="grid_search"), "predict_proba")
    assert hasattr(Reduction(LinearSVC()), "predict_proba")  # the mixture's shares
