"""Leases: a dead or frozen worker's trial is reaped after the grace, a live one never is,
and a late result is kept without overwriting anything."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
import warnings

import pytest
from click.testing import CliRunner

import paretune as pt
from paretune.cli import main

LEASE = {"heartbeat_interval": 0.2, "grace": 0.8}


def _create(url: str, **options: object) -> pt.Study:
    return pt.create_study(
        study_name="leased",
        objectives={"a": "minimize"},
        storage=url,
        load_if_exists=True,
        **{**LEASE, **options},  # type: ignore[arg-type]
    )


def _ask_then_die(url: str) -> None:
    study = pt.load_study(study_name="leased", storage=url)
    study.ask().suggest_float("x", 0.0, 1.0)
    os._exit(1)  # killed: no tell, no clean-up


def _ask_wait_tell(url: str, ready: mp.synchronize.Event, go: mp.synchronize.Event) -> None:
    study = pt.load_study(study_name="leased", storage=url)
    trial = study.ask()
    x = trial.suggest_float("x", 0.0, 1.0)
    ready.set()
    go.wait(60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.tell(trial, {"a": x})  # late: the trial was reaped meanwhile


def test_a_killed_workers_trial_is_reaped_after_the_grace(storage_url) -> None:
    if storage_url is None:
        pytest.skip("in-memory studies have one process and no lease")
    study = _create(storage_url)
    proc = mp.get_context("spawn").Process(target=_ask_then_die, args=(storage_url,))
    proc.start()
    proc.join(120)
    assert proc.exitcode == 1
    assert study.reap() == []  # within the grace: left alone
    time.sleep(1.0)
    study.optimize(lambda t: {"a": t.suggest_float("x", 0.0, 1.0)}, n_trials=2)
    lost, *rest = study.trials
    assert lost.state is pt.TrialState.FAILED and lost.fail_kind is pt.FailKind.WORKER_LOST
    assert "no heartbeat" in (lost.fail_reason or "") and lost.params.keys() == {"x"}
    assert study.failures_for_sampler() == []
    assert [t.state for t in rest] == [pt.TrialState.COMPLETE] * 2


def test_a_live_trial_keeps_its_lease(tmp_path) -> None:
    study = _create(f"sqlite:///{tmp_path}/live.db")
    trial = study.ask()  # held by this process's heartbeat thread
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        assert study.reap() == []
        time.sleep(0.1)
    assert study.tell(trial, {"a": 1.0}).state is pt.TrialState.COMPLETE


def test_a_frozen_worker_is_reaped_and_its_late_result_kept(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/frozen.db"
    study = _create(url, max_retries=1)
    ctx = mp.get_context("spawn")
    ready, go = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_ask_wait_tell, args=(url, ready, go))
    proc.start()
    try:
        assert ready.wait(60)
        os.kill(proc.pid, signal.SIGSTOP)  # frozen: its heartbeats stop too
        time.sleep(1.2)
        reaped = study.reap()
        assert [t.number for t in reaped] == [0]
        retry = study.trials[1]
        assert retry.state is pt.TrialState.WAITING and retry.user_attrs["retry_of"] == 0
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        go.set()
        proc.join(120)
    assert proc.exitcode == 0  # the late tell did not crash the worker
    original, retry, late = study.trials
    assert original.state is pt.TrialState.FAILED  # never overwritten
    assert late.state is pt.TrialState.COMPLETE and late.user_attrs["late_result_of"] == 0
    assert late.params == original.params and late.seed == original.seed
    study.optimize(lambda t: {"a": t.suggest_float("x", 0.0, 1.0)}, n_trials=1)
    assert study.trials[1].state is pt.TrialState.COMPLETE  # the retry ran
    assert study.trials[1].params == original.params


def test_retries_stop_at_max_retries(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/retries.db"
    study = _create(url, max_retries=1)
    for expected_waiting in (1, 0):
        proc = mp.get_context("spawn").Process(target=_ask_then_die, args=(url,))
        proc.start()
        proc.join(120)
        time.sleep(1.0)
        study.reap()
        waiting = study.get_trials(states=(pt.TrialState.WAITING,))
        assert len(waiting) == expected_waiting
    first, retry = study.trials[0], study.trials[1]
    assert retry.user_attrs["retry_of"] == first.number and retry.params == first.params
    assert retry.fail_kind is pt.FailKind.WORKER_LOST


def test_lease_settings_are_stored_and_checked(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/settings.db"
    _create(url, max_retries=2)
    lease = pt.load_study(study_name="leased", storage=url).lease
    assert lease is not None and (lease.heartbeat_interval, lease.grace) == (0.2, 0.8)
    assert lease.max_retries == 2
    assert pt.create_study(objectives={"a": "minimize"}).lease is None  # in memory
    off = pt.create_study(
        objectives={"a": "minimize"}, storage=f"sqlite:///{tmp_path}/off.db",
        heartbeat_interval=None,
    )  # fmt: skip
    assert off.lease is None
    with pytest.raises(ValueError, match="at least twice"):
        pt.create_study(
            objectives={"a": "minimize"}, storage=f"sqlite:///{tmp_path}/bad.db", grace=5.0
        )


def test_cli_reaps(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    _create(url)
    proc = mp.get_context("spawn").Process(target=_ask_then_die, args=(url,))
    proc.start()
    proc.join(120)
    time.sleep(1.0)
    result = CliRunner().invoke(main, ["reap", "leased", "--storage", url])
    assert result.exit_code == 0, result.output
    assert "Reaped 1 trial" in result.output
    assert pt.load_study(study_name="leased", storage=url).trials[0].fail_kind is (
        pt.FailKind.WORKER_LOST
    )
