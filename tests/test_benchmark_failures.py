"""The failures benchmark runs as a user runs it and prints its table and ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "failures.py"


def test_failures_benchmark_prints_failures_hypervolume_and_ratios() -> None:
    pytest.importorskip("optuna")
    pytest.importorskip("botorch")  # Optuna's GPSampler needs torch
    command = [sys.executable, str(BENCHMARK), "--problems", "Mixed-crash", "--seeds", "1",
               "--budget", "15", "--workers", "1"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if " hv " in line}
    assert {"pt-default", "optuna-tpe", "optuna-gp"} <= rows.keys()
    for contender in ("pt-default", "optuna-tpe", "optuna-gp"):
        failed, hv = float(rows[contender][2]), float(rows[contender][5])
        assert 0 <= failed <= 15 and 0.0 <= hv <= 1.0
    assert "pt-default / best Optuna: hypervolume" in done.stdout


def test_failures_benchmark_names_an_unknown_problem() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--problems", "ZDT9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "unknown problems ['ZDT9']" in done.stderr
