"""Samplers benchmark: paretune's samplers against Optuna's, in the same run.

For every problem in ``problems.py`` (ZDT1-3, DTLZ2, the constrained BNH, SRN and TNK, a
mixed conditional space) and ``constrained_problems.py`` (OSY: six constraints, about 3%
of the box feasible; C2-DTLZ2: three objectives, four feasible caps), every contender runs
``--budget`` evaluations for each of ``--seeds`` seeds. The score is the hypervolume of the
feasible points found after 50, 100 and 200 evaluations, divided by the hypervolume of the
true or best-known front. It prints the median and inter-quartile range per problem, the
ratio of paretune's default to the best Optuna sampler at 100 evaluations, and the time
each sampler spends per suggestion at 100 and 1,000 trials as a ratio to Optuna's TPE.

    python benchmarks/samplers.py [--seeds 10] [--budget 200] [--gp] [--workers 2]
    python benchmarks/samplers.py ... --cache runs.jsonl   # resumable, see below

Needs the ``bench`` extra; ``--gp`` adds Optuna's GPSampler (needs torch; slow).

``--cache FILE`` makes a long run resumable and lets it be split over machines and days:
each finished run (problem, contender, seed, budget and its evaluations) is appended to
FILE as one JSON line, and a later invocation with the same FILE reuses the runs it finds
instead of running them again. A run is reused only when it was made with the same code:
the same ``benchmarks/problems.py`` (and ``constrained_problems.py`` for its two problems),
the same versions of the libraries, and for paretune's contenders the same sources of
``src/paretune`` that a sampler run executes (its ``fingerprint``; the evaluation layer,
data loaders, demo and command line are left out, and Optuna's runs stay valid when
paretune changes). This file is not part of it:
after changing how a contender is set up here, start a new FILE. The table says how many
runs it reused. Killing the benchmark loses only the runs still in progress.
Runs are deterministic on one machine, not across machines: on another CPU the GP
contenders' floating point can differ from their first model-based suggestion on (seen
between two of this project's virtual machines), so runs gathered on several machines are
independent samples of the same method rather than copies of each other.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import logging
import multiprocessing as mp
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

# One core per worker process: set before numpy loads its BLAS, which reads these once.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from constrained_problems import CONSTRAINED_PROBLEMS  # noqa: E402
from paretune.pareto import hypervolume  # noqa: E402
from problems import PROBLEMS  # noqa: E402
from problems import Problem  # noqa: E402
from problems import feasible_front_hypervolume  # noqa: E402

CHECKPOINTS = (50, 100, 200)
PARETUNE = {
    "pt-default": None,  # AutoSampler: GPs at small budgets when the bo extra is installed
    "pt-tpe": "TPESampler",
    "pt-nsga2": "NSGAIISampler",
    "pt-nsga3": "NSGAIIISampler",
    "pt-gp": "GPSampler",
    "pt-gp-rbf": "GPSampler",
    "pt-gp-no-front": "GPSampler",
    "pt-gp-joint": "GPSampler",
    "pt-random": "RandomSampler",
}
OPTUNA = {
    "optuna-tpe": "TPESampler",
    "optuna-nsga2": "NSGAIISampler",
    "optuna-nsga3": "NSGAIIISampler",
    "optuna-gp": "GPSampler",
}
SLOW = {"pt-gp", "pt-gp-rbf", "pt-gp-no-front", "pt-gp-joint", "optuna-gp"}  # run only with --gp
OPTIONS: dict[str, dict[str, Any]] = {
    "pt-gp-rbf": {"kernel": "rbf"},
    "pt-gp-no-front": {"front_starts": 0},
    "pt-gp-joint": {"conditional": "joint"},
}


def run_paretune(
    problem: Problem,
    sampler_name: str | None,
    seed: int,
    budget: int,
    options: dict[str, Any] | None = None,
) -> list:
    import paretune as pt

    sampler = (
        None
        if sampler_name is None
        else getattr(pt.samplers, sampler_name)(seed=seed, **(options or {}))
    )
    study = pt.create_study(
        objectives={f"f{i}": "minimize" for i in range(problem.n_objectives)},
        constraints={f"c{j}": ("<=", 0.0) for j in range(problem.n_constraints)},
        sampler=sampler,
        seed=seed,
    )
    history: list[tuple[list[float], list[float]]] = []

    def objective(trial: pt.Trial) -> dict[str, float]:
        objs, cons = problem.evaluate(problem.suggest(trial))
        history.append((list(objs), list(cons)))
        return {
            **{f"f{i}": v for i, v in enumerate(objs)},
            **{f"c{j}": v for j, v in enumerate(cons)},
        }

    study.optimize(objective, n_trials=budget)
    return history


def run_optuna(problem: Problem, sampler_name: str, seed: int, budget: int) -> list:
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    warnings.filterwarnings("ignore")
    kwargs: dict[str, Any] = {"seed": seed}
    if problem.n_constraints:
        kwargs["constraints_func"] = lambda t: t.user_attrs["constraints"]
    sampler = getattr(optuna.samplers, sampler_name)(**kwargs)
    study = optuna.create_study(directions=["minimize"] * problem.n_objectives, sampler=sampler)
    history: list[tuple[list[float], list[float]]] = []

    def objective(trial: optuna.Trial) -> tuple[float, ...]:
        objs, cons = problem.evaluate(problem.suggest(trial))
        trial.set_user_attr("constraints", list(cons))
        history.append((list(objs), list(cons)))
        return tuple(objs)

    study.optimize(objective, n_trials=budget)
    return history


def run_random(problem: Problem, _name: str, seed: int, budget: int) -> list:
    return run_paretune(problem, "RandomSampler", seed, budget)


History = list[tuple[list[float], list[float]]]


def _job(args: tuple[str, str, int, int]) -> tuple[str, str, int, History, float]:
    """One run; the last field is its wall time in seconds."""
    problem_name, contender, seed, budget = args
    problem = get_problem(problem_name)
    started = time.perf_counter()
    if contender in PARETUNE:
        history = run_paretune(problem, PARETUNE[contender], seed, budget, OPTIONS.get(contender))
    else:
        history = run_optuna(problem, OPTUNA[contender], seed, budget)
    return problem_name, contender, seed, history, time.perf_counter() - started


def _progress(
    result: tuple[str, str, int, History, float], done: int, total: int, elapsed: float
) -> None:
    """One line on stderr per finished run, so a long benchmark shows where it is."""
    problem_name, contender, seed, history, seconds = result
    score = ""
    if problem_name != "Adult":
        at100 = _scores(get_problem(problem_name), history)[CHECKPOINTS.index(100)]
        score = f" hv@100 {at100:.3f}"
    print(
        f"[{done}/{total} {elapsed:.0f} s] {problem_name} {contender} seed {seed}{score}"
        f" ({seconds:.0f} s)",
        file=sys.stderr,
        flush=True,
    )


def get_problem(name: str) -> Problem:
    """A synthetic problem, or the Adult task (whose front is learnt from the runs)."""
    if name in CONSTRAINED_PROBLEMS:
        return CONSTRAINED_PROBLEMS[name]
    if name != "Adult":
        return PROBLEMS[name]
    import adult

    return Problem(
        "Adult", 2, 1, adult.suggest, adult.evaluate, adult.REFERENCE, lambda: np.zeros((0, 2))
    )


def _scores(problem: Problem, history: History) -> list[float]:
    return [
        feasible_front_hypervolume(
            problem, [h[0] for h in history[:k]], [h[1] for h in history[:k]]
        )
        for k in CHECKPOINTS
    ]  # a checkpoint past the budget repeats the last value


def _best_known(problem: Problem, histories: list[History]) -> Problem:
    """The Adult problem with the union of every run's feasible points as its front."""
    points = [o for h in histories for o, c in h if all(v <= 0 for v in c)]
    front = np.asarray(points) if points else np.zeros((0, 2))
    best = hypervolume(front, problem.reference) if points else 1.0
    return Problem(
        problem.name,
        2,
        1,
        problem.suggest,
        problem.evaluate,
        problem.reference,
        lambda: front,
        best,
    )


def time_per_suggestion(factory: Callable[[], Callable[[int], list[float]]]) -> tuple[float, float]:
    """Milliseconds per trial around trial 100 and trial 1,000."""
    times = factory()(1000)
    return float(np.median(times[90:110])) * 1e3, float(np.median(times[980:1000])) * 1e3


def _timed_paretune(sampler_name: str) -> Callable[[int], list[float]]:
    def run(n: int) -> list[float]:
        import paretune as pt

        problem = PROBLEMS["ZDT1"]
        sampler = getattr(pt.samplers, sampler_name)(seed=0) if sampler_name else None
        study = pt.create_study(objectives={"f0": "minimize", "f1": "minimize"}, sampler=sampler)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            trial = study.ask()
            objs, _ = problem.evaluate(problem.suggest(trial))
            study.tell(trial, {"f0": objs[0], "f1": objs[1]})
            times.append(time.perf_counter() - start)
        return times

    return run


def _timed_optuna(sampler_name: str) -> Callable[[int], list[float]]:
    def run(n: int) -> list[float]:
        import optuna

        optuna.logging.set_verbosity(logging.WARNING)
        problem = PROBLEMS["ZDT1"]
        sampler = getattr(optuna.samplers, sampler_name)(seed=0)
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            trial = study.ask()
            objs, _ = problem.evaluate(problem.suggest(trial))
            study.tell(trial, objs)
            times.append(time.perf_counter() - start)
        return times

    return run


def _timing_job(contender: str) -> tuple[str, tuple[float, float]]:
    warnings.filterwarnings("ignore")
    if contender in PARETUNE:
        return contender, time_per_suggestion(lambda: _timed_paretune(PARETUNE[contender] or ""))
    return contender, time_per_suggestion(lambda: _timed_optuna(OPTUNA[contender]))


ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = (
    "optuna", "numpy", "scipy", "torch", "botorch", "gpytorch", "scikit-learn", "fairlearn",
    "pandas",
)  # fmt: skip
#: Parts of ``src/paretune`` that no sampler run executes: the evaluation layer, the data
#: set loaders (not the container, whose guard ``optimize`` enters), the demo and its
#: threshold wrapper, the command line. Changing them keeps the
#: cached runs of paretune's contenders valid; ``tests/test_benchmark_fingerprint.py``
#: runs every paretune contender under a profiler and fails if one calls into them.
NOT_RUN_BY_SAMPLERS = ("evaluate/", "datasets/_loaders.py", "demo.py", "cli.py", "_thresholded.py")


def paretune_sources() -> list[Path]:
    """The files of ``src/paretune`` that a sampler run can execute: all of it except
    :data:`NOT_RUN_BY_SAMPLERS`."""
    package = ROOT / "src" / "paretune"
    return [
        path
        for path in sorted(package.rglob("*.py"))
        if not path.relative_to(package).as_posix().startswith(NOT_RUN_BY_SAMPLERS)
    ]


def code_fingerprint(contender: str, problem: str = "") -> str:
    """A hash of the code behind ``contender``'s runs of ``problem``: the problems, the
    versions of the libraries, and for paretune's contenders the sources a sampler run
    executes (:func:`paretune_sources`; Optuna's runs stay valid when paretune changes).
    Runs of OSY and C2-DTLZ2 hash ``constrained_problems.py`` too; the other problems'
    fingerprints are what they were before that file existed."""
    digest = hashlib.sha256()
    files = [ROOT / "benchmarks" / "problems.py", ROOT / "benchmarks" / "adult.py"]
    if problem in CONSTRAINED_PROBLEMS:
        files.append(ROOT / "benchmarks" / "constrained_problems.py")
    if contender in PARETUNE:
        files += paretune_sources()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    for name, version in library_versions().items():
        digest.update(f"{name}={version}".encode())
    return digest.hexdigest()[:16]


def library_versions() -> dict[str, str]:
    """Installed version of each of :data:`LIBRARIES` (``"absent"`` where missing)."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


Job = tuple[str, str, int, int]


def load_cache(
    path: Path, fingerprints: dict[tuple[str, str], str]
) -> tuple[dict[Job, History], int, set[str]]:
    """Runs stored in ``path`` whose fingerprint is their (problem, contender)'s in
    ``fingerprints``, how many stored runs of these had another, and, for those of them
    that recorded their library versions, each library whose version differs from the
    installed one, as ``"name stored (installed version)"``."""
    runs: dict[Job, History] = {}
    other = 0
    differences: set[str] = set()
    if not path.exists():
        return runs, other, differences
    installed = library_versions()
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        expected = fingerprints.get((row["problem"], row["contender"]))
        if expected is None:
            continue
        if row["fingerprint"] != expected:
            other += 1
            differences.update(
                f"{name} {version} (installed {installed[name]})"
                for name, version in row.get("versions", {}).items()
                if name in installed and installed[name] != version
            )
            continue
        key = (row["problem"], row["contender"], int(row["seed"]), int(row["budget"]))
        runs[key] = [(list(o), list(c)) for o, c in row["history"]]
    return runs, other, differences


def append_to_cache(path: Path, fingerprint: str, job: Job, history: History) -> None:
    """Add one finished run to ``path`` (one JSON line, written and flushed at once), with
    the library versions it ran with, so that a later run can say why it is stale."""
    problem, contender, seed, budget = job
    row = {
        "fingerprint": fingerprint,
        "versions": library_versions(),
        "problem": problem,
        "contender": contender,
        "seed": seed,
        "budget": budget,
        "history": history,
    }
    with path.open("a") as stream:
        stream.write(json.dumps(row) + "\n")


def _default_over_best_optuna(
    scores: dict[tuple[str, str], list[list[float]]], problem: str, contenders: list[str], at: int
) -> float:
    """pt-default's median score over the best Optuna sampler's, at checkpoint ``at``."""
    default = float(np.median([run[at] for run in scores[(problem, "pt-default")]]))
    optuna_best = max(
        float(np.median([run[at] for run in scores[(problem, c)]]))
        for c in contenders
        if c.startswith("optuna")
    )
    return default / optuna_best if optuna_best > 0 else float("inf")


def median_iqr(values: list[float], digits: int = 3) -> str:
    """``values`` as "median [first quartile-third quartile]", rounded to ``digits``."""
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return f"{med:.{digits}f} [{q1:.{digits}f}-{q3:.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument(
        "--problems",
        default=",".join([*PROBLEMS, *CONSTRAINED_PROBLEMS]),
        help="comma-separated; 'Adult' adds the real task (slow: one model fit per trial)",
    )
    parser.add_argument("--gp", action="store_true", help="include Optuna's GPSampler (slow)")
    parser.add_argument(
        "--contenders", default="", help="comma-separated subset of contenders to run"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--timing-only", action="store_true")
    parser.add_argument(
        "--cache", type=Path, default=None, help="JSON-lines file of finished runs (resumable)"
    )
    args = parser.parse_args()

    contenders = [c for c in [*PARETUNE, *OPTUNA] if args.gp or c not in SLOW]
    if args.contenders:
        contenders = args.contenders.split(",")
    problems = args.problems.split(",")
    for name in problems:
        if name != "Adult":
            get_problem(name).best_hypervolume  # noqa: B018  (compute the fronts once, up front)
    jobs: list[Job] = [
        (p, c, s, args.budget) for p in problems for c in contenders for s in range(args.seeds)
    ]
    if args.timing_only:
        jobs, problems = [], []
    fingerprints = {(p, c): code_fingerprint(c, p) for p in problems for c in contenders}
    cached, stale, differences = (
        load_cache(args.cache, fingerprints) if args.cache else ({}, 0, set())
    )
    results = [(*job[:3], cached[job]) for job in jobs if job in cached]
    jobs = [job for job in jobs if job not in cached]
    if args.cache:
        versions = (
            f"; they ran with other library versions: {', '.join(sorted(differences))}"
            if differences
            else ""
        )
        print(
            f"Cache {args.cache}: {len(results)} runs reused, {len(jobs)} to run "
            f"({stale} stored runs of other code ignored{versions})",
            file=sys.stderr,
            flush=True,
        )
    started = time.perf_counter()
    ctx = mp.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        for done, result in enumerate(pool.imap_unordered(_job, jobs, chunksize=1), 1):
            results.append(result[:4])
            if args.cache:
                job = (*result[:3], args.budget)
                append_to_cache(args.cache, fingerprints[result[0], result[1]], job, result[3])
            _progress(result, done, len(jobs), time.perf_counter() - started)
    reused = len(results) - len(jobs)
    scores: dict[tuple[str, str], list[list[float]]] = {}
    scored = {name: get_problem(name) for name in problems}
    if "Adult" in scored:
        scored["Adult"] = _best_known(scored["Adult"], [r[3] for r in results if r[0] == "Adult"])
    for problem_name, contender, _seed, history in results:
        scores.setdefault((problem_name, contender), []).append(
            _scores(scored[problem_name], history)
        )

    print(
        f"Normalised hypervolume of the feasible front found (median [IQR] over {args.seeds} "
        f"seeds), at {', '.join(map(str, CHECKPOINTS))} evaluations"
        + (f"; {reused} runs reused from {args.cache}" if reused else "")
    )
    width = max(len(c) for c in contenders)
    wins, ratios = 0, []
    for p in problems:
        print(f"\n{p}")
        for c in contenders:
            runs = scores[(p, c)]
            cells = [median_iqr([run[i] for run in runs]) for i in range(len(CHECKPOINTS))]
            print(f"  {c:<{width}}  " + "   ".join(cells))
        if "pt-default" not in contenders or not any(c.startswith("optuna") for c in contenders):
            continue
        at_each = [
            _default_over_best_optuna(scores, p, contenders, i) for i in range(len(CHECKPOINTS))
        ]
        ratio = at_each[CHECKPOINTS.index(100)]
        ratios.append(ratio)
        wins += ratio >= 1.0
        print(
            f"  pt-default / best Optuna at 100 evaluations: {ratio:.3f}   (at "
            + ", ".join(f"{n}: {r:.3f}" for n, r in zip(CHECKPOINTS, at_each, strict=True))
            + ")"
        )
    if ratios:
        print(
            f"\npt-default >= best Optuna sampler at 100 evaluations on {wins} of "
            f"{len(ratios)} problems; lowest ratio {min(ratios):.3f}"
        )

    if not args.no_timing:
        timed = ["pt-default", "pt-tpe", "pt-nsga2", "optuna-tpe", "optuna-nsga2"]
        with ctx.Pool(min(args.workers, len(timed))) as pool:
            timings = dict(pool.map(_timing_job, timed, chunksize=1))
        base100, base1000 = timings["optuna-tpe"]
        print(
            "\nTime per suggestion (ask + suggest + tell, in memory, ZDT1), "
            "ms and ratio to Optuna TPE"
        )
        for c in timed:
            t100, t1000 = timings[c]
            print(
                f"  {c:<{width}}  at 100: {t100:7.2f} ({t100 / base100:5.2f}x)"
                f"   at 1000: {t1000:7.2f} ({t1000 / base1000:5.2f}x)"
            )
    print(f"\nWall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
