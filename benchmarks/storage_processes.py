"""The process-level parts of ``storage.py``: many worker processes on one study (paretune
and Optuna), the reclaim of a killed worker's trial, and RayExecutor against local workers.

Worker processes are spawned (not forked), as users start them, and wait on a barrier
after their imports, so start-up is not timed. Their targets live here, at module level,
so that ``spawn`` can import them.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import pathlib
import signal
import statistics
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from typing import Any

Lease = tuple[float, float]
"""``(heartbeat_interval, grace)`` in seconds."""

DEFAULT_LEASE: Lease = (10.0, 60.0)
SHORT_LEASE: Lease = (0.2, 1.0)


def _pt_objective(trial: Any) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    return {"a": x + trial.suggest_int("y", 0, 10), "b": 1.0 - x}


def _optuna_objective(trial: Any) -> tuple[float, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    return x + trial.suggest_int("y", 0, 10), 1.0 - x


def _pt_worker(url: str, name: str, n_trials: int, barrier: Barrier) -> None:
    import paretune as pt

    study = pt.load_study(study_name=name, storage=url, sampler=pt.samplers.RandomSampler())
    barrier.wait()
    study.optimize(_pt_objective, n_trials=n_trials)


def _optuna_worker(url: str, name: str, n_trials: int, barrier: Barrier) -> None:
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    study = optuna.load_study(study_name=name, storage=url, sampler=optuna.samplers.RandomSampler())
    barrier.wait()
    study.optimize(_optuna_objective, n_trials=n_trials)


@dataclass(frozen=True)
class Throughput:
    """One run of ``processes`` workers: trials completed per second, and how many worker
    processes ended with an error (a storage error they could not recover from)."""

    per_second: float
    deaths: int


def _run_processes(
    target: Callable[..., None], url: str, name: str, processes: int, per_worker: int
) -> tuple[float, int]:
    """Start the workers, release them together; (seconds from release to the last exit,
    deaths)."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    workers = [
        ctx.Process(target=target, args=(url, name, per_worker, barrier)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=900)
    start = time.perf_counter()
    for worker in workers:
        worker.join(1800)
    seconds = time.perf_counter() - start
    return seconds, sum(w.exitcode != 0 for w in workers)


def paretune_processes(url: str, processes: int, per_worker: int) -> Throughput:
    """``processes`` paretune workers of ``per_worker`` trials each on one study."""
    import paretune as pt

    name = f"bench-{uuid.uuid4().hex[:8]}"
    study = pt.create_study(
        study_name=name, objectives={"a": "minimize", "b": "minimize"}, storage=url
    )
    seconds, deaths = _run_processes(_pt_worker, url, name, processes, per_worker)
    done = len(study.get_trials(states=(pt.TrialState.COMPLETE,)))
    pt.delete_study(study_name=name, storage=study.storage)
    study.storage.close()
    return Throughput(done / seconds, deaths)


def optuna_processes(url: str, processes: int, per_worker: int) -> Throughput:
    """The same with Optuna's RDB storage."""
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    study = optuna.create_study(study_name=name, directions=["minimize", "minimize"], storage=url)
    seconds, deaths = _run_processes(_optuna_worker, url, name, processes, per_worker)
    done = len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))
    optuna.delete_study(study_name=name, storage=url)
    return Throughput(done / seconds, deaths)


# ---- reclaim: from a worker's SIGKILL to the failed record ----------------------------------


def _survivor(url: str, name: str, stop: str) -> None:
    """A live worker: runs short trials (and so reaps every heartbeat interval) until told."""
    import paretune as pt

    study = pt.load_study(study_name=name, storage=url, sampler=pt.samplers.RandomSampler())

    def objective(trial: pt.Trial) -> dict[str, float]:
        time.sleep(0.02)
        return _pt_objective(trial)

    def stop_when_told(s: pt.Study, record: pt.TrialRecord) -> None:
        if os.path.exists(stop):
            s.stop()

    study.optimize(objective, callbacks=[stop_when_told])


def _victim(url: str, name: str, ready: str) -> None:
    """A worker that starts a trial and hangs in it until killed."""
    import paretune as pt

    study = pt.load_study(study_name=name, storage=url, sampler=pt.samplers.RandomSampler())
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    pathlib.Path(ready).write_text(str(trial.number))
    time.sleep(3600)


def reclaim_seconds(url: str, lease: Lease, repeats: int, tmp: pathlib.Path) -> list[float]:
    """Seconds from SIGKILL of a worker inside a trial to that trial's record turning
    ``failed`` (``worker_lost``), reaped by a live worker of the same study."""
    import paretune as pt

    name = f"bench-{uuid.uuid4().hex[:8]}"
    interval, grace = lease
    study = pt.create_study(
        study_name=name, objectives={"a": "minimize", "b": "minimize"}, storage=url,
        heartbeat_interval=interval, grace=grace,
    )  # fmt: skip
    ctx = mp.get_context("spawn")
    stop = tmp / f"{name}.stop"
    survivor = ctx.Process(target=_survivor, args=(url, name, str(stop)))
    survivor.start()
    found = []
    try:
        for i in range(repeats):
            ready = tmp / f"{name}-{i}.ready"
            victim = ctx.Process(target=_victim, args=(url, name, str(ready)))
            victim.start()
            while not ready.exists() or not ready.read_text():
                time.sleep(0.01)
            number = int(ready.read_text())
            time.sleep(interval * (i + 0.5) / repeats)  # kills at several points of a beat
            killed_at = time.time()
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)
            victim.join(30)
            while (record := study.trials[number]).state is pt.TrialState.RUNNING:
                time.sleep(0.02)
            assert record.fail_kind is pt.FailKind.WORKER_LOST, record.fail_reason
            found.append((record.finished_at_ts or 0.0) - killed_at)
    finally:
        stop.touch()
        survivor.join(120)
        pt.delete_study(study_name=name, storage=study.storage)
        study.storage.close()
    return found


def describe(seconds: list[float]) -> str:
    """``median [min-max] (n)`` of the reclaim times."""
    if len(seconds) == 1:
        return f"{seconds[0]:.2f} (1)"
    med = statistics.median(seconds)
    return f"{med:.2f} [{min(seconds):.2f}-{max(seconds):.2f}] ({len(seconds)})"


# ---- RayExecutor against local workers -------------------------------------------------------


def _sleepy(trial: Any) -> dict[str, float]:
    time.sleep(0.01)  # stands in for work that releases the GIL
    return _pt_objective(trial)


def ray_overhead(tmp: pathlib.Path, n_trials: int, concurrency: int) -> tuple[float, float]:
    """Wall milliseconds per trial of ``n_trials`` 10 ms trials, ``concurrency`` at a time:
    threads of this process (``n_workers``) and RayExecutor (``max_concurrent``), both on
    one SQLite file, Ray already started and its workers warm."""
    import paretune as pt

    def timed(**options: object) -> float:
        study = pt.create_study(
            study_name=f"bench-{uuid.uuid4().hex[:8]}", objectives={"a": "minimize",
            "b": "minimize"}, storage=f"sqlite:///{tmp}/ray.db",
            sampler=pt.samplers.RandomSampler(seed=0),
        )  # fmt: skip
        start = time.perf_counter()
        study.optimize(_sleepy, n_trials=n_trials, **options)  # type: ignore[arg-type]
        return (time.perf_counter() - start) / n_trials * 1000.0

    executor = pt.executors.RayExecutor(max_concurrent=concurrency)
    timed(executor=executor)  # warm-up: Ray's workers import paretune once
    return timed(n_workers=concurrency), timed(executor=executor)


def start_ray(num_cpus: int) -> None:
    """A local Ray on the loopback interface only, without its dashboard."""
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # read when Ray loads
    import ray

    ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
