"""Failures benchmark: samplers on problems where part of the space crashes, against Optuna.

Real objectives fail: a configuration runs out of memory, training diverges to NaN. A
sampler that does not learn from failures proposes the best-looking region again and
again, and if the crash sits where the model expects the optimum, a Gaussian process
proposes the same point for ever. Three problems from ``problems.py`` with a failing region:

* ``ZDT1-crash``: ZDT1 (8 parameters) whose objective raises ``MemoryError`` where
  ``x1 + x2 < 0.3``, which holds the true front (``x1..x7 = 0``). The reachable front is
  ZDT1's with ``g = 1 + 9 * 0.3 / 7``.
* ``BNH-crash``: the constrained BNH whose objective raises ``MemoryError`` where
  ``x > 4``, which cuts off the low-``f2`` end of its front; the reachable front is BNH's
  over ``x <= 4``.
* ``Mixed-crash``: the mixed conditional space, where trees deeper than 8 raise
  ``MemoryError`` and linear models with ``lr > 0.3`` return NaN (diverged). Its best
  front is a dense random sample of the configurations that do not fail.

``--contenders`` adds paretune's and Optuna's NSGA-II (:data:`NSGA_CONTENDERS`). Every
contender runs ``--budget`` trials per seed; the table gives the median [IQR] of
failed trials and of the normalised hypervolume of the feasible front found, and the
ratios of paretune's default (and of its NSGA-II, when run) to the best Optuna sampler in
the same run.

    python benchmarks/failures.py [--seeds 5] [--budget 60] [--workers 2] [--contenders ...]
        [--cache [FILE]]   # resumable: benchmarks/README.md

Needs the ``bench`` and ``bo`` extras (Optuna's GPSampler needs torch).
"""

from __future__ import annotations

import math
import time
from typing import Any

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402

from harness.cli import add_run_options  # noqa: E402
from harness.cli import cache_of  # noqa: E402
from harness.cli import choose  # noqa: E402
from harness.cli import make_parser  # noqa: E402
from harness.contender import Contender  # noqa: E402
from harness.problem import Evaluation  # noqa: E402
from harness.problem import FrontProblem  # noqa: E402
from harness.runner import Run  # noqa: E402
from harness.runner import grid  # noqa: E402
from harness.runner import libraries_of  # noqa: E402
from harness.runner import run_jobs  # noqa: E402
from harness.score import failures  # noqa: E402
from harness.score import normalised_hypervolume  # noqa: E402
from harness.studies import optuna_contender  # noqa: E402
from harness.studies import paretune_contender  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402
from problems import PROBLEMS  # noqa: E402
from problems import front_2d  # noqa: E402
from problems import grid_front  # noqa: E402

BENCHMARK = "failures"
DEFAULT_CONTENDERS = ("pt-default", "optuna-tpe", "optuna-gp")
"""paretune's default sampler and Optuna's TPE and GPSampler, each with its defaults."""
NSGA_CONTENDERS = ("pt-nsga2", "pt-nsga2-blind", "optuna-nsga2")
"""Also available (``--contenders``): paretune's and Optuna's NSGA-II, and paretune's with
failures hidden from its breeding (``pt-nsga2-blind``, its earlier behaviour)."""
OPTUNA_SAMPLERS = {
    "optuna-tpe": "TPESampler",
    "optuna-gp": "GPSampler",
    "optuna-nsga2": "NSGAIISampler",
}
"""Optuna's class behind each of its contenders."""


def _zdt1_crash() -> FrontProblem:
    base = PROBLEMS["ZDT1"]
    g = 1.0 + 9.0 * 0.3 / 7.0

    def evaluate(p: dict[str, Any]) -> Evaluation:
        if p["x1"] + p["x2"] < 0.3:
            raise MemoryError("out of memory")
        return base.evaluate(p)

    def front() -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, 20001)
        return np.column_stack([f1, g * (1 - np.sqrt(f1 / g))])

    return FrontProblem("ZDT1-crash", 2, 0, base.suggest, evaluate, base.reference, front)


class _RandomTrial:
    """Draws each suggested parameter uniformly (log-uniformly where asked)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def suggest_float(self, name: str, low: float, high: float, log: bool = False) -> float:
        if log:
            return float(math.exp(self.rng.uniform(math.log(low), math.log(high))))
        return float(self.rng.uniform(low, high))

    def suggest_int(self, name: str, low: int, high: int, log: bool = False) -> int:
        if log:
            drawn = round(self.suggest_float(name, low - 0.5, high + 0.5, log=True))
            return min(max(drawn, low), high)
        return int(self.rng.integers(low, high + 1))

    def suggest_categorical(self, name: str, choices: list[Any]) -> Any:
        return choices[int(self.rng.integers(len(choices)))]


def _mixed_crash() -> FrontProblem:
    base = PROBLEMS["Mixed"]

    def fails(p: dict[str, Any]) -> str | None:
        if p["family"] == "tree" and p["depth"] > 8:
            return "crash"
        if p["family"] == "linear" and p["lr"] > 0.3:
            return "nan"
        return None

    def evaluate(p: dict[str, Any]) -> Evaluation:
        failure = fails(p)
        if failure == "crash":
            raise MemoryError("out of memory")
        objs, cons = base.evaluate(p)
        return ([math.nan, objs[1]] if failure == "nan" else objs), cons

    def front() -> np.ndarray:
        rng = np.random.default_rng(0)
        points = []
        for _ in range(90000):
            p = base.suggest(_RandomTrial(rng))
            if fails(p) is None:
                objs, cons = base.evaluate(p)
                if cons[0] <= 0:
                    points.append(objs)
        return front_2d(np.asarray(points))

    return FrontProblem("Mixed-crash", 2, 1, base.suggest, evaluate, base.reference, front)


def _bnh_crash() -> FrontProblem:
    base = PROBLEMS["BNH"]

    def evaluate(p: dict[str, Any]) -> Evaluation:
        if p["x"] > 4.0:
            raise MemoryError("out of memory")
        return base.evaluate(p)

    def front() -> np.ndarray:
        return grid_front(base.evaluate, (0.0, 4.0), (0.0, 3.0))

    return FrontProblem("BNH-crash", 2, 2, base.suggest, evaluate, base.reference, front)


FAILING = {p.name: p for p in (_zdt1_crash(), _bnh_crash(), _mixed_crash())}
"""The problems with a failing region, by name."""


def _blind_nsga2(seed: int) -> Any:
    """paretune's NSGA-II breeding as if no trial had failed."""
    import paretune as pt

    class Blind(pt.samplers.NSGAIISampler):
        """NSGA-II that breeds as if no trial had failed."""

        def _failure_check(self, study: Any, trial: Any, space: Any) -> Any:
            return lambda row: False

    return Blind(seed=seed)


CONTENDERS: dict[str, Contender] = {
    # the default for trials slower than a GP suggestion (these problems are instant)
    "pt-default": paretune_contender("pt-default", "AutoSampler", {"use_gp": True}),
    "pt-nsga2": paretune_contender("pt-nsga2", "NSGAIISampler"),
    "pt-nsga2-blind": paretune_contender(
        "pt-nsga2-blind",
        "NSGAIISampler",
        variant="failures hidden from breeding",
        make=_blind_nsga2,
    ),
    **{name: optuna_contender(name, s) for name, s in OPTUNA_SAMPLERS.items()},
}
"""Every contender, by name."""


def score(problem: FrontProblem, outcomes: list) -> tuple[int, float]:
    """Failed trials, and the normalised hypervolume of the feasible points found."""
    return failures(outcomes), normalised_hypervolume(problem, outcomes)


def _progress(run: Run) -> str:
    failed, hv = score(FAILING[run.job.problem.name], run.history)
    return f"{failed} failed, hv {hv:.3f}"


def print_table(runs: list[Run], problems: list[str], contenders: list[str]) -> None:
    """Per problem: failures and hypervolume per contender, and paretune's ratios."""
    results: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for run in runs:
        key = (run.job.problem.name, run.job.contender.name)
        results.setdefault(key, []).append(score(FAILING[key[0]], run.history))
    for p in problems:
        print(p)
        medians: dict[str, tuple[float, float]] = {}
        for c in contenders:
            rows = results[(p, c)]
            failed = [float(r[0]) for r in rows]
            hvs = [r[1] for r in rows]
            medians[c] = (float(np.median(failed)), float(np.median(hvs)))
            print(f"  {c:<15} failed {median_iqr(failed, 1):<20} hv {median_iqr(hvs)}")
        optuna = [c for c in contenders if c.startswith("optuna")]
        for ours in ("pt-default", "pt-nsga2"):
            if ours not in medians or not optuna:
                continue
            best_hv = max(medians[c][1] for c in optuna)
            fewest = min(medians[c][0] for c in optuna)
            ours_failed, ours_hv = medians[ours]
            print(
                f"  {ours} / best Optuna: hypervolume {ours_hv / best_hv:.3f}; "
                f"failed trials {ours_failed:g} against {fewest:g}"
            )
        print()


def main() -> None:
    """Run every contender on every problem and seed; print the table and the ratios."""
    parser = make_parser(__doc__)
    add_run_options(parser, BENCHMARK, seeds=5)
    parser.add_argument("--budget", type=int, default=60, help="trials per run")
    parser.add_argument("--problems", default=",".join(FAILING))
    parser.add_argument(
        "--contenders",
        default=",".join(DEFAULT_CONTENDERS),
        help=f"comma-separated, from {', '.join(CONTENDERS)}",
    )
    args = parser.parse_args()
    problems = choose(parser, args.problems, FAILING, "problems")
    contenders = choose(parser, args.contenders, CONTENDERS, "contenders")
    started = time.perf_counter()
    jobs = grid(
        [FAILING[p] for p in problems], [CONTENDERS[c] for c in contenders], args.seeds,
        args.budget,
    )  # fmt: skip
    runs = run_jobs(BENCHMARK, jobs, args.workers, cache_of(args), _progress)
    print(
        f"Failed trials of {args.budget} and normalised hypervolume of the feasible front "
        f"found (median [IQR] over {args.seeds} seeds)\n"
    )
    print_table(runs, problems, contenders)
    print(f"Wall time {time.perf_counter() - started:.0f} s")
    print(version_stamp(libraries_of(jobs)))


if __name__ == "__main__":
    main()
