"""The replay benchmark's tasks: models trained here once at every budget, then replayed.

Two tasks on UCI Adult (``adult.py``'s copy and split), accuracy against the
equalized-odds difference between sexes under a prediction-latency limit, as in
``fidelity_tasks.py``, but on a grid of configurations, each trained once at every budget
and stored in a table (``--build``):

* ``mlp``: an MLP trained epoch by epoch (scikit-learn ``partial_fit``, 4,000 rows), rungs
  at 1, 3, 9 and 27 epochs; a promoted configuration resumes, so a promotion costs the
  seconds of its extra epochs.
* ``hgb``: gradient boosting on 1/27, 1/9, 1/3 and all of 8,000 rows, retrained at every
  budget; fitting and binning have costs that do not shrink with the rows.

The classification threshold is a parameter too (applied to the stored probabilities, so it
costs no training). A table entry holds, per budget, the training seconds measured here
(the cost a replayed trial tells), and per threshold the accuracy and EO difference;
latency is measured once per trained model. Replaying a table is deterministic: the same
seed gives the same study, whatever the machine's load.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

import adult

TABLES = Path(os.environ.get("PARETUNE_REPLAY_TABLES", Path(__file__).resolve().parent / "runs"))
"""Where tables are kept (``benchmarks/runs/``, not committed; the variable moves them)."""
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
LATENCY_MS = {"mlp": 2.0, "hgb": 15.0}
TRAIN_ROWS = {"mlp": 4000, "hgb": 8000}
VALIDATION_ROWS = 4000
BUDGETS: dict[str, tuple[float, ...]] = {
    "mlp": (1, 3, 9, 27),
    "hgb": (1 / 27, 1 / 9, 1 / 3, 1.0),
}
GRIDS: dict[str, dict[str, tuple[Any, ...]]] = {
    "mlp": {
        "hidden": (8, 24, 64, 192),
        "lr": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2),
        "alpha": (1e-5, 1e-3, 1e-1),
        "batch": (128, 512),
    },
    "hgb": {
        "learning_rate": (0.02, 0.05, 0.15, 0.4),
        "max_iter": (10, 30, 90, 200),
        "max_leaf_nodes": (4, 16, 64),
        "l2": (1e-6, 1.0),
    },
}
"""Each task's grid: parameter -> levels (ordered; log-spaced where it matters)."""


def table_path(task: str) -> Path:
    """Where ``--build`` stores the task's table (``benchmarks/runs/`` is not committed)."""
    return TABLES / f"replay-{task}.json"


def _scores(proba: np.ndarray, data: dict[str, Any]) -> dict[str, list[float]]:
    """Per threshold: validation accuracy and equalized-odds difference between sexes
    (the larger of the TPR and FPR gaps, fairlearn's definition)."""
    y, sex = data["y_val"], data["sex_val"]
    out = {}
    for threshold in THRESHOLDS:
        pred = (proba >= threshold).astype(int)
        gaps = []
        for label in (1, 0):  # TPR gap (label 1), FPR gap (label 0)
            rates = [pred[(y == label) & (sex == group)].mean() for group in np.unique(sex)]
            gaps.append(max(rates) - min(rates))
        out[f"{threshold:.1f}"] = [float((pred == y).mean()), float(max(gaps))]
    return out


def _train_mlp(p: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(p["hidden"],),
        alpha=p["alpha"],
        learning_rate_init=p["lr"],
        batch_size=p["batch"],
        random_state=0,
    )
    per_budget: dict[str, Any] = {}
    seconds, epoch = 0.0, 0
    for budget in BUDGETS["mlp"]:
        start = time.perf_counter()
        while epoch < budget:
            model.partial_fit(data["x_train"], data["y_train"], classes=[0, 1])
            epoch += 1
        seconds += time.perf_counter() - start
        proba = model.predict_proba(data["x_val"])[:, 1]
        per_budget[f"{budget:g}"] = {"train_s": seconds, "scores": _scores(proba, data)}
    latency = adult.latency_ms(copy.deepcopy(model), data["x_val"][:1000])
    for entry in per_budget.values():
        entry["latency_ms"] = latency  # the architecture, not the epochs, decides it
    return per_budget


def _train_hgb(p: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    per_budget: dict[str, Any] = {}
    for budget in BUDGETS["hgb"]:
        n = max(50, round(budget * len(data["y_train"])))
        model = HistGradientBoostingClassifier(
            learning_rate=p["learning_rate"],
            max_iter=p["max_iter"],
            max_leaf_nodes=p["max_leaf_nodes"],
            l2_regularization=p["l2"],
            early_stopping=False,
            random_state=0,
        )
        start = time.perf_counter()
        model.fit(data["x_train"][:n], data["y_train"][:n])
        seconds = time.perf_counter() - start
        proba = model.predict_proba(data["x_val"])[:, 1]
        per_budget[f"{budget:g}"] = {
            "train_s": seconds,
            "scores": _scores(proba, data),
            "latency_ms": adult.latency_ms(model, data["x_val"][:1000]),
        }
    return per_budget


def build(task: str) -> Path:
    """Train every configuration of ``task``'s grid at every budget; store the table."""
    data = adult.load(n_train=TRAIN_ROWS[task], n_val=VALIDATION_ROWS)
    grid = GRIDS[task]
    entries = {}
    started = time.perf_counter()
    combos = list(itertools.product(*(range(len(levels)) for levels in grid.values())))
    for done, index in enumerate(combos, 1):
        p = {name: grid[name][i] for name, i in zip(grid, index, strict=True)}
        train = _train_mlp if task == "mlp" else _train_hgb
        entries["-".join(map(str, index))] = train(p, data)
        if done % 10 == 0:
            print(f"{task}: {done}/{len(combos)} ({time.perf_counter() - started:.0f} s)")
    table = {
        "task": task,
        "budgets": list(BUDGETS[task]),
        "grid": {name: list(levels) for name, levels in grid.items()},
        "thresholds": list(THRESHOLDS),
        "train_rows": TRAIN_ROWS[task],
        "validation_rows": VALIDATION_ROWS,
        "built": time.strftime("%Y-%m-%d"),
        "entries": entries,
    }
    path = table_path(task)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table), encoding="utf-8")
    return path


def load(task: str) -> dict[str, Any]:
    """The task's table (build it first: ``python3 benchmarks/replay.py --build``)."""
    path = table_path(task)
    if not path.exists():
        raise SystemExit(f"No table for {task!r} at {path}; build it: replay.py --build")
    table: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return table
