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
    python benchmarks/samplers.py ... --cache [FILE]   # resumable: benchmarks/README.md

Needs the ``bench`` extra; ``--gp`` adds Optuna's GPSampler and paretune's GP variants
(need torch; slow). Runs are deterministic on one machine, not across machines: on
another CPU the GP contenders' floating point can differ from their first model-based
suggestion on, so runs gathered on several machines are independent samples of the same
method rather than copies of each other.
"""

from __future__ import annotations

import functools
import logging
import time
import warnings
from collections.abc import Callable

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402

import adult  # noqa: E402
from constrained_problems import CONSTRAINED_PROBLEMS  # noqa: E402
from harness.cli import add_run_options  # noqa: E402
from harness.cli import cache_of  # noqa: E402
from harness.cli import choose  # noqa: E402
from harness.cli import make_parser  # noqa: E402
from harness.contender import Contender  # noqa: E402
from harness.problem import FrontProblem  # noqa: E402
from harness.runner import Run  # noqa: E402
from harness.runner import grid  # noqa: E402
from harness.runner import in_workers  # noqa: E402
from harness.runner import libraries_of  # noqa: E402
from harness.runner import run_jobs  # noqa: E402
from harness.score import normalised_hypervolume  # noqa: E402
from harness.score import with_best_known_front  # noqa: E402
from harness.studies import optuna_contender  # noqa: E402
from harness.studies import paretune_contender  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402
from problems import PROBLEMS  # noqa: E402

BENCHMARK = "samplers"
CHECKPOINTS = (50, 100, 200)
PARETUNE = {
    # The default as it runs for trials slower than a GP suggestion: these problems are
    # instant, so the default's cost rule alone would keep them on TPE (pt-tpe's row).
    "pt-default": "AutoSampler",
    "pt-tpe": "TPESampler",
    "pt-nsga2": "NSGAIISampler",
    "pt-nsga3": "NSGAIIISampler",
    "pt-gp": "GPSampler",
    "pt-gp-rbf": "GPSampler",
    "pt-gp-no-front": "GPSampler",
    "pt-gp-joint": "GPSampler",
    "pt-random": "RandomSampler",
}
"""paretune's sampler class behind each of its contenders (None: the default)."""
OPTIONS: dict[str, dict[str, object]] = {
    "pt-default": {"use_gp": True},
    "pt-gp-rbf": {"kernel": "rbf"},
    "pt-gp-no-front": {"front_starts": 0},
    "pt-gp-joint": {"conditional": "joint"},
}
"""Options passed to the sampler class besides the seed."""
OPTUNA = {
    "optuna-tpe": "TPESampler",
    "optuna-nsga2": "NSGAIISampler",
    "optuna-nsga3": "NSGAIIISampler",
    "optuna-gp": "GPSampler",
}
"""Optuna's sampler class behind each of its contenders."""
SLOW = {"pt-gp", "pt-gp-rbf", "pt-gp-no-front", "pt-gp-joint", "optuna-gp"}  # run only with --gp
CONTENDERS: dict[str, Contender] = {
    **{name: paretune_contender(name, s, OPTIONS.get(name)) for name, s in PARETUNE.items()},
    **{name: optuna_contender(name, s) for name, s in OPTUNA.items()},
}
"""Every contender, by name."""
TIMED = ["pt-default", "pt-tpe", "pt-nsga2", "optuna-tpe", "optuna-nsga2"]
"""Contenders whose time per suggestion is measured."""


def get_problem(name: str) -> FrontProblem:
    """A synthetic problem, or the Adult task (whose front is learnt from the runs)."""
    if name in CONSTRAINED_PROBLEMS:
        return CONSTRAINED_PROBLEMS[name]
    return adult.problem() if name == "Adult" else PROBLEMS[name]


def checkpoint_scores(problem: FrontProblem, history: list) -> list[float]:
    """Normalised hypervolume after each of :data:`CHECKPOINTS` evaluations (one past the
    budget repeats the last value)."""
    return [normalised_hypervolume(problem, history[:k]) for k in CHECKPOINTS]


def _progress(run: Run) -> str:
    """The run's score at 100 evaluations (none for Adult: its front comes from all runs)."""
    if run.job.problem.name == "Adult":
        return ""
    problem = get_problem(run.job.problem.name)
    at100 = checkpoint_scores(problem, run.history)[CHECKPOINTS.index(100)]
    return f"hv@100 {at100:.3f}"


def time_per_suggestion(run: Callable[[int], list[float]]) -> tuple[float, float]:
    """Milliseconds per trial around trial 100 and trial 1,000 of ``run(1000)``."""
    times = run(1000)
    return float(np.median(times[90:110])) * 1e3, float(np.median(times[980:1000])) * 1e3


def _timed_trials(contender: str, n: int) -> list[float]:
    """Seconds of each ask, suggest and tell of ``n`` trials on ZDT1, in memory."""
    problem = PROBLEMS["ZDT1"]
    warnings.filterwarnings("ignore")
    if contender in PARETUNE:
        import paretune as pt

        name = PARETUNE[contender]
        sampler = getattr(pt.samplers, name)(seed=0) if name else None
        study = pt.create_study(objectives={"f0": "minimize", "f1": "minimize"}, sampler=sampler)
        tell = lambda trial, objs: study.tell(trial, {"f0": objs[0], "f1": objs[1]})  # noqa: E731
    else:
        import optuna

        optuna.logging.set_verbosity(logging.WARNING)
        sampler = getattr(optuna.samplers, OPTUNA[contender])(seed=0)
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
        tell = study.tell
    times = []
    for _ in range(n):
        start = time.perf_counter()
        trial = study.ask()
        objs, _ = problem.evaluate(problem.suggest(trial))
        tell(trial, objs)
        times.append(time.perf_counter() - start)
    return times


def _default_over_best_optuna(medians: dict[str, list[float]], at: int) -> float:
    """pt-default's median score over the best Optuna sampler's, at checkpoint ``at``."""
    best = max(m[at] for c, m in medians.items() if c.startswith("optuna"))
    return medians["pt-default"][at] / best if best > 0 else float("inf")


def print_scores(
    runs: list[Run], problems: list[str], contenders: list[str], seeds: int, source: object
) -> None:
    """The table of normalised hypervolumes per problem, and pt-default's ratios; ``source``
    names the cache the reused runs came from."""
    reused = sum(run.reused for run in runs)
    scored = {name: get_problem(name) for name in problems}
    if "Adult" in scored:
        adult_runs = [r.history for r in runs if r.job.problem.name == "Adult"]
        scored["Adult"] = with_best_known_front(scored["Adult"], adult_runs)
    scores: dict[tuple[str, str], list[list[float]]] = {}
    for run in runs:
        key = (run.job.problem.name, run.job.contender.name)
        scores.setdefault(key, []).append(checkpoint_scores(scored[key[0]], run.history))
    print(
        f"Normalised hypervolume of the feasible front found (median [IQR] over {seeds} "
        f"seeds), at {', '.join(map(str, CHECKPOINTS))} evaluations"
        + (f"; {reused} runs reused from {source}" if reused else "")
    )
    width = max(len(c) for c in contenders)
    wins, ratios = 0, []
    for p in problems:
        print(f"\n{p}")
        medians = {}
        for c in contenders:
            at = [[run[i] for run in scores[(p, c)]] for i in range(len(CHECKPOINTS))]
            medians[c] = [float(np.median(values)) for values in at]
            print(f"  {c:<{width}}  " + "   ".join(median_iqr(values) for values in at))
        if "pt-default" not in contenders or not any(c.startswith("optuna") for c in contenders):
            continue
        at_each = [_default_over_best_optuna(medians, i) for i in range(len(CHECKPOINTS))]
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


def print_timings(workers: int, width: int) -> None:
    """Time per suggestion of :data:`TIMED`, each in a worker process of its own."""
    calls = [
        functools.partial(time_per_suggestion, functools.partial(_timed_trials, c)) for c in TIMED
    ]
    timings = {TIMED[i]: result for i, result in in_workers(calls, workers)}
    base100, base1000 = timings["optuna-tpe"]
    print(
        "\nTime per suggestion (ask + suggest + tell, in memory, ZDT1), ms and ratio to Optuna TPE"
    )
    for c in TIMED:
        t100, t1000 = timings[c]
        print(
            f"  {c:<{width}}  at 100: {t100:7.2f} ({t100 / base100:5.2f}x)"
            f"   at 1000: {t1000:7.2f} ({t1000 / base1000:5.2f}x)"
        )


def main() -> None:
    """Run, score and print; then time the suggestions unless told not to."""
    parser = make_parser(__doc__)
    add_run_options(parser, BENCHMARK, seeds=10)
    parser.add_argument("--budget", type=int, default=200, help="evaluations per run")
    parser.add_argument(
        "--problems",
        default=",".join([*PROBLEMS, *CONSTRAINED_PROBLEMS]),
        help="comma-separated; 'Adult' adds the real task (slow: one model fit per trial)",
    )
    parser.add_argument("--gp", action="store_true", help="include the GP contenders (slow)")
    parser.add_argument(
        "--contenders", default="", help=f"comma-separated subset of {', '.join(CONTENDERS)}"
    )
    parser.add_argument("--no-timing", action="store_true", help="skip time per suggestion")
    parser.add_argument("--timing-only", action="store_true", help="only time per suggestion")
    args = parser.parse_args()
    known = [*PROBLEMS, *CONSTRAINED_PROBLEMS, "Adult"]
    problems = [] if args.timing_only else choose(parser, args.problems, known, "problems")
    contenders = [c for c in CONTENDERS if args.gp or c not in SLOW]
    if args.contenders:
        contenders = choose(parser, args.contenders, CONTENDERS, "contenders")
    for name in problems:
        if name != "Adult":  # compute the fronts once, up front, before forking
            get_problem(name).best_hypervolume  # noqa: B018
    started = time.perf_counter()
    jobs = grid(
        [get_problem(p) for p in problems], [CONTENDERS[c] for c in contenders], args.seeds,
        args.budget,
    )  # fmt: skip
    cache = cache_of(args)
    runs = run_jobs(BENCHMARK, jobs, args.workers, cache, _progress)
    if problems:
        print_scores(runs, problems, contenders, args.seeds, args.cache)
    if not args.no_timing:
        print_timings(args.workers, max(len(c) for c in contenders))
    print(f"\nWall time {time.perf_counter() - started:.0f} s")
    timed = [] if args.no_timing else [CONTENDERS[c] for c in TIMED]
    print(version_stamp(libraries_of(jobs) | {lib for c in timed for lib in c.libraries}))


if __name__ == "__main__":
    main()
