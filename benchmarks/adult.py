"""The real task of the sampler benchmark: a fair, fast classifier for UCI Adult.

Tune a scikit-learn model on Adult (Becker and Kohavi 1996, CC BY 4.0; the compressed copy
that paretune ships, ``src/paretune/datasets/data/adult.csv.gz``, byte for byte the UCI
``adult.data`` once decompressed) for validation accuracy against the equalized-odds
difference between sexes (fairlearn), under a prediction-latency constraint: predicting a
batch of 1,000 rows must take at most ``LATENCY_BUDGET_MS``. The model family is part of
the search (gradient boosting or logistic regression, each with its own knobs), so the
space is conditional. The test split is never used.

The benchmark's score uses the best-known front: the union of the feasible points that
all contenders found, since no true front exists for real data
(:func:`harness.score.with_best_known_front`).
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

import numpy as np

from harness.problem import FrontProblem

LATENCY_BUDGET_MS = 15.0
"""Largest allowed time to predict 1,000 rows, in milliseconds."""

REFERENCE = (0.3, 0.3)
"""Hypervolume reference: error rate 0.3 (worse than always predicting <=50K), EO gap 0.3."""

DATA = (
    Path(__file__).resolve().parents[1] / "src" / "paretune" / "datasets" / "data" / "adult.csv.gz"
)
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]  # fmt: skip


@functools.cache
def load(n_train: int = 4000, n_val: int = 3000, seed: int = 0) -> dict[str, Any]:
    """Encoded train and validation splits (a fixed random subsample, for speed)."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(DATA, header=None, names=COLUMNS, skipinitialspace=True, na_values="?")
    frame = frame.dropna().sample(frac=1.0, random_state=seed).reset_index(drop=True)
    y = (frame.pop("income") == ">50K").to_numpy(dtype=int)
    sex = frame["sex"].to_numpy()
    categorical = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numeric = [c for c in frame.columns if c not in categorical]
    encoder = ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
        ]
    )
    train = slice(0, n_train)
    val = slice(n_train, n_train + n_val)
    x_train = encoder.fit_transform(frame.iloc[train])
    return {
        "x_train": x_train,
        "y_train": y[train],
        "x_val": encoder.transform(frame.iloc[val]),
        "y_val": y[val],
        "sex_val": sex[val],
    }


def latency_ms(model: Any, batch: np.ndarray) -> float:
    """Median of 5 timed ``predict_proba`` calls on ``batch`` after one warm-up, in ms."""
    model.predict_proba(batch)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        model.predict_proba(batch)
        timings.append((time.perf_counter() - start) * 1000.0)
    return float(np.median(timings))


def suggest(trial: Any) -> dict[str, Any]:
    """The conditional search space."""
    p: dict[str, Any] = {"model": trial.suggest_categorical("model", ["hgb", "logreg"])}
    if p["model"] == "hgb":
        p["learning_rate"] = trial.suggest_float("learning_rate", 0.01, 0.5, log=True)
        p["max_iter"] = trial.suggest_int("max_iter", 10, 150, log=True)
        p["max_leaf_nodes"] = trial.suggest_int("max_leaf_nodes", 4, 64, log=True)
        p["l2"] = trial.suggest_float("l2", 1e-6, 10.0, log=True)
    else:
        p["C"] = trial.suggest_float("C", 1e-4, 100.0, log=True)
    p["threshold"] = trial.suggest_float("threshold", 0.2, 0.8)
    return p


def evaluate(p: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Train, then return ([1 - accuracy, EO difference], [latency - budget])."""
    from fairlearn.metrics import equalized_odds_difference
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    data = load()
    if p["model"] == "hgb":
        model: Any = HistGradientBoostingClassifier(
            learning_rate=p["learning_rate"],
            max_iter=p["max_iter"],
            max_leaf_nodes=p["max_leaf_nodes"],
            l2_regularization=p["l2"],
            random_state=0,
        )
    else:
        model = LogisticRegression(C=p["C"], max_iter=300)
    model.fit(data["x_train"], data["y_train"])
    latency = latency_ms(model, data["x_val"][:1000])
    pred = (model.predict_proba(data["x_val"])[:, 1] >= p["threshold"]).astype(int)
    accuracy = float((pred == data["y_val"]).mean())
    eo = float(equalized_odds_difference(data["y_val"], pred, sensitive_features=data["sex_val"]))
    return [1.0 - accuracy, eo], [latency - LATENCY_BUDGET_MS]


def problem() -> FrontProblem:
    """The task as a problem whose front is unknown: score it after the runs, on
    :func:`harness.score.with_best_known_front`."""
    return FrontProblem(
        "Adult", 2, 1, suggest, evaluate, REFERENCE, lambda: np.zeros((0, 2)),
        libraries=("numpy", "pandas", "scikit-learn", "fairlearn"),
    )  # fmt: skip
