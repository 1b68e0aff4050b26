"""Storage cost per trial, and many worker processes on one study: paretune against Optuna.

Four sections, each against its peer in the same run (``--sections`` picks some):

* ``overhead``: a trivial two-objective objective with three parameters for ``--trials``
  trials on each backend, in one process: wall-clock milliseconds per trial, total and for
  the storage alone (the total minus the same loop in memory), and Optuna / paretune;
* ``processes``: ``--processes`` worker processes (spawned, released together) of
  ``--per-worker`` trials each on one SQLite or PostgreSQL study: trials completed per
  second and worker processes that died (a storage error they did not survive);
* ``ray``: RayExecutor against threads of one process, 1 and 2 trials at a time, 10 ms
  trials on SQLite: wall milliseconds per trial (Ray started and warm beforehand);
* ``reclaim``: seconds from SIGKILL of a worker inside a trial until a live worker of the
  study has reaped the trial (``worker_lost``), with a short lease (0.2 s heartbeat, 1 s
  grace); ``--default-lease`` adds the default lease (10 s, 60 s), about 70 s a backend.

    python benchmarks/storage.py [--trials 300] [--postgres URL] [--sections ...]
    python benchmarks/storage.py --processes 8,32 --per-worker 50 --default-lease  # the big run

Needs the ``bench`` extra (``pip install -e ".[bench]"``) for Optuna, and the ``ray`` extra
for the ``ray`` section (left out, with a note, when Ray is missing).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import pathlib
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable

import storage_processes as procs
from harness.cli import choose
from harness.cli import make_parser
from harness.table import Column
from harness.table import Table
from harness.versions import version_stamp

DEFAULT_PG = os.environ.get(
    "PARETUNE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

TABLE = Table(
    Column("backend", 11, align="<"), Column("paretune ms", 12, ".2f"),
    Column("optuna ms", 10, ".2f"), Column("ratio optuna/paretune", 22, ".1f"),
    Column("storage-only ms (pt / optuna)", 30),
)  # fmt: skip
PROCESSES = Table(
    Column("backend", 11, align="<"), Column("processes", 9),
    Column("paretune trials/s", 17, ".1f"), Column("optuna trials/s", 15, ".1f"),
    Column("ratio pt/optuna", 15, ".1f"), Column("deaths pt / optuna", 18),
)  # fmt: skip
RAY = Table(
    Column("trials at once", 14), Column("threads ms/trial", 16, ".1f"),
    Column("ray ms/trial", 12, ".1f"), Column("ray overhead ms/trial", 21, ".1f"),
)  # fmt: skip
RECLAIM = Table(
    Column("backend", 11, align="<"), Column("lease (heartbeat, grace)", 24, align="<"),
    Column("seconds to reclaim: median [min-max] (n)", 41, align="<"),
)  # fmt: skip
SECTIONS = ("overhead", "processes", "ray", "reclaim")
LIBRARIES = ("optuna", "sqlalchemy", "psycopg", "ray")
"""Besides paretune: the libraries whose versions the stamp under the table names."""


def run_paretune(storage: str | None, n_trials: int) -> float:
    import paretune as pt

    study = pt.create_study(
        study_name=f"bench-{uuid.uuid4().hex[:8]}",
        objectives={"a": "minimize", "b": "minimize"},
        storage=storage,
        sampler=pt.samplers.RandomSampler(seed=0),
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_int("y", 0, 10)
        z = trial.suggest_categorical("z", ["p", "q"])
        return {"a": x + y, "b": 1.0 - x + (z == "p")}

    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    elapsed = time.perf_counter() - start
    if storage:
        pt.delete_study(study_name=study.name, storage=study.storage)
        study.storage.close()
    return elapsed / n_trials * 1000.0


def run_optuna(storage: str | None, n_trials: int) -> float:
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    study = optuna.create_study(
        study_name=name,
        directions=["minimize", "minimize"],
        storage=storage,
        sampler=optuna.samplers.RandomSampler(seed=0),
    )

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_int("y", 0, 10)
        z = trial.suggest_categorical("z", ["p", "q"])
        return x + y, 1.0 - x + (z == "p")

    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    elapsed = time.perf_counter() - start
    if storage:
        optuna.delete_study(study_name=name, storage=storage)
    return elapsed / n_trials * 1000.0


def median_of(
    runs: int, fn: Callable[[str | None, int], float], storage: str | None, n: int
) -> float:
    values = sorted(fn(storage, n) for _ in range(runs))
    return values[len(values) // 2]


def overhead(args: argparse.Namespace, tmp: str) -> None:
    backends: list[tuple[str, str | None, str | None]] = [
        ("memory", None, None),
        ("sqlite", f"sqlite:///{tmp}/paretune.db", f"sqlite:///{tmp}/optuna.db"),
    ]
    if args.postgres:  # both use the same server, database and psycopg 3 driver
        backends.append(("postgresql", args.postgres, args.postgres))
    results = {}
    for label, ours, theirs in backends:
        results[label] = (
            median_of(args.repeats, run_paretune, ours, args.trials),
            median_of(args.repeats, run_optuna, theirs, args.trials),
        )
    base_ours, base_theirs = results["memory"]
    print(f"Storage cost per trial, {args.trials} trials, median of {args.repeats} runs")
    print(TABLE.header())
    for label, (ours, theirs) in results.items():
        extra = (
            ""
            if label == "memory"
            else (f"{ours - base_ours:>14.2f} / {theirs - base_theirs:<13.2f}")
        )
        print(TABLE.row(label, ours, theirs, theirs / ours, extra))


def processes(args: argparse.Namespace, tmp: str) -> None:
    print(f"\nWorker processes on one study, {args.per_worker} trials each: trials/s, deaths")
    print(PROCESSES.header())
    for n in args.processes:
        for label, url in _shared(args, tmp, n):
            ours = procs.paretune_processes(url(), n, args.per_worker)
            theirs = procs.optuna_processes(url(), n, args.per_worker)
            ratio = ours.per_second / theirs.per_second if theirs.per_second else float("inf")
            deaths = f"{ours.deaths} / {theirs.deaths}"
            print(PROCESSES.row(label, n, ours.per_second, theirs.per_second, ratio, deaths))


def _shared(args: argparse.Namespace, tmp: str, n: int) -> list[tuple[str, Callable[[], str]]]:
    """(label, a fresh URL per library and run) for SQLite and PostgreSQL."""
    files = iter(range(1_000_000))
    backends = [("sqlite", lambda: f"sqlite:///{tmp}/procs-{n}-{next(files)}.db")]
    if args.postgres:
        backends.append(("postgresql", lambda: args.postgres))
    return backends


def ray_section(args: argparse.Namespace, tmp: str) -> None:
    if importlib.util.find_spec("ray") is None:
        print("\nRayExecutor: left out, Ray is not installed (pip install 'paretune[ray]')")
        return
    procs.start_ray(num_cpus=2)
    print(f"\nRayExecutor against threads, {args.ray_trials} trials of 10 ms on SQLite")
    print(RAY.header())
    for concurrency in (1, 2):
        threads, ray = procs.ray_overhead(pathlib.Path(tmp), args.ray_trials, concurrency)
        print(RAY.row(concurrency, threads, ray, ray - threads))


def reclaim(args: argparse.Namespace, tmp: str) -> None:
    leases = [("short", procs.SHORT_LEASE, args.reclaim_repeats)]
    if args.default_lease:
        leases.append(("default", procs.DEFAULT_LEASE, 1))
    backends = [("sqlite", f"sqlite:///{tmp}/reclaim.db")]
    if args.postgres:
        backends.append(("postgresql", args.postgres))
    print("\nFrom a worker's SIGKILL to its trial reaped by a live worker")
    print(RECLAIM.header())
    for name, (interval, grace), repeats in leases:
        for label, url in backends:
            seconds = procs.reclaim_seconds(url, (interval, grace), repeats, pathlib.Path(tmp))
            lease = f"{name} ({interval:g} s, {grace:g} s)"
            print(RECLAIM.row(label, lease, procs.describe(seconds)))


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="PostgreSQL URL ('' to skip)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    parser.add_argument(
        "--processes", default="8", help="worker process counts, comma-separated (default 8)"
    )
    parser.add_argument("--per-worker", type=int, default=20, help="trials per worker process")
    parser.add_argument("--ray-trials", type=int, default=100)
    parser.add_argument("--reclaim-repeats", type=int, default=3)
    parser.add_argument(
        "--default-lease", action="store_true", help="also reclaim with the default lease"
    )
    args = parser.parse_args()
    sections = choose(parser, args.sections, SECTIONS, "sections")
    args.processes = [int(n) for n in args.processes.split(",") if n]
    run = {"overhead": overhead, "processes": processes, "ray": ray_section, "reclaim": reclaim}
    with tempfile.TemporaryDirectory() as tmp:
        for section in sections:
            run[section](args, tmp)
    print(version_stamp(LIBRARIES))


if __name__ == "__main__":
    main()
