"""Chaos: worker processes of one study are killed (SIGKILL) and frozen (SIGSTOP) at random
moments and restarted; afterwards no acknowledged result is lost, numbers stay gap-free,
nothing stays running, and lost trials are failed as ``worker_lost``.

A supervisor (this process) starts ``spawn`` workers that run ``optimize`` on one study with
short leases. A worker *acknowledges* a trial by appending ``pid number value`` to a file
from a callback, that is after ``tell`` returned. The supervisor's random choices come from
a seeded RNG; when the kills land depends on timing, so each run differs, but every run
must keep the invariants checked in :func:`_check`.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import pathlib
import random
import signal
import time
from multiprocessing.process import BaseProcess

import pytest

import paretune as pt

LEASE = {"heartbeat_interval": 0.2, "grace": 1.0, "max_retries": 1}
GRACE = LEASE["grace"]


def _objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    time.sleep(0.01 + 0.04 * x)  # a window in which a kill lands inside the trial
    return {"a": x, "b": 1.0 - x}


def _worker(url: str, acks: str, stop: str) -> None:
    study = pt.load_study(study_name="chaos", storage=url, sampler=pt.samplers.RandomSampler())
    fd = os.open(acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    def acknowledge(s: pt.Study, record: pt.TrialRecord) -> None:
        if record.state is pt.TrialState.COMPLETE:  # one write: a kill cannot split a line
            os.write(fd, f"{os.getpid()} {record.number} {record.metrics['a']!r}\n".encode())
        if os.path.exists(stop):
            s.stop()

    study.optimize(_objective, callbacks=[acknowledge])


@dataclasses.dataclass
class Chaos:
    """One run: the study's URL, the files, and what the supervisor did."""

    url: str
    acks: pathlib.Path
    stop: pathlib.Path
    rng: random.Random
    workers: list[BaseProcess] = dataclasses.field(default_factory=list)
    killed: set[int] = dataclasses.field(default_factory=set)
    frozen: set[int] = dataclasses.field(default_factory=set)

    def start(self) -> BaseProcess:
        args = (self.url, str(self.acks), str(self.stop))
        proc = mp.get_context("spawn").Process(target=_worker, args=args)
        proc.start()
        self.workers.append(proc)
        return proc

    def acknowledged(self) -> list[tuple[int, int, float]]:
        if not self.acks.exists():
            return []
        lines = self.acks.read_text().splitlines()
        return [(int(p), int(n), float(v)) for p, n, v in (line.split() for line in lines)]

    def busy(self) -> list[BaseProcess]:
        """Live workers that have finished a trial (past their start-up)."""
        seen = {pid for pid, _, _ in self.acknowledged()}
        return [w for w in self.workers if w.is_alive() and w.pid in seen]

    def kill(self, victim: BaseProcess) -> None:
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(30)
        self.killed.add(victim.pid)
        self.start()

    def freeze(self, victim: BaseProcess, seconds: float) -> None:
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGSTOP)  # its heartbeats stop too
        try:
            time.sleep(seconds)
        finally:
            os.kill(victim.pid, signal.SIGCONT)
        self.frozen.add(victim.pid)

    def wait_for_acks(self, count: int, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while len(self.acknowledged()) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop.touch()
        for proc in self.workers:
            proc.join(60)
        for proc in self.workers:
            if proc.is_alive():
                proc.kill()
        survivors = [p.exitcode for p in self.workers if p.pid not in self.killed]
        assert survivors == [0] * len(survivors), "a worker that was not killed crashed"


def _run(
    url: str, tmp: pathlib.Path, *, workers: int, seconds: float, freeze: float, seed: int
) -> Chaos:
    """Start ``workers`` workers, then for ``seconds`` kill (or, with probability
    ``freeze``, freeze past the grace) a random busy worker every 0.2-0.8 s."""
    pt.create_study(
        study_name="chaos",
        objectives={"a": "minimize", "b": "minimize"},
        storage=url,
        **LEASE,  # type: ignore[arg-type]
    )
    chaos = Chaos(url, tmp / "acks.txt", tmp / "stop", random.Random(seed))
    try:
        for _ in range(workers):
            chaos.start()
        chaos.wait_for_acks(workers)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(chaos.rng.uniform(0.2, 0.8))
            busy = chaos.busy()
            if not busy:
                continue
            victim = chaos.rng.choice(busy)
            if chaos.rng.random() < freeze:
                chaos.freeze(victim, GRACE + chaos.rng.uniform(0.3, 0.8))
            else:
                chaos.kill(victim)
    finally:
        chaos.finish()
    return chaos


def _check(chaos: Chaos) -> list[pt.TrialRecord]:
    study = pt.load_study(study_name="chaos", storage=chaos.url)
    time.sleep(GRACE + 0.3)  # every worker has ended: any lease still held lapses
    study.reap()
    trials = study.trials
    by_number = {t.number: t for t in trials}
    assert [t.number for t in trials] == list(range(len(trials))), "numbers unique, gap-free"
    acked = chaos.acknowledged()
    assert len({n for _, n, _ in acked}) == len(acked), "a number was acknowledged twice"
    for _, number, value in acked:  # no acknowledged result lost or overwritten
        record = by_number[number]
        assert record.state is pt.TrialState.COMPLETE and record.metrics["a"] == value
    assert study.get_trials(states=(pt.TrialState.RUNNING,)) == []
    late = {t.user_attrs["late_result_of"]: t for t in trials if "late_result_of" in t.user_attrs}
    troubled = chaos.killed | chaos.frozen
    for t in study.get_trials(states=(pt.TrialState.FAILED,)):
        assert t.fail_kind is pt.FailKind.WORKER_LOST, t.fail_reason
        # lost with a killed or frozen worker, or reaped while slow and its result kept
        assert t.environment["pid"] in troubled or t.number in late
    for original, kept in late.items():
        lost = by_number[original]
        assert lost.fail_kind is pt.FailKind.WORKER_LOST and kept.params == lost.params
        assert kept.seed == lost.seed and kept.state is pt.TrialState.COMPLETE
    for retry in (t for t in trials if "retry_of" in t.user_attrs):
        original = by_number[retry.user_attrs["retry_of"]]
        assert original.fail_kind is pt.FailKind.WORKER_LOST
        assert retry.enqueued_params == original.params  # it reruns what the lost one had
        assert all(retry.params.get(k, v) == v for k, v in original.params.items())
    return trials


@pytest.mark.timeout(120)
def test_random_kills_lose_no_acknowledged_result(shared_url: str, tmp_path) -> None:
    chaos = _run(shared_url, tmp_path, workers=4, seconds=5.0, freeze=0.0, seed=0)
    trials = _check(chaos)
    assert len(chaos.killed) >= 3
    lost = [t for t in trials if t.fail_kind is pt.FailKind.WORKER_LOST]
    assert lost, "no kill landed inside a trial"
    assert len(lost) <= len(chaos.killed) + sum("late_result_of" in t.user_attrs for t in trials)


def _freeze_me(url: str, acks: str, flag: str, suggest_first: bool) -> None:
    """A worker whose second trial waits in its objective until told to go on."""
    study = pt.load_study(study_name="chaos", storage=url, sampler=pt.samplers.RandomSampler())

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0) if suggest_first else None
        if trial.number == 1:
            pathlib.Path(flag).touch()  # the supervisor freezes this process now
            while pathlib.Path(flag).exists():
                time.sleep(0.01)
        x = trial.suggest_float("x", 0.0, 1.0)  # fails on a reaped trial not suggested yet
        return {"a": x, "b": 1.0 - x}

    def acknowledge(s: pt.Study, record: pt.TrialRecord) -> None:
        if record.state is pt.TrialState.COMPLETE:
            with open(acks, "a") as out:
                out.write(f"{os.getpid()} {record.number} {record.metrics['a']!r}\n")

    study.optimize(objective, n_trials=3, callbacks=[acknowledge])


@pytest.mark.timeout(120)
@pytest.mark.parametrize("suggest_first", [True, False], ids=["result", "write"])
def test_a_frozen_workers_late_result_is_fenced(
    shared_url: str, tmp_path, suggest_first: bool
) -> None:
    study = pt.create_study(
        study_name="chaos",
        objectives={"a": "minimize", "b": "minimize"},
        storage=shared_url,
        **{**LEASE, "max_retries": 0},  # type: ignore[arg-type]
    )
    chaos = Chaos(shared_url, tmp_path / "acks.txt", tmp_path / "stop", random.Random(0))
    flag = tmp_path / "in-trial"
    proc = mp.get_context("spawn").Process(
        target=_freeze_me, args=(shared_url, str(chaos.acks), str(flag), suggest_first)
    )
    proc.start()
    chaos.workers.append(proc)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert flag.exists() and proc.pid is not None
        os.kill(proc.pid, signal.SIGSTOP)
        time.sleep(GRACE + 0.5)
        assert [t.number for t in study.reap()] == [1]  # reaped while frozen
        flag.unlink()  # it goes on as soon as it runs again
    finally:
        if proc.pid is not None:
            os.kill(proc.pid, signal.SIGCONT)
            chaos.frozen.add(proc.pid)
        chaos.finish()  # the worker did not crash
    trials = _check(chaos)
    frozen = trials[1]
    assert frozen.state is pt.TrialState.FAILED  # never overwritten
    if suggest_first:  # its result is kept as a new trial, acknowledged under that number
        late = trials[2]
        assert late.user_attrs["late_result_of"] == 1 and late.state is pt.TrialState.COMPLETE
        assert late.params == frozen.params
        assert [n for _, n, _ in chaos.acknowledged()] == [0, 2, 3]
    else:  # its suggestion was refused: nothing to keep, no failure blamed on a configuration
        assert [n for _, n, _ in chaos.acknowledged()] == [0, 2]
        assert [t.fail_kind for t in trials] == [None, pt.FailKind.WORKER_LOST, None]
        assert study.failures_for_sampler() == []
    assert len(trials) == (4 if suggest_first else 3)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("workers", [8])
def test_long_random_kills_and_freezes(shared_url: str, tmp_path, workers: int) -> None:
    chaos = _run(shared_url, tmp_path, workers=workers, seconds=60.0, freeze=0.2, seed=1)
    _check(chaos)
    assert len(chaos.killed) >= 20 and chaos.frozen
