"""The samplers benchmark's resumable cache (``--cache``), run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "samplers.py"


def _run(cache: Path, seeds: int) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(BENCHMARK), "--problems", "ZDT1", "--contenders",
               "pt-random", "--seeds", str(seeds), "--budget", "12", "--no-timing",
               "--workers", "1", "--cache", str(cache)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)


def _table(stdout: str) -> str:
    return stdout.split("ZDT1", 1)[1].split("Wall time", 1)[0]


def test_finished_runs_are_stored_and_reused_only_with_the_same_code(tmp_path: Path) -> None:
    cache = tmp_path / "runs.jsonl"
    first = _run(cache, seeds=2)
    assert "0 runs reused, 2 to run" in first.stderr
    rows = [json.loads(line) for line in cache.read_text().splitlines()]
    assert sorted(r["seed"] for r in rows) == [0, 1]
    assert all(len(r["history"]) == 12 and r["budget"] == 12 for r in rows)

    second = _run(cache, seeds=3)
    assert "2 runs reused, 1 to run" in second.stderr
    assert "2 runs reused from" in second.stdout
    assert len(cache.read_text().splitlines()) == 3
    table = _table(second.stdout)

    rows = [json.loads(line) for line in cache.read_text().splitlines()]
    rows[0]["fingerprint"] = "other code"
    cache.write_text("".join(json.dumps(r) + "\n" for r in rows))
    third = _run(cache, seeds=3)
    assert "2 runs reused, 1 to run (1 stored runs of other code ignored)" in third.stderr
    assert _table(third.stdout) == table  # the rerun seed gives the same result


def test_stale_runs_name_the_library_versions_they_ran_with(tmp_path: Path) -> None:
    cache = tmp_path / "runs.jsonl"
    _run(cache, seeds=1)
    row = json.loads(cache.read_text())
    installed = row["versions"]["numpy"]
    assert installed not in ("", "absent")
    row["versions"]["numpy"] = "0.1"
    row["fingerprint"] = "other versions"
    cache.write_text(json.dumps(row) + "\n")
    rerun = _run(cache, seeds=1)
    assert (
        "0 runs reused, 1 to run (1 stored runs of other code ignored; they ran with other "
        f"library versions: numpy 0.1 (installed {installed}))"
    ) in rerun.stderr
