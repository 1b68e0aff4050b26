"""The benchmarks' resumable run cache (``--cache``), run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "samplers.py"


def _run(
    cache: Path | None, seeds: int, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(BENCHMARK), "--problems", "ZDT1", "--contenders",
               "pt-random", "--seeds", str(seeds), "--budget", "12", "--no-timing",
               "--workers", "1", "--cache", *([str(cache)] if cache else [])]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=True, env=env)


def _table(stdout: str) -> str:
    return stdout.split("ZDT1", 1)[1].split("Wall time", 1)[0]


def _rows(cache: Path) -> list[dict]:
    return [json.loads(line) for line in cache.read_text().splitlines()]


def _write(cache: Path, rows: list[dict]) -> None:
    cache.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_finished_runs_are_stored_with_their_key_and_reused(tmp_path: Path) -> None:
    cache = tmp_path / "runs.jsonl"
    first = _run(cache, seeds=2)
    assert "0 runs reused, 2 to run" in first.stderr
    rows = _rows(cache)
    assert sorted(r["seed"] for r in rows) == [0, 1]
    assert all(len(r["history"]) == 12 and r["budget"] == 12 for r in rows)
    row = rows[0]
    assert (row["benchmark"], row["problem"], row["contender"]) == ("samplers", "ZDT1", "pt-random")
    assert row["settings"] == {"library": "paretune", "sampler": "RandomSampler"}
    assert set(row["versions"]) == {"paretune", "numpy", "scipy"}  # what decides the run

    second = _run(cache, seeds=3)
    assert "2 runs reused, 1 to run" in second.stderr
    assert "2 runs reused from" in second.stdout
    assert len(cache.read_text().splitlines()) == 3


def test_a_changed_contender_setting_misses_and_the_rerun_gives_the_same_table(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "runs.jsonl"
    table = _table(_run(cache, seeds=2).stdout)
    rows = _rows(cache)
    rows[0]["settings"]["options"] = {"other": 1}
    _write(cache, rows)
    rerun = _run(cache, seeds=2)
    assert (
        "1 runs reused, 1 to run (1 stored runs of other settings or versions ignored; "
        "other settings of pt-random)"
    ) in rerun.stderr
    assert _table(rerun.stdout) == table  # the rerun seed gives the same result


def test_stale_runs_name_the_library_versions_they_ran_with(tmp_path: Path) -> None:
    cache = tmp_path / "runs.jsonl"
    _run(cache, seeds=1)
    row = json.loads(cache.read_text())
    installed = row["versions"]["numpy"]
    assert installed not in ("", "absent")
    row["versions"]["numpy"] = "0.1"
    _write(cache, [row])
    rerun = _run(cache, seeds=1)
    assert (
        "0 runs reused, 1 to run (1 stored runs of other settings or versions ignored; they "
        f"ran with other library versions: numpy 0.1 (installed {installed}))"
    ) in rerun.stderr


def test_cache_without_a_file_goes_to_the_default_directory(tmp_path: Path) -> None:
    env = {**os.environ, "PARETUNE_BENCH_CACHE": str(tmp_path / "bench")}
    done = _run(None, seeds=1, env=env)
    stored = tmp_path / "bench" / "samplers.jsonl"
    assert f"Cache {stored}: 0 runs reused, 1 to run" in done.stderr
    assert len(stored.read_text().splitlines()) == 1
