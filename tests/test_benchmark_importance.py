"""The importance benchmark runs as a user runs it and prints one row per target."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "importance.py"


def test_importance_benchmark_prints_agreement_per_target() -> None:
    pytest.importorskip("optuna")
    pytest.importorskip("sklearn")  # the script imports the Adult task's module
    command = [sys.executable, str(BENCHMARK), "--problems", "Constrained", "--seeds", "2",
               "--trials", "30"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("Constrained")]
    assert [row[1] for row in rows] == ["loss", "latency"]
    for row in rows:
        assert -1.0 <= float(row[2]) <= 1.0  # median Spearman rho, paretune vs PED-ANOVA
        agreements = row[8:11]  # top-1 agreement of each pair, out of 2 seeds
        assert all(cell in ("0/2", "1/2", "2/2") for cell in agreements), row
        assert row[12:14] == ["of", "2"], row  # how often each method found the true driver
    assert done.stdout.splitlines()[-1].startswith("Versions: paretune")


def test_importance_benchmark_names_an_unknown_problem() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--problems", "ZDT9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "unknown problems ['ZDT9']" in done.stderr
