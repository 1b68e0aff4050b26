"""``Abstain``: the reject option, globally and per group."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.svm import LinearSVC

from paretune.exceptions import MitigationInputError
from paretune.mitigation import Abstain


def test_coverage_falls_as_the_threshold_rises(credit: Any, logreg: Any) -> None:
    coverages = []
    for threshold in (0.0, 0.1, 0.2, 0.3, 0.45):
        model = Abstain(logreg, threshold=threshold).fit(credit.X, credit.y)
        coverages.append(model.coverage(credit.X_val))
        assert model.coverage_ == pytest.approx(model.coverage(credit.X))
    assert coverages[0] == 1.0
    assert all(a > b for a, b in itertools.pairwise(coverages))


def test_abstained_rows_get_the_label_and_others_the_models(credit: Any, logreg: Any) -> None:
    model = Abstain(logreg, threshold=0.2).fit(credit.X, credit.y)
    pred = model.predict(credit.X_val)
    covered = model.covered(credit.X_val)
    assert pred.dtype.kind == "i"
    assert set(np.unique(pred)) == {-1, 0, 1}
    assert np.array_equal(pred == -1, ~covered)
    plain = model.estimator_.predict(credit.X_val)
    assert np.array_equal(pred[covered], plain[covered])
    p = model.predict_proba(credit.X_val)[:, 1]
    assert np.all(np.abs(p[~covered] - 0.5) < 0.2)
    labels = np.where(credit.y == 1, "good", "bad")
    named = Abstain(logreg, threshold=0.2, abstain_label="unsure").fit(credit.X, labels)
    assert set(named.predict(credit.X_val)) == {"good", "bad", "unsure"}


def test_per_group_thresholds_give_each_group_the_same_coverage(credit: Any, logreg: Any) -> None:
    groups = np.asarray(credit.groups).ravel()
    shared = Abstain(logreg, threshold=0.15).fit(credit.X, credit.y)
    model = Abstain(logreg, threshold=0.15, per_group=True)
    model.fit(credit.X, credit.y, sensitive_features=credit.groups)
    assert model.coverage_ == shared.coverage_
    assert set(model.thresholds_) == {"female", "male"}
    covered = model.covered(credit.X, credit.groups)
    own = shared.covered(credit.X)
    for group in ("female", "male"):
        rows = groups == group
        assert covered[rows].mean() == pytest.approx(model.coverage_, abs=1 / rows.sum() + 1e-9)
    # the shared threshold leaves the groups' coverage apart; per group it is (about) equal
    gap = abs(own[groups == "female"].mean() - own[groups == "male"].mean())
    assert gap > 0.05
    with pytest.raises(MitigationInputError, match="needs sensitive_features"):
        model.predict(credit.X)
    with pytest.raises(MitigationInputError, match="were not in the data"):
        model.coverage(credit.X[:1], ["other"])


def test_parameters_round_trip_and_bad_settings_are_named(credit: Any, logreg: Any) -> None:
    model = Abstain(logreg, threshold=0.2, per_group=True, abstain_label=9)
    copy = clone(model)
    assert copy.get_params() == {**model.get_params(), "estimator": copy.estimator}
    assert copy.get_params()["estimator__max_iter"] == 500
    with pytest.raises(MitigationInputError, match=r"must be in \[0, 0.5\]"):
        Abstain(logreg, threshold=0.7).fit(credit.X, credit.y)
    with pytest.raises(MitigationInputError, match="is one of the classes"):
        Abstain(logreg, abstain_label=1).fit(credit.X, credit.y)
    with pytest.raises(MitigationInputError, match="CalibratedClassifierCV"):
        Abstain(LinearSVC()).fit(credit.X, credit.y)
    with pytest.raises(MitigationInputError, match="single group"):
        Abstain(logreg, per_group=True).fit(credit.X, credit.y, sensitive_features=["a"] * 600)
