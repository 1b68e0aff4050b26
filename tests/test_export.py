"""Refit, test once and save: the model file and its card."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import paretune as pt

pytest.importorskip("sklearn")


def test_export_refits_tests_once_and_writes_model_and_card(tmp_path) -> None:
    from sklearn.linear_model import LogisticRegression

    data = pt.datasets.load_german_credit()
    encode = data.preprocessor().fit(data.train.X)
    X_train, X_val = encode.transform(data.train.X), encode.transform(data.validation.X)

    def objective(trial: pt.Trial) -> pt.evaluate.Evaluation:
        model = LogisticRegression(C=trial.suggest_float("C", 1e-3, 10, log=True), max_iter=500)
        model.fit(X_train, data.train.y)
        return pt.evaluate.classifier(model, X_val, data.validation.y, metrics=["accuracy"])

    study = pt.create_study(
        objectives={"accuracy": "maximize"}, sampler=pt.samplers.RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=5)
    chosen = study.pareto_front()[0]

    def objective_for(params: dict[str, float]) -> dict[str, float]:
        model = LogisticRegression(C=params["C"], max_iter=500).fit(X_train, data.train.y)
        return {"accuracy": float(model.score(X_val, data.validation.y))}

    study.reevaluate(lambda params, seed: objective_for(params), trials=[chosen], repeats=2)
    X_all = np.vstack([X_train, X_val])
    y_all = np.concatenate([data.train.y, data.validation.y])

    def refit(params: dict[str, float]) -> LogisticRegression:
        return LogisticRegression(C=params["C"], max_iter=500).fit(X_all, y_all)

    test = data.test_split()
    X_test = encode.transform(test.X)
    card = pt.analysis.export_model(
        study,
        chosen,
        refit,
        X_test,
        test.y,
        tmp_path / "shipped",
        rule="best accuracy",
        fingerprint=(X_all, y_all),
    )
    with open(tmp_path / "shipped" / "model.pkl", "rb") as handle:
        model = pickle.load(handle)
    assert card.test["accuracy"] == pytest.approx(model.score(X_test, test.y))
    low, high = card.test_intervals["accuracy"]
    assert low <= card.test["accuracy"] <= high
    stored = json.loads((tmp_path / "shipped" / "model_card.json").read_text())
    assert stored["trial"] == chosen.number and stored["params"] == dict(chosen.params)
    assert stored["rule"] == "best accuracy" and stored["repeats"]["n"] == 2
    assert stored["validation"] == dict(chosen.metrics)
    assert set(stored["data"]) == {"test", "train"} and len(stored["data"]["test"]) == 64
    assert stored["data"]["test"] == pt.analysis.data_fingerprint(X_test, test.y)
    assert "python" in stored["environment"]
