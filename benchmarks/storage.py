"""Storage cost per trial: paretune against Optuna, in the same run.

Runs a trivial two-objective objective with three parameters for ``--trials`` trials on
each backend and reports wall-clock milliseconds per trial, total and for the storage alone
(the total minus the same loop in memory), with the ratio Optuna / paretune.

    python benchmarks/storage.py [--trials 300] [--postgres URL]

Needs the ``bench`` extra (``pip install -e ".[bench]"``) for Optuna.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable

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
LIBRARIES = ("optuna", "sqlalchemy", "psycopg")
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


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="PostgreSQL URL ('' to skip)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
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
    print(version_stamp(LIBRARIES))


if __name__ == "__main__":
    main()
