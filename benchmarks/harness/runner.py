"""Running contenders x seeds: in forked worker processes, through the cache.

Worker processes are forked (POSIX only): they inherit the jobs, so problems and
contenders may hold closures; only their results cross back, by pickle.
"""

from __future__ import annotations

import functools
import json
import multiprocessing as mp
import sys
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

from harness.cache import RunCache
from harness.cache import RunKey
from harness.contender import Contender
from harness.contender import History
from harness.problem import Named
from harness.versions import library_versions

T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """One run to make: a contender on a problem for a seed and a budget."""

    problem: Named
    contender: Contender
    seed: int
    budget: float

    def key(self, benchmark: str) -> RunKey:
        """The run's cache key, with the installed versions of the libraries that decide
        it (the contender's and the problem's)."""
        libraries = {*self.contender.libraries, *self.problem.libraries}
        return RunKey.of(
            benchmark, self.problem.name, self.problem.settings, self.contender.name,
            self.contender.settings, self.seed, self.budget, library_versions(libraries),
        )  # fmt: skip


@dataclass(frozen=True)
class Run:
    """A finished run: its job, history, wall seconds, and whether the cache held it."""

    job: Job
    history: History
    seconds: float
    reused: bool


def grid(
    problems: Iterable[Named],
    contenders: Iterable[Contender],
    seeds: int,
    budget: float | Callable[[Named], float],
    where: Callable[[Named, Contender], bool] | None = None,
) -> list[Job]:
    """Every problem x contender x seed ``0..seeds-1`` (in that order) for which ``where``
    holds, each with ``budget`` (or ``budget(problem)``)."""
    contenders = list(contenders)
    return [
        Job(problem, contender, seed, budget(problem) if callable(budget) else budget)
        for problem in problems
        for contender in contenders
        if where is None or where(problem, contender)
        for seed in range(seeds)
    ]


def libraries_of(jobs: Iterable[Job]) -> set[str]:
    """Every library that decides one of ``jobs`` (for the version stamp)."""
    return {lib for job in jobs for lib in (*job.contender.libraries, *job.problem.libraries)}


_CALLS: Sequence[Callable[[], Any]] = ()


def _call(index: int) -> tuple[int, Any]:
    return index, _CALLS[index]()


def in_workers(calls: Sequence[Callable[[], T]], workers: int) -> Iterator[tuple[int, T]]:
    """Each call's index and result as it finishes, over ``workers`` forked processes."""
    global _CALLS
    if not calls:
        return
    _CALLS = calls  # the workers inherit it when the pool forks them
    try:
        with mp.get_context("fork").Pool(max(1, min(workers, len(calls)))) as pool:
            yield from pool.imap_unordered(_call, range(len(calls)), chunksize=1)
    finally:
        _CALLS = ()


def _timed(job: Job) -> tuple[History, float]:
    started = time.perf_counter()
    history = job.contender.run(job.problem, job.seed, job.budget)
    return history, time.perf_counter() - started


def run_jobs(
    benchmark: str,
    jobs: Sequence[Job],
    workers: int,
    cache: RunCache | None = None,
    describe: Callable[[Run], str] | None = None,
) -> list[Run]:
    """Every job's run, in the order of ``jobs``.

    A job whose key ``cache`` holds is reused; the others run in ``workers`` forked
    processes, and each is stored in ``cache`` as soon as it finishes (killing the
    benchmark loses only the runs in progress). On stderr: the cache's summary, then
    one line per finished run, to which ``describe(run)`` adds (a score, say). A history
    is returned as the cache would give it back (JSON's lists), fresh or reused.
    """
    keys = [job.key(benchmark) for job in jobs]
    runs: list[Run | None] = [None] * len(jobs)
    if cache is not None:
        found = cache.lookup(keys)
        for i, key in enumerate(keys):
            row = found.hits.get(key)
            if row is not None:
                runs[i] = Run(jobs[i], row["history"], float(row.get("seconds", 0.0)), True)
        todo = sum(run is None for run in runs)
        print(found.summary(cache.path, todo), file=sys.stderr, flush=True)
    pending = [i for i, run in enumerate(runs) if run is None]
    calls = [functools.partial(_timed, jobs[i]) for i in pending]
    started = time.perf_counter()
    for done, (k, (history, seconds)) in enumerate(in_workers(calls, workers), 1):
        i = pending[k]
        history = json.loads(json.dumps(history))  # as stored: tuples become lists
        if cache is not None:
            cache.store(keys[i], history, seconds)
        run = runs[i] = Run(jobs[i], history, seconds, False)
        job = run.job
        note = describe(run) if describe else ""
        note = f": {note}" if note else ""
        print(
            f"[{done}/{len(calls)} {time.perf_counter() - started:.0f} s] {job.problem.name} "
            f"{job.contender.name} seed {job.seed}{note} ({seconds:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    return [run for run in runs if run is not None]
