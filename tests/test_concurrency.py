"""Many worker processes writing one study: numbers unique and gap-free, no worker lost."""

from __future__ import annotations

import multiprocessing as mp
import os
import time

import pytest

import paretune as pt


def _worker(url: str, n_trials: int, ready: mp.synchronize.Barrier) -> None:
    # TPE: these tests pin the storage, not the sampler (GPs would spend minutes fitting).
    study = pt.load_study(study_name="shared", storage=url, sampler=pt.samplers.TPESampler())
    ready.wait()
    study.optimize(
        lambda t: {"a": t.suggest_float("x", 0.0, 1.0), "b": t.suggest_int("y", 0, 9)},
        n_trials=n_trials,
    )


def _run_workers(url: str, n_workers: int, n_trials: int) -> list[int]:
    pt.create_study(study_name="shared", objectives={"a": "minimize", "b": "minimize"}, storage=url)
    ctx = mp.get_context("spawn")
    ready = ctx.Barrier(n_workers)
    workers = [ctx.Process(target=_worker, args=(url, n_trials, ready)) for _ in range(n_workers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=600)
    return [w.exitcode if w.exitcode is not None else -999 for w in workers]


def test_four_processes_fifty_trials_each(shared_url: str) -> None:
    exit_codes = _run_workers(shared_url, n_workers=4, n_trials=50)
    assert exit_codes == [0, 0, 0, 0]
    trials = pt.load_study(study_name="shared", storage=shared_url).trials
    assert [t.number for t in trials] == list(range(200))
    assert all(t.state is pt.TrialState.COMPLETE for t in trials)
    assert len({t.trial_id for t in trials}) == 200
    assert len({t.environment["pid"] for t in trials}) == 4


def test_stress_16_processes_on_one_sqlite_file(tmp_path) -> None:
    # Eight writers per core on a 2-core machine; most of the cost is starting them.
    url = f"sqlite:///{tmp_path}/stress.db"
    exit_codes = _run_workers(url, n_workers=16, n_trials=60)
    assert exit_codes == [0] * 16, "every worker must stay alive"
    trials = pt.load_study(study_name="shared", storage=url).trials
    assert [t.number for t in trials] == list(range(960))
    assert all(t.state is pt.TrialState.COMPLETE for t in trials)


def _ask_then_die(url: str) -> None:
    study = pt.load_study(study_name="shared", storage=url)
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    os._exit(1)  # a killed worker: no tell, no clean-up


def test_a_killed_worker_leaves_the_study_usable(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/killed.db"
    study = pt.create_study(
        study_name="shared",
        objectives={"a": "minimize"},
        storage=url,
        heartbeat_interval=0.1,
        grace=0.3,
    )
    proc = mp.get_context("spawn").Process(target=_ask_then_die, args=(url,))
    proc.start()
    proc.join(timeout=120)
    assert proc.exitcode == 1
    assert [t.state for t in study.trials] == [pt.TrialState.RUNNING]
    time.sleep(0.5)  # past the grace of its lease
    study.optimize(lambda t: {"a": t.suggest_float("x", 0.0, 1.0)}, n_trials=3)
    orphan, *rest = study.trials
    assert orphan.state is pt.TrialState.FAILED
    assert "no heartbeat" in (orphan.fail_reason or "")
    assert study.failures_for_sampler() == []  # says nothing about its configuration
    assert orphan.params.keys() == {"x"}  # what it stored before dying is kept
    assert [t.state for t in rest] == [pt.TrialState.COMPLETE] * 3


@pytest.mark.parametrize("n_threads", [4])
def test_threads_sharing_one_study(n_threads: int, tmp_path) -> None:
    import threading

    study = pt.create_study(
        objectives={"a": "minimize"},
        storage=f"sqlite:///{tmp_path}/t.db",
        sampler=pt.samplers.TPESampler(),  # the storage is under test, not the default's GPs
    )
    threads = [
        threading.Thread(
            target=study.optimize,
            args=(lambda t: {"a": t.suggest_float("x", 0.0, 1.0)},),
            kwargs={"n_trials": 25},
        )
        for _ in range(n_threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [t.number for t in study.trials] == list(range(100))
