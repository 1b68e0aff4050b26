"""The storage benchmark's process sections run as a user runs them and print their tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "storage.py"


@pytest.mark.timeout(300)
def test_processes_and_reclaim_print_their_tables() -> None:
    pytest.importorskip("optuna")
    command = [sys.executable, str(BENCHMARK), "--sections", "processes,reclaim",
               "--processes", "2", "--per-worker", "3", "--reclaim-repeats", "1",
               "--postgres", ""]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=280, check=True)
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("sqlite")]
    processes, reclaim = rows
    assert processes[:2] == ["sqlite", "2"] and float(processes[2]) > 0
    assert processes[-3:] == ["0", "/", "0"]  # no worker died
    assert reclaim[1] == "short" and 0.5 < float(reclaim[4]) < 5.0
    assert "Versions: paretune" in done.stdout


def test_an_unknown_section_is_named() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--sections", "speed"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "unknown sections ['speed']" in done.stderr
