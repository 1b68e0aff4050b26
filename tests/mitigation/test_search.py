"""``suggest``, ``build`` and ``fit``: the choice of mitigation inside a study."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

import paretune as pt
from paretune.exceptions import MitigationInputError
from paretune.mitigation import Abstain
from paretune.mitigation import GroupThresholds
from paretune.mitigation import Reduction

QUICK = {"reduction": {"max_iter": 5}}  # keeps the exponentiated gradient short

KINDS = {
    "none": LogisticRegression,
    "reduction": Reduction,
    "thresholds": GroupThresholds,
    "abstain": Abstain,
}


def test_a_short_study_compares_every_method_on_one_front(credit: Any) -> None:
    base = LogisticRegression(max_iter=500)
    study = pt.create_study(
        objectives={"accuracy": "maximize", "equalized_odds_difference": "minimize"},
        constraints={"coverage": (">=", 0.6)},
        sampler=pt.samplers.TPESampler(seed=0, n_startup_trials=4),
    )
    for method in pt.mitigation.METHODS:  # each method once, then the sampler's picks
        study.enqueue({"mitigation": method})
    built: dict[int, Any] = {}

    def objective(trial: pt.Trial) -> pt.evaluate.Evaluation:
        model = pt.mitigation.suggest(trial, base, settings=QUICK, random_state=0)
        assert isinstance(model, KINDS[trial.params["mitigation"]])
        pt.mitigation.fit(model, credit.X, credit.y, sensitive_features=credit.groups)
        built[trial.number] = model
        return pt.evaluate.classifier(
            model,
            credit.X_val,
            credit.y_val,
            sensitive_features=credit.groups_val,
            metrics=["accuracy", "equalized_odds_difference", "coverage"],
            min_group_size=10,
        )

    study.optimize(objective, n_trials=8, catch=())
    trials = study.trials
    assert len(trials) == 8 and all(t.state is pt.TrialState.COMPLETE for t in trials)
    assert {t.params["mitigation"] for t in trials} == set(pt.mitigation.METHODS)
    front = study.pareto_front()
    assert len({t.params["mitigation"] for t in front}) >= 2
    for record in trials:  # each trial's estimator can be rebuilt from its parameters
        again = pt.mitigation.build(record.params, base, settings=QUICK, random_state=0)
        assert type(again) is type(built[record.number])
        assert repr(again.get_params()) == repr(clone(built[record.number]).get_params())


def test_the_space_holds_each_methods_knobs(credit: Any) -> None:
    study = pt.create_study(
        objectives={"accuracy": "maximize"}, sampler=pt.samplers.RandomSampler(seed=0)
    )
    for method in ("reduction", "thresholds", "abstain"):
        study.enqueue({"mitigation": method})
    methods = ("reduction", "thresholds", "abstain")
    constraints = ("demographic_parity", "error_rate_parity")
    seen = {}
    for _ in methods:
        trial = study.ask()
        model = pt.mitigation.suggest(trial, LogisticRegression(), methods, constraints=constraints)
        seen[trial.params["mitigation"]] = (trial.params, model)
        study.tell(trial, {"accuracy": 0.5})
    reduction = seen["reduction"][0]
    assert reduction["reduction_constraint"] in constraints
    assert pt.mitigation.EPS_RANGE[0] <= reduction["reduction_eps"] <= pt.mitigation.EPS_RANGE[1]
    assert seen["thresholds"][0]["thresholds_constraint"] == "demographic_parity"
    assert seen["abstain"][1].per_group == seen["abstain"][0]["abstain_per_group"]
    trial = study.ask()
    fixed = pt.mitigation.suggest(
        trial,
        LogisticRegression(),
        ["reduction"],
        settings={"reduction": {"method": "grid_search", "eps": 0.1, "grid_size": 4}},
    )
    assert (fixed.method, fixed.eps, fixed.grid_size) == ("grid_search", 0.1, 4)
    assert "reduction_eps" not in trial.params and "reduction_constraint" in trial.params


def test_suggest_refuses_what_cannot_work() -> None:
    trial = pt.create_study(
        objectives={"a": "minimize"}, sampler=pt.samplers.RandomSampler(seed=0)
    ).ask()
    with pytest.raises(MitigationInputError, match="or use GroupThresholds"):
        pt.mitigation.suggest(trial, KNeighborsClassifier())
    with pytest.raises(MitigationInputError, match="methods must be distinct names"):
        pt.mitigation.suggest(trial, LogisticRegression(), ["none", "magic"])
    with pytest.raises(MitigationInputError, match="available to GroupThresholds"):
        pt.mitigation.suggest(trial, LogisticRegression(), constraints=["error_rate_parity"])
    assert isinstance(
        pt.mitigation.suggest(trial, KNeighborsClassifier(), ["thresholds"]), GroupThresholds
    )
    with pytest.raises(MitigationInputError, match=r"settings has keys \['none'\]"):
        pt.mitigation.suggest(trial, LogisticRegression(), settings={"none": {}})
    with pytest.raises(MitigationInputError, match="have no 'reduction_eps'"):
        pt.mitigation.build(
            {"mitigation": "reduction", "reduction_constraint": "equalized_odds"},
            LogisticRegression(),
        )


def test_fit_hands_groups_through_a_pipeline_with_or_without_routing(credit: Any) -> None:
    data = credit.data
    model = make_pipeline(
        data.preprocessor(), GroupThresholds(LogisticRegression(max_iter=500), random_state=0)
    )
    pt.mitigation.fit(model, data.train.X, data.train.y, sensitive_features=data.train.sensitive)
    pred = model.predict(data.validation.X, sensitive_features=data.validation.sensitive)
    m = pt.evaluate.classifier(
        model,
        data.validation.X,
        data.validation.y,
        sensitive_features=data.validation.sensitive,
        metrics=["accuracy"],
    )
    assert m["accuracy"] == pytest.approx(np.mean(pred == data.validation.y))
    plain = pt.mitigation.fit(
        LogisticRegression(), credit.X, credit.y, sensitive_features=credit.groups
    )
    assert hasattr(plain, "coef_")  # groups are not passed to a model that takes none

    with sklearn.config_context(enable_metadata_routing=True):
        step = GroupThresholds(LogisticRegression(max_iter=500), random_state=0)
        step.set_fit_request(sensitive_features=True).set_predict_request(sensitive_features=True)
        routed = make_pipeline(data.preprocessor(), step)
        routed.fit(data.train.X, data.train.y, sensitive_features=data.train.sensitive)
        again = routed.predict(data.validation.X, sensitive_features=data.validation.sensitive)
        assert np.array_equal(again, pred)
        reduction = Reduction(LogisticRegression(max_iter=500), max_iter=2, run_linprog_step=False)
        reduction.set_fit_request(sensitive_features=True)
        fitted = pt.mitigation.fit(
            make_pipeline(data.preprocessor(), reduction),
            data.train.X,
            data.train.y,
            sensitive_features=data.train.sensitive,
        )
        assert fitted.predict(data.validation.X).shape == (len(data.validation),)
