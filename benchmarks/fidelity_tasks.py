"""The multi-fidelity benchmark's tasks and the studies its contenders run on them.

Two tasks on UCI Adult (``adult.py``'s copy and split), each for validation accuracy
against the equalized-odds difference between sexes, under a prediction-latency
constraint (time to predict 1,000 rows): ``mlp``, an MLP trained epoch by epoch (fidelity
``epochs`` 1..27, a promoted configuration resumes from its parent's checkpoint), and
``hgb``, gradient boosting on a fraction of the training rows (fidelity
``data_fraction`` 1/27..1, retrained from scratch at every budget).

A run spends a budget of seconds of training; its history is one entry per evaluation:
``(cumulative training seconds, full budget?, error, EO difference, latency ms, trial)``.
"""

from __future__ import annotations

import copy
import logging
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import adult

LATENCY_MS = {"mlp": 2.0, "hgb": 15.0}
"""Largest allowed time to predict 1,000 rows, per task."""
FIDELITY = {"mlp": ("epochs", 1, 27), "hgb": ("data_fraction", 1 / 27, 1.0)}
"""Each task's fidelity: name, lowest and highest budget."""
TRAIN_ROWS = {"mlp": 4000, "hgb": 8000}
"""Default training rows per task: 4,000 keep the MLP's 27-epoch run near a second;
boosting gets 8,000 so that its lowest data fraction holds about 300 rows."""
VALIDATION_ROWS = 4000

Spec = tuple[str, Mapping[str, Any]] | None
"""A sampler or scheduler as a contender's settings name it: class name and keyword
arguments (None: the study's default)."""


def _mlp(p: Mapping[str, Any]) -> Any:
    """A new, untrained MLP for the parameters ``p`` (trained epoch by epoch)."""
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=(p["hidden"],),
        alpha=p["alpha"],
        learning_rate_init=p["lr"],
        batch_size=p["batch"],
        random_state=0,
    )


@dataclass(frozen=True)
class Task:
    """One task: its space, its training at a budget and its scoring. Implements
    :class:`harness.problem.Named`; ``settings`` hold what defines its runs."""

    name: str
    train_rows: int
    libraries: tuple[str, ...] = ("paretune", "numpy", "pandas", "scikit-learn", "fairlearn")

    @property
    def settings(self) -> dict[str, Any]:
        """Rows, latency bound and fidelity: part of the cache key."""
        return {
            "train_rows": self.train_rows,
            "validation_rows": VALIDATION_ROWS,
            "latency_ms": LATENCY_MS[self.name],
            "fidelity": list(FIDELITY[self.name]),
        }

    def data(self) -> dict[str, Any]:
        """The encoded splits (loaded once per process)."""
        return adult.load(n_train=self.train_rows, n_val=VALIDATION_ROWS)

    def metrics(self) -> dict[str, Any]:
        """Objectives and latency constraint of every paretune study of the task. Latency
        does not change with the MLP's epochs, so there it may stop a trial at once."""
        import paretune as pt

        behaviour = "independent" if self.name == "mlp" else "varies"
        bound = LATENCY_MS[self.name]
        return {
            "objectives": {"accuracy": "maximize", "eo_diff": "minimize"},
            "constraints": {
                "latency_ms": pt.Constraint("latency_ms", "<=", bound, fidelity_behaviour=behaviour)
            },
        }

    def suggest(self, trial: Any) -> dict[str, Any]:
        """The search space (the same for paretune and Optuna trials)."""
        p: dict[str, Any] = {}
        if self.name == "mlp":
            p["hidden"] = trial.suggest_int("hidden", 8, 256, log=True)
            p["alpha"] = trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
            p["lr"] = trial.suggest_float("lr", 1e-4, 3e-2, log=True)
            p["batch"] = trial.suggest_int("batch", 128, 1024, log=True)
        else:
            p["learning_rate"] = trial.suggest_float("learning_rate", 0.01, 0.5, log=True)
            p["max_iter"] = trial.suggest_int("max_iter", 10, 200, log=True)
            p["max_leaf_nodes"] = trial.suggest_int("max_leaf_nodes", 4, 64, log=True)
            p["l2"] = trial.suggest_float("l2", 1e-6, 10.0, log=True)
        p["threshold"] = trial.suggest_float("threshold", 0.2, 0.8)
        return p

    def train(
        self,
        p: Mapping[str, Any],
        budget: float,
        key: int,
        previous: tuple[int, float] | None,
        checkpoints: dict[int, Any],
    ) -> dict[str, float]:
        """Train at ``budget`` (the MLP resuming from ``checkpoints[previous[0]]``, trained
        to ``previous[1]`` epochs, and kept as ``checkpoints[key]``), then evaluate."""
        data = self.data()
        start = time.perf_counter()
        if self.name == "mlp":
            if previous is not None and previous[0] in checkpoints:
                model = copy.deepcopy(checkpoints[previous[0]])
                done = int(previous[1])
            else:
                model = _mlp(p)
                done = 0
            for _ in range(int(budget) - done):
                model.partial_fit(data["x_train"], data["y_train"], classes=[0, 1])
            checkpoints[key] = model
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier

            n = max(50, round(budget * len(data["y_train"])))
            model = HistGradientBoostingClassifier(
                learning_rate=p["learning_rate"],
                max_iter=p["max_iter"],
                max_leaf_nodes=p["max_leaf_nodes"],
                l2_regularization=p["l2"],
                early_stopping=False,
                random_state=0,
            )
            model.fit(data["x_train"][:n], data["y_train"][:n])
        train_s = time.perf_counter() - start
        return self.measure(model, p, data) | {"train_s": train_s}

    @staticmethod
    def measure(model: Any, p: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, float]:
        """Validation accuracy and equalized-odds difference, through ``pt.evaluate`` as a
        paretune user would score a trial, and latency of a trained model."""
        import paretune as pt

        m = pt.evaluate.classifier(
            model,
            data["x_val"],
            data["y_val"],
            sensitive_features=data["sex_val"],
            metrics=["accuracy", "equalized_odds_difference"],
            threshold=p["threshold"],
            full_group_table=False,
        )
        latency = adult.latency_ms(model, data["x_val"][:1000])
        return {
            "accuracy": m["accuracy"],
            "eo_diff": m["equalized_odds_difference"],
            "latency_ms": latency,
        }


def _quiet() -> None:
    warnings.filterwarnings("ignore")
    logging.getLogger("paretune").setLevel(logging.WARNING)


def _build(module: Any, spec: Spec, **extra: Any) -> Any:
    """``module.<class>(**kwargs, **extra)`` for ``spec = (class, kwargs)``; None for None."""
    return None if spec is None else getattr(module, spec[0])(**spec[1], **extra)


def run_paretune(
    task: Task,
    seed: int,
    compute: float,
    fidelity: bool,
    sampler: Spec = None,
    scheduler: Spec = None,
    studies: list[Any] | None = None,
) -> list[tuple]:
    """A paretune study until ``compute`` seconds of training: with the task's fidelity
    or every trial at the full budget, ``sampler`` (given the seed) and ``scheduler``.
    ``studies``, when given, receives the study (for its calibration report)."""
    import paretune as pt

    _quiet()
    name, low, high = FIDELITY[task.name]
    study = pt.create_study(
        **task.metrics(),
        fidelity=pt.Fidelity(name, low, high) if fidelity else None,
        sampler=_build(pt.samplers, sampler, seed=seed),
        scheduler=_build(pt.schedulers, scheduler),
        seed=seed,
    )
    history: list[tuple] = []
    spent = [0.0]
    checkpoints: dict[int, Any] = {}

    def objective(trial: pt.Trial) -> dict[str, float]:
        p = task.suggest(trial)
        budget = trial.budget if fidelity else high
        parent = trial.previous_trial
        previous = None if parent is None else (parent.number, float(trial.previous_budget))
        m = task.train(p, float(budget), trial.number, previous, checkpoints)
        spent[0] += m["train_s"]
        full = bool(np.isclose(float(budget), high))
        history.append(
            (spent[0], full, 1 - m["accuracy"], m["eo_diff"], m["latency_ms"], trial.number)
        )
        if spent[0] >= compute:
            study.stop()
        return m

    study.optimize(objective, n_trials=100_000)
    if studies is not None:
        studies.append(study)
    return history


def run_loop(task: Task, seed: int, compute: float, scheduler: Spec) -> list[tuple]:
    """MLP epochs in the objective's own loop, reported at the rungs 1, 3, 9 and 27 and
    stopped when ``scheduler`` says so; the default sampler."""
    import paretune as pt

    if task.name != "mlp":
        raise SystemExit("the training-loop contenders run on the epoch task only: --tasks mlp")
    _quiet()
    high = int(FIDELITY["mlp"][2])
    study = pt.create_study(**task.metrics(), scheduler=_build(pt.schedulers, scheduler), seed=seed)
    rungs = pt.Fidelity("epochs", 1, high).rungs(3)  # (1, 3, 9, 27)
    data = task.data()
    history: list[tuple] = []
    spent = [0.0]

    def objective(trial: pt.Trial) -> dict[str, float]:
        p = task.suggest(trial)
        model = _mlp(p)
        for epoch in range(1, high + 1):
            start = time.perf_counter()
            model.partial_fit(data["x_train"], data["y_train"], classes=[0, 1])
            spent[0] += time.perf_counter() - start
            if spent[0] >= compute:
                study.stop()
                raise pt.TrialStopped()  # out of training budget mid-trial
            if epoch not in rungs:
                continue
            m = task.measure(model, p, data)
            full = epoch == high
            history.append(
                (spent[0], full, 1 - m["accuracy"], m["eo_diff"], m["latency_ms"], trial.number)
            )
            if epoch == high:
                return m
            trial.report(m, step=epoch)
            if trial.should_stop():
                raise pt.TrialStopped()
        raise AssertionError("unreachable")

    study.optimize(objective, n_trials=100_000)
    return history


def run_optuna(task: Task, seed: int, compute: float) -> list[tuple]:
    """Optuna's multi-objective TPE at the full budget, latency via ``constraints_func``."""
    import optuna

    _quiet()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bound = LATENCY_MS[task.name]
    sampler = optuna.samplers.TPESampler(
        seed=seed, constraints_func=lambda t: [t.user_attrs["latency_ms"] - bound]
    )
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    history: list[tuple] = []
    spent = [0.0]
    high = FIDELITY[task.name][2]

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        m = task.train(task.suggest(trial), float(high), trial.number, None, {})
        trial.set_user_attr("latency_ms", m["latency_ms"])
        spent[0] += m["train_s"]
        history.append(
            (spent[0], True, 1 - m["accuracy"], m["eo_diff"], m["latency_ms"], trial.number)
        )
        if spent[0] >= compute:
            study.stop()
        return m["accuracy"], m["eo_diff"]

    study.optimize(objective, n_trials=100_000)
    return history
