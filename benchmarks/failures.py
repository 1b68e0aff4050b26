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

Needs the ``bench`` and ``bo`` extras (Optuna's GPSampler needs torch).
"""

from __future__ import annotations

import argparse
import logging
import math
import multiprocessing as mp
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from problems import PROBLEMS  # noqa: E402
from problems import Problem  # noqa: E402
from problems import _front_2d  # noqa: E402
from problems import _grid_front  # noqa: E402
from problems import feasible_front_hypervolume  # noqa: E402
from samplers import median_iqr  # noqa: E402

CONTENDERS = ("pt-default", "optuna-tpe", "optuna-gp")
"""paretune's default sampler and Optuna's TPE and GPSampler, each with its defaults."""
NSGA_CONTENDERS = ("pt-nsga2", "pt-nsga2-blind", "optuna-nsga2")
"""Also available (``--contenders``): paretune's and Optuna's NSGA-II, and paretune's with
failures hidden from its breeding (``pt-nsga2-blind``, the behaviour before 2026-11-25)."""
OPTUNA_SAMPLERS = {
    "optuna-tpe": "TPESampler",
    "optuna-gp": "GPSampler",
    "optuna-nsga2": "NSGAIISampler",
}
"""Optuna's class behind each of its contenders."""
Outcome = tuple[list[float], list[float]] | None
"""Objectives and constraint values of a complete trial; None for a failed one."""


def _zdt1_crash() -> Problem:
    base = PROBLEMS["ZDT1"]
    g = 1.0 + 9.0 * 0.3 / 7.0

    def evaluate(p: dict[str, Any]) -> tuple[list[float], list[float]]:
        if p["x1"] + p["x2"] < 0.3:
            raise MemoryError("out of memory")
        return base.evaluate(p)

    def front() -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, 20001)
        return np.column_stack([f1, g * (1 - np.sqrt(f1 / g))])

    return Problem("ZDT1-crash", 2, 0, base.suggest, evaluate, base.reference, front)


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


def _mixed_crash() -> Problem:
    base = PROBLEMS["Mixed"]

    def fails(p: dict[str, Any]) -> str | None:
        if p["family"] == "tree" and p["depth"] > 8:
            return "crash"
        if p["family"] == "linear" and p["lr"] > 0.3:
            return "nan"
        return None

    def evaluate(p: dict[str, Any]) -> tuple[list[float], list[float]]:
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
        return _front_2d(np.asarray(points))

    return Problem("Mixed-crash", 2, 1, base.suggest, evaluate, base.reference, front)


def _bnh_crash() -> Problem:
    base = PROBLEMS["BNH"]

    def evaluate(p: dict[str, Any]) -> tuple[list[float], list[float]]:
        if p["x"] > 4.0:
            raise MemoryError("out of memory")
        return base.evaluate(p)

    def front() -> np.ndarray:
        return _grid_front(base.evaluate, (0.0, 4.0), (0.0, 3.0))

    return Problem("BNH-crash", 2, 2, base.suggest, evaluate, base.reference, front)


FAILING = {p.name: p for p in (_zdt1_crash(), _bnh_crash(), _mixed_crash())}
"""The problems with a failing region, by name."""


def _paretune_sampler(contender: str, seed: int) -> Any:
    """The sampler behind a paretune contender (None: the default)."""
    import paretune as pt

    if contender == "pt-default":
        return None
    if contender == "pt-nsga2":
        return pt.samplers.NSGAIISampler(seed=seed)

    class Blind(pt.samplers.NSGAIISampler):
        """NSGA-II that breeds as if no trial had failed."""

        def _failure_check(self, study: Any, trial: Any, space: Any) -> Any:
            return lambda row: False

    return Blind(seed=seed)


def run_paretune(problem: Problem, contender: str, seed: int, budget: int) -> list[Outcome]:
    """``budget`` trials of a paretune contender; the outcome of each, in order."""
    import paretune as pt

    study = pt.create_study(
        objectives={f"f{i}": "minimize" for i in range(problem.n_objectives)},
        constraints={f"c{j}": ("<=", 0.0) for j in range(problem.n_constraints)},
        sampler=_paretune_sampler(contender, seed),
        seed=seed,
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        objs, cons = problem.evaluate(problem.suggest(trial))
        return {
            **{f"f{i}": v for i, v in enumerate(objs)},
            **{f"c{j}": v for j, v in enumerate(cons)},
        }

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("paretune").setLevel(logging.ERROR)
        study.optimize(objective, n_trials=budget)
    outcomes: list[Outcome] = []
    for t in study.trials:
        if t.state is pt.TrialState.COMPLETE:
            objs = [t.metrics[f"f{i}"] for i in range(problem.n_objectives)]
            cons = [t.metrics[f"c{j}"] for j in range(problem.n_constraints)]
            outcomes.append((objs, cons))
        else:
            outcomes.append(None)
    return outcomes


def run_optuna(problem: Problem, sampler_name: str, seed: int, budget: int) -> list[Outcome]:
    """``budget`` trials of Optuna's ``sampler_name``, failures caught as Optuna users
    catch them (``catch=(Exception,)``); the outcome of each, in order."""
    import optuna

    optuna.logging.set_verbosity(logging.ERROR)
    warnings.filterwarnings("ignore")
    kwargs: dict[str, Any] = {"seed": seed}
    if problem.n_constraints:
        kwargs["constraints_func"] = lambda t: t.user_attrs["constraints"]
    sampler = getattr(optuna.samplers, sampler_name)(**kwargs)
    study = optuna.create_study(directions=["minimize"] * problem.n_objectives, sampler=sampler)

    def objective(trial: optuna.Trial) -> tuple[float, ...]:
        objs, cons = problem.evaluate(problem.suggest(trial))
        trial.set_user_attr("constraints", list(cons))
        return tuple(objs)

    study.optimize(objective, n_trials=budget, catch=(Exception,))
    outcomes: list[Outcome] = []
    for t in study.trials:
        if t.state is optuna.trial.TrialState.COMPLETE:
            outcomes.append((list(t.values), list(t.user_attrs["constraints"])))
        else:
            outcomes.append(None)
    return outcomes


def _job(args: tuple[str, str, int, int]) -> tuple[str, str, int, list[Outcome], float]:
    problem_name, contender, seed, budget = args
    problem = FAILING[problem_name]
    started = time.perf_counter()
    if contender.startswith("pt-"):
        outcomes = run_paretune(problem, contender, seed, budget)
    else:
        outcomes = run_optuna(problem, OPTUNA_SAMPLERS[contender], seed, budget)
    return problem_name, contender, seed, outcomes, time.perf_counter() - started


def score(problem: Problem, outcomes: list[Outcome]) -> tuple[int, float]:
    """Failed trials, and the normalised hypervolume of the feasible points found."""
    done = [o for o in outcomes if o is not None]
    hv = feasible_front_hypervolume(problem, [o[0] for o in done], [o[1] for o in done])
    return len(outcomes) - len(done), hv


def main() -> None:
    """Run every contender on every problem and seed; print the table and the ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--problems", default=",".join(FAILING))
    parser.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help=f"comma-separated, from {', '.join(CONTENDERS + NSGA_CONTENDERS)}",
    )
    args = parser.parse_args()
    problems = args.problems.split(",")
    unknown = sorted(set(problems) - set(FAILING))
    if unknown:
        parser.error(f"unknown problems {unknown}; choose from {sorted(FAILING)}")
    contenders = args.contenders.split(",")
    unknown = sorted(set(contenders) - set(CONTENDERS + NSGA_CONTENDERS))
    if unknown:
        parser.error(f"unknown contenders {unknown}; choose from {CONTENDERS + NSGA_CONTENDERS}")
    jobs = [(p, c, s, args.budget) for p in problems for c in contenders for s in range(args.seeds)]
    started = time.perf_counter()
    results: dict[tuple[str, str], list[tuple[int, float]]] = {}
    with mp.get_context("fork").Pool(args.workers) as pool:
        for done, (p, c, s, outcomes, seconds) in enumerate(
            pool.imap_unordered(_job, jobs, chunksize=1), 1
        ):
            failed, hv = score(FAILING[p], outcomes)
            results.setdefault((p, c), []).append((failed, hv))
            print(
                f"[{done}/{len(jobs)} {time.perf_counter() - started:.0f} s] {p} {c} seed {s}: "
                f"{failed} failed, hv {hv:.3f} ({seconds:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    print(
        f"Failed trials of {args.budget} and normalised hypervolume of the feasible front "
        f"found (median [IQR] over {args.seeds} seeds)\n"
    )
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
    print(f"Wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
