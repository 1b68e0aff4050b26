"""Real studies, built once per session in memory: every plot is drawn from these."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

import paretune as pt
from paretune.exceptions import FailedTrialsWarning

pytest.importorskip("plotly")


def _two(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    depth = trial.suggest_int("depth", 1, 8)
    shift = {"a": 0.0, "b": 0.05, "c": 0.1}[kind]
    return {
        "error": x + shift,
        "accuracy": 1.0 - (1.0 - x) ** 2 - shift,
        "latency_ms": 10.0 * x + 2.0 * math.log10(lr) + depth,
    }


@pytest.fixture(scope="session")
def constrained() -> pt.Study:
    """Two objectives (one maximised), a hard constraint that about half the trials break."""
    study = pt.create_study(
        study_name="constrained",
        objectives={"error": "minimize", "accuracy": "maximize"},
        constraints={"latency_ms": ("<=", 5.0)},
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
    )
    study.optimize(_two, n_trials=40)
    return study


def _failing(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    if x > 0.8:
        raise RuntimeError("diverged")
    if x < 0.15:
        return {"f1": math.nan, "f2": 1.0}
    return {"f1": x, "f2": (1.0 - x) ** 2}


@pytest.fixture(scope="session")
def failing() -> pt.Study:
    """Two objectives; the objective raises on part of the space and returns NaN on another."""
    study = pt.create_study(
        study_name="failing",
        objectives={"f1": "minimize", "f2": "minimize"},
        sampler=pt.samplers.RandomSampler(seed=1),
        seed=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FailedTrialsWarning)
        study.optimize(_failing, n_trials=30)
    return study


def _many(trial: pt.Trial) -> dict[str, float]:
    xs = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(3)]
    total = sum(xs) or 1.0
    return {f"f{i}": x / total for i, x in enumerate([*xs, 1.0 - xs[0]])}


@pytest.fixture(scope="session")
def three() -> pt.Study:
    study = pt.create_study(
        study_name="three",
        objectives={"f0": "minimize", "f1": "minimize", "f2": "maximize"},
        sampler=pt.samplers.TPESampler(seed=2),
        seed=2,
    )
    study.optimize(lambda t: {k: v for k, v in _many(t).items() if k != "f3"}, n_trials=25)
    return study


@pytest.fixture(scope="session")
def four() -> pt.Study:
    study = pt.create_study(
        study_name="four",
        objectives={"f0": "minimize", "f1": "minimize", "f2": "minimize", "f3": "maximize"},
        sampler=pt.samplers.RandomSampler(seed=3),
        seed=3,
    )
    study.optimize(_many, n_trials=25)
    return study


def _budgeted(trial: pt.Trial) -> dict[str, float]:
    width = trial.suggest_int("width", 8, 256, log=True)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    error = 0.1 + 0.05 * abs(math.log10(lr) + 2.5) + 1.0 / (float(trial.budget) * math.sqrt(width))
    return {"error": error, "size": float(width)}


@pytest.fixture(scope="session")
def budgeted() -> pt.Study:
    """A budgeted multi-fidelity study: epochs 1 to 27, Hyperband."""
    study = pt.create_study(
        study_name="budgeted",
        objectives={"error": "minimize", "size": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 27),
        scheduler=pt.schedulers.HyperbandScheduler(eta=3),
        sampler=pt.samplers.RandomSampler(seed=4),
        seed=4,
    )
    study.optimize(_budgeted, n_trials=60)
    return study


@pytest.fixture(scope="session")
def grouped() -> pt.Study:
    """Logistic regressions on German credit; each trial stores its per-group breakdown."""
    pytest.importorskip("sklearn")
    pytest.importorskip("fairlearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    data = pt.datasets.load_german_credit()

    def objective(trial: pt.Trial) -> Any:
        c = trial.suggest_float("C", 1e-3, 10.0, log=True)
        model = make_pipeline(data.preprocessor(), LogisticRegression(C=c, max_iter=1000))
        model.fit(data.train.X, data.train.y)
        return pt.evaluate.classifier(
            model,
            data.validation.X,
            data.validation.y,
            sensitive_features=data.validation.sensitive,
            metrics=["accuracy", "equalized_odds_difference"],
        )

    study = pt.create_study(
        study_name="grouped",
        objectives={"accuracy": "maximize", "equalized_odds_difference": "minimize"},
        sampler=pt.samplers.RandomSampler(seed=5),
        seed=5,
    )
    study.optimize(objective, n_trials=6)
    return study


@pytest.fixture
def empty() -> pt.Study:
    return pt.create_study(
        study_name="empty",
        objectives={"loss": "minimize", "gain": "maximize"},
        constraints={"size": ("<=", 1.0)},
    )
