"""``pt.evaluate.classifier`` with mitigated models: coverage, covered rows, groups at predict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.pipeline import make_pipeline

import paretune as pt
from paretune.exceptions import EvaluationInputError
from paretune.exceptions import MitigationInputError
from paretune.mitigation import Abstain
from paretune.mitigation import GroupThresholds

FAIR = ["accuracy", "equalized_odds_difference", "roc_auc"]


def test_coverage_is_reported_and_figures_use_the_covered_rows(credit: Any, logreg: Any) -> None:
    model = Abstain(logreg, threshold=0.2).fit(credit.X, credit.y)
    m = pt.evaluate.classifier(
        model,
        credit.X_val,
        credit.y_val,
        sensitive_features=credit.groups_val,
        metrics=[*FAIR, "coverage"],
        min_group_size=10,
    )
    covered = model.covered(credit.X_val)
    assert m["coverage"] == pytest.approx(model.coverage(credit.X_val)) == covered.mean()
    assert 0.5 < m["coverage"] < 0.9
    y, pred = credit.y_val[covered], model.predict(credit.X_val)[covered]
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    proba = model.predict_proba(credit.X_val)[covered, 1]
    assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba))
    from fairlearn.metrics import equalized_odds_difference

    groups = np.asarray(credit.groups_val).ravel()[covered]
    expected = equalized_odds_difference(y, pred, sensitive_features=groups)
    assert m["equalized_odds_difference"] == pytest.approx(expected)
    table = m.by_group["sex9"]
    for group in ("female", "male"):
        rows = np.asarray(credit.groups_val).ravel() == group
        assert table[group]["coverage"] == pytest.approx(covered[rows].mean())
        assert table[group]["count"] == covered[rows].sum()


def test_models_that_never_abstain_have_full_coverage(credit: Any, logreg: Any) -> None:
    plain = logreg.fit(credit.X, credit.y)
    m = pt.evaluate.classifier(plain, credit.X_val, credit.y_val, metrics=["coverage"])
    assert dict(m) == {"coverage": 1.0}
    defaults = pt.evaluate.classifier(
        Abstain(logreg, threshold=0.1).fit(credit.X, credit.y),
        credit.X_val,
        credit.y_val,
        metrics=None,
        latency=pt.evaluate.LatencyProtocol(single_repeats=5, batch_repeats=1, max_seconds=0.1),
    )
    assert "coverage" in defaults and defaults["coverage"] < 1.0


def test_an_abstaining_pipeline_and_total_abstention(credit: Any, logreg: Any) -> None:
    data = credit.data
    model = make_pipeline(data.preprocessor(), Abstain(logreg, threshold=0.15))
    model.fit(data.train.X, data.train.y)
    m = pt.evaluate.classifier(model, data.validation.X, data.validation.y, metrics=["coverage"])
    assert m["coverage"] == pytest.approx(
        model[-1].coverage(model[:-1].transform(data.validation.X))
    )
    everything = Abstain(logreg, threshold=0.5).fit(credit.X, credit.y)
    with pytest.raises(EvaluationInputError, match="abstained on all 200 rows"):
        pt.evaluate.classifier(everything, credit.X_val, credit.y_val, metrics=["accuracy"])


def test_a_study_can_constrain_coverage(credit: Any, logreg: Any) -> None:
    study = pt.create_study(
        objectives={"accuracy": "maximize"},
        constraints={"coverage": (">=", 0.9)},
        sampler=pt.samplers.RandomSampler(seed=0),
    )
    for threshold in (0.02, 0.3):
        trial = study.ask()
        model = Abstain(logreg, threshold=threshold).fit(credit.X, credit.y)
        study.tell(
            trial,
            pt.evaluate.classifier(
                model, credit.X_val, credit.y_val, metrics=["accuracy", "coverage"]
            ),
        )
    feasible = [t.feasible for t in study.trials]
    assert feasible == [True, False]


def test_groups_reach_a_model_that_needs_them_at_predict(credit: Any, logreg: Any) -> None:
    model = GroupThresholds(logreg, random_state=0)
    model.fit(credit.X, credit.y, sensitive_features=credit.groups)
    m = pt.evaluate.classifier(
        model,
        credit.X_val,
        credit.y_val,
        sensitive_features=credit.groups_val,
        metrics=["accuracy", "coverage"],
        robustness=pt.evaluate.Robustness(noise=(0.1,), missing=(), flips=()),
    )
    pred = model.predict(credit.X_val, sensitive_features=credit.groups_val)
    assert m["accuracy"] == pytest.approx(np.mean(pred == credit.y_val))
    assert m["coverage"] == 1.0
    assert "accuracy_noise_0.1" in m
    with pytest.raises(MitigationInputError, match=r"GroupThresholds\.predict needs sensitive"):
        pt.evaluate.classifier(model, credit.X_val, credit.y_val, metrics=["accuracy"])
