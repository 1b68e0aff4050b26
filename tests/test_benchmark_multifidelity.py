"""The multi-fidelity benchmark's rung-cost table runs as a user runs it."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "multifidelity.py"


def test_rung_costs_print_shares_ranks_and_bounded_savings_per_rung() -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("fairlearn")
    command = [sys.executable, str(BENCHMARK), "--rung-costs", "4", "--train-rows", "1000"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    tables: dict[str, list[list[str]]] = {}
    for line in done.stdout.splitlines():
        if line.startswith(("mlp:", "hgb:")):
            task = line.split(":")[0]
            assert "1000 training rows, 4 random configurations" in line
            tables[task] = []
        elif line.strip() and line.strip()[0].isdigit():
            tables[task].append(line.split())
    assert tables.keys() == {"mlp", "hgb"}
    for task, rows in tables.items():
        assert len(rows) == 4, (task, rows)  # budgets of the eta = 3 ladder, top last
        shares = [float(row[1]) for row in rows]
        assert shares[-1] == 1.0 and all(share > 0.0 for share in shares)
        if task == "mlp":  # resumed: each rung adds epochs to the one below
            assert shares == sorted(shares) and shares[0] < 1.0
        for k, row in enumerate(rows[:-1]):
            for tau in map(float, row[2:4]):
                assert math.isnan(tau) or -1.0 <= tau <= 1.0
            save = float(row[4].rstrip("x"))
            # A bracket sees eta**(top - k) configurations and pays at least one top training.
            assert 0.0 < save <= 3 ** (len(rows) - 1 - k) + 1e-9, (task, row)
