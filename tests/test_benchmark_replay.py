"""The replay benchmark runs as a user runs it, on a small synthetic table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "replay.py"


def _table(path: Path) -> None:
    """An ``mlp`` table of 3 x 2 x 1 x 1 models whose errors shrink with the epochs."""
    rng = np.random.default_rng(0)
    grid = {"hidden": [8, 64, 192], "lr": [1e-3, 1e-2], "alpha": [1e-3], "batch": [128]}
    thresholds = [0.3, 0.5, 0.7]
    entries = {}
    for h in range(3):
        for lr in range(2):
            base, seconds = 0.15 + 0.02 * h + 0.01 * lr, 0.0
            per_budget = {}
            for budget in (1, 3, 9, 27):
                seconds = 0.01 * budget * (1 + h)
                per_budget[f"{budget}"] = {
                    "train_s": seconds,
                    "latency_ms": 0.5 + h,
                    "scores": {
                        f"{t:.1f}": [1 - base - 0.1 / budget, abs(t - 0.5) + rng.random() / 10]
                        for t in thresholds
                    },
                }
            entries[f"{h}-{lr}-0-0"] = per_budget
    table = {
        "task": "mlp", "budgets": [1, 3, 9, 27], "grid": grid, "thresholds": thresholds,
        "train_rows": 10, "validation_rows": 10, "built": "2026-12-05", "entries": entries,
    }  # fmt: skip
    path.mkdir(parents=True, exist_ok=True)
    (path / "replay-mlp.json").write_text(json.dumps(table), encoding="utf-8")


def test_the_replay_benchmark_prints_hypervolumes_and_compute_to_reach(tmp_path: Path) -> None:
    pytest.importorskip("optuna")
    _table(tmp_path)
    env = {**os.environ, "PARETUNE_REPLAY_TABLES": str(tmp_path)}
    command = [
        sys.executable, str(BENCHMARK), "--tasks", "mlp", "--seeds", "2", "--compute", "8",
        "--workers", "1", "--contenders", "pt-mf-payoff,pt-full,optuna-tpe",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "mlp: 18 configurations" in out and "true front HV" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("  pt-")}
    assert {"pt-mf-payoff", "pt-full"} <= rows.keys()
    assert "told compute until the median over seeds reaches it" in out
    assert "Versions:" in out
