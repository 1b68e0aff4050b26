"""The benchmarks' cache key: library versions and settings, never the source code.

A stored run is reused when the benchmark, the problem and its settings, the contender and
its settings, the seed, the budget and the versions of the libraries that decide the run
are the same; a refactor of ``src/`` or of the benchmarks keeps it valid.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import harness.runner
from harness.cache import RunCache
from harness.cache import RunKey
from harness.contender import Contender
from harness.runner import Job
from problems import PROBLEMS

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "samplers.py"


def _contender(**settings: object) -> Contender:
    return Contender("c", {"sampler": "S", **settings}, lambda p, s, b: [], ("numpy",))


def _key(contender: Contender | None = None, seed: int = 0, budget: float = 10) -> RunKey:
    return Job(PROBLEMS["ZDT1"], contender or _contender(), seed, budget).key("bench")


def _stored(tmp_path: Path) -> RunCache:
    cache = RunCache(tmp_path / "runs.jsonl")
    cache.store(_key(_contender(kernel="matern", starts=3)), [[[0.5, 0.5], []]], 1.0)
    return cache


def test_same_settings_and_versions_hit(tmp_path: Path) -> None:
    cache = _stored(tmp_path)
    # Built again, with its settings in another order and the budget as a float.
    again = _key(_contender(starts=3, kernel="matern"), budget=10.0)
    found = cache.lookup([again])
    assert found.hits[again]["history"] == [[[0.5, 0.5], []]]
    assert found.stale == 0


def test_a_changed_contender_setting_misses(tmp_path: Path) -> None:
    found = _stored(tmp_path).lookup([_key(_contender(kernel="rbf", starts=3))])
    assert not found.hits and found.stale == 1
    assert found.other_settings == {"c"} and not found.other_versions


def test_a_changed_problem_setting_misses(tmp_path: Path) -> None:
    cache = _stored(tmp_path)
    revised = dataclasses.replace(PROBLEMS["ZDT1"], settings={"revision": 2})
    key = Job(revised, _contender(kernel="matern", starts=3), 0, 10).key("bench")
    found = cache.lookup([key])
    assert not found.hits and found.other_settings == {"ZDT1"}


def test_a_changed_library_version_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = _stored(tmp_path)
    installed = json.loads(cache.path.read_text())["versions"]["numpy"]
    monkeypatch.setattr(harness.runner, "library_versions", lambda names: {"numpy": "99.0"})
    found = cache.lookup([_key(_contender(kernel="matern", starts=3))])
    assert not found.hits and found.stale == 1
    assert found.other_versions == {f"numpy {installed} (installed 99.0)"}


def test_another_seed_or_budget_is_neither_reused_nor_stale(tmp_path: Path) -> None:
    contender = _contender(kernel="matern", starts=3)
    found = _stored(tmp_path).lookup([_key(contender, seed=1), _key(contender, budget=20)])
    assert not found.hits and found.stale == 0


def test_a_line_cut_short_is_skipped_and_the_next_run_starts_its_own(tmp_path: Path) -> None:
    cache = _stored(tmp_path)
    with cache.path.open("a") as stream:
        stream.write('{"benchmark": "bench", "hist')  # killed while writing
    later = _key(_contender(), seed=5)
    cache.store(later, [], 0.5)
    found = cache.lookup([later])
    assert later in found.hits and found.skipped == 1


def test_editing_paretune_sources_keeps_stored_runs(tmp_path: Path) -> None:
    import paretune

    copy = tmp_path / "src" / "paretune"
    shutil.copytree(
        Path(paretune.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    where = subprocess.run(
        [sys.executable, "-c", "import paretune; print(paretune.__file__)"],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
    assert Path(where.stdout.strip()).parent == copy  # the runs below use the copy
    command = [sys.executable, str(BENCHMARK), "--problems", "ZDT1", "--contenders",
               "pt-random,pt-tpe", "--seeds", "1", "--budget", "12", "--no-timing",
               "--workers", "1", "--cache", str(tmp_path / "runs.jsonl")]  # fmt: skip
    first = subprocess.run(
        command, capture_output=True, text=True, env=env, check=True, timeout=300
    )
    assert "0 runs reused, 2 to run" in first.stderr
    for source in copy.rglob("*.py"):  # every file, whatever the refactor touches
        source.write_text(source.read_text() + "\n# edited\n")
    second = subprocess.run(
        command, capture_output=True, text=True, env=env, check=True, timeout=300
    )
    assert "2 runs reused, 0 to run (0 stored runs of other settings or versions" in second.stderr
