"""The quick-start demo behind ``paretune demo``.

It tunes a logistic-regression classifier, trained with numpy, on a synthetic credit-style
data set in which one group's labels are noisier, for validation accuracy against the
equalized-odds difference between the two groups, under a p99 single-row latency limit. It
stores the study in the given storage (an SQLite file by default) and prints the Pareto
front. The full demo on real data (Adult) replaces it once the evaluation layer lands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paretune.study import create_study
from paretune.trial import Trial

DEMO_STUDY_NAME = "demo"
"""The name of the study the demo writes."""


@dataclass(frozen=True)
class _Data:
    x_train: np.ndarray
    y_train: np.ndarray
    g_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    g_val: np.ndarray


def make_data(seed: int = 0, n: int = 6000, d: int = 8) -> _Data:
    """Synthetic binary task with a two-valued sensitive feature.

    Group 1 is a minority (30%) whose features are shifted and whose labels flip more often,
    so a model tuned only for accuracy treats the groups unequally.
    """
    rng = np.random.default_rng(seed)
    group = (rng.random(n) < 0.3).astype(int)
    x = rng.normal(size=(n, d)) + group[:, None] * 0.6
    w = rng.normal(size=d)
    logits = x @ w - 0.8 * group
    y = (logits + rng.normal(scale=1.0 + group, size=n) > 0).astype(int)
    cut = int(0.7 * n)
    return _Data(x[:cut], y[:cut], group[:cut], x[cut:], y[cut:], group[cut:])


def _train(data: _Data, lr: float, epochs: int, l2: float, group_weight: float) -> np.ndarray:
    x = np.hstack([data.x_train, np.ones((len(data.x_train), 1))])
    weights = np.where(data.g_train == 1, group_weight, 1.0)
    weights = weights / weights.mean()
    w = np.zeros(x.shape[1])
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ ((p - data.y_train) * weights) / len(x) + l2 * w
        w -= lr * grad
    return w


def equalized_odds_difference(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> float:
    """Largest gap between the groups' true-positive and false-positive rates."""
    gaps = []
    for label in (1, 0):
        rates = [pred[(group == g) & (y == label)].mean() for g in (0, 1)]
        gaps.append(abs(rates[0] - rates[1]))
    return float(max(gaps))


def _latency_p99_ms(w: np.ndarray, rows: np.ndarray, threshold: float) -> float:
    samples = []
    for row in rows:
        start = time.perf_counter()
        _ = float(np.dot(row, w[:-1]) + w[-1]) > threshold
        samples.append((time.perf_counter() - start) * 1000.0)
    return float(np.percentile(samples, 99))


def make_objective(data: _Data) -> Callable[[Trial], dict[str, float]]:
    """The demo's objective: train, then measure accuracy, fairness and latency."""

    def objective(trial: Trial) -> dict[str, float]:
        lr = trial.suggest_float("lr", 1e-3, 3.0, log=True)
        epochs = trial.suggest_int("epochs", 10, 300, log=True)
        l2 = trial.suggest_float("l2", 1e-5, 1e-1, log=True)
        group_weight = trial.suggest_float("group_weight", 0.5, 4.0)
        threshold = trial.suggest_float("threshold", -1.0, 1.0)
        w = _train(data, lr, epochs, l2, group_weight)
        scores = data.x_val @ w[:-1] + w[-1]
        pred = (scores > threshold).astype(int)
        return {
            "accuracy": float((pred == data.y_val).mean()),
            "eo_diff": equalized_odds_difference(data.y_val, pred, data.g_val),
            "latency_p99_ms": _latency_p99_ms(w, data.x_val[:200], threshold),
        }

    return objective


def run_demo(
    *, storage: str, n_trials: int = 60, seed: int = 0, echo: Callable[[str], None] = print
) -> None:
    """Run the demo study and print its Pareto front.

    Args:
        storage: Database URL for the study.
        n_trials: Trials to run in this call (the study accumulates across calls).
        seed: Seed for the data and the sampler.
        echo: Where to print.
    """
    data = make_data(seed)
    study = create_study(
        study_name=DEMO_STUDY_NAME,
        objectives={"accuracy": "maximize", "eo_diff": "minimize"},
        constraints={"latency_p99_ms": ("<=", 20.0)},
        storage=storage,
        seed=seed,
        load_if_exists=True,
    )
    echo(f"Tuning {n_trials} trials of study {study.name!r} in {storage} ...")

    def progress(_study: object, record: object) -> None:
        number = getattr(record, "number", 0)
        if (number + 1) % 10 == 0:
            echo(f"  {number + 1} trials done")

    started = time.perf_counter()
    study.optimize(make_objective(data), n_trials=n_trials, callbacks=[progress])
    front = sorted(study.pareto_front(), key=lambda t: (-t.metrics["accuracy"], t.number))
    echo(f"Done in {time.perf_counter() - started:.1f} s. Pareto front ({len(front)} trials):")
    echo(f"  {'trial':>5}  {'accuracy':>8}  {'eo_diff':>7}  {'p99 ms':>7}")
    shown: dict[tuple[float, float], int] = {}
    for t in front:  # trials with the same accuracy and fairness are shown once
        key = (round(t.metrics["accuracy"], 4), round(t.metrics["eo_diff"], 4))
        shown[key] = shown.get(key, 0) + 1
        if shown[key] == 1:
            echo(
                f"  {t.number:>5}  {t.metrics['accuracy']:>8.4f}  {t.metrics['eo_diff']:>7.4f}  "
                f"{t.metrics['latency_p99_ms']:>7.4f}"
            )
    repeats = sum(n - 1 for n in shown.values())
    if repeats:
        echo(f"  ({repeats} more trials share the accuracy and eo_diff of one shown above)")
    echo(f"Stored in {storage} as study {study.name!r}.")
