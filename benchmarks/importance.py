"""Parameter importance: paretune's PED-ANOVA-style estimator against Optuna's, same trials.

For each problem and seed, paretune's ``RandomSampler`` runs ``--trials`` trials; the
finished trials are replayed into Optuna studies (``optuna.trial.create_trial``, one
single-objective study per target, whose value is the target as paretune ranks it: the
objective as a loss, or the constraint's violation). Then, per target (each objective and
each constraint), on exactly the same trials:

* paretune's ``param_importances`` (default quantile 0.2);
* Optuna's ``PedAnovaImportanceEvaluator(target_quantile=0.2)`` (the same estimator
  family at the same quantile) and ``FanovaImportanceEvaluator(seed=0)`` (a random-forest
  functional ANOVA, Optuna's default);

and prints, over seeds, the median [IQR] Spearman rank correlation of each pair of
rankings and how often their most important parameters agree, over the parameters both
rank (Optuna's fANOVA leaves out conditional parameters). On problems with a known most
important parameter, ``true top1`` counts how often each method puts it first; the last
column is the median time per call.

Problems: ``Floats`` (x strong, y weak, z and w inert), ``LogCat`` (a log-scaled learning
rate, a categorical optimiser, a log-scaled int, an inert float), ``Constrained`` (the
objective driven by x, a latency constraint by width), ``ZDT1`` (f1 is x0 alone),
``Mixed`` (the conditional space of ``problems.py``: model family with its own knobs,
error and cost under a cost limit) and ``Adult`` (the real task of ``adult.py``:
gradient boosting or logistic regression, error and equalized-odds difference, under a
latency limit; a minute or two per seed).

    python benchmarks/importance.py [--seeds 10] [--trials 60] [--problems Floats,Adult]

Needs the ``bench`` extra (``pip install -e ".[bench]"``) for Optuna and scikit-learn.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402

import adult  # noqa: E402
import paretune as pt  # noqa: E402
from harness.cli import choose  # noqa: E402
from harness.cli import make_parser  # noqa: E402
from harness.problem import Evaluation  # noqa: E402
from harness.table import Column  # noqa: E402
from harness.table import Table  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402
from problems import PROBLEMS  # noqa: E402

LIBRARIES = ("numpy", "scipy", "optuna", "scikit-learn", "fairlearn")
"""Besides paretune: the libraries whose versions the stamp under the table names."""
QUANTILE = 0.2
"""The top share for paretune and Optuna's PED-ANOVA alike."""
METHODS = ("pt", "ped", "fanova")
PAIRS = (("pt", "ped"), ("pt", "fanova"), ("ped", "fanova"))

Importances = dict[str, float]


@dataclass(frozen=True)
class Task:
    """A problem: its parameters, its objectives (minimised) and constraints (``<= 0``),
    and, where known, each target's most important parameter."""

    name: str
    suggest: Callable[[Any], dict[str, Any]]
    evaluate: Callable[[dict[str, Any]], Evaluation]
    objectives: tuple[str, ...]
    constraints: tuple[str, ...] = ()
    truth: dict[str, str] = field(default_factory=dict)


def _floats(trial: Any) -> dict[str, Any]:
    return {n: trial.suggest_float(n, 0.0, 1.0) for n in ("x", "y", "z", "w")}


def _floats_eval(p: dict[str, Any]) -> Evaluation:
    return [4 * (p["x"] - 0.3) ** 2 + (p["y"] - 0.5) ** 2], []


def _logcat(trial: Any) -> dict[str, Any]:
    return {
        "lr": trial.suggest_float("lr", 1e-5, 1e-1, log=True),
        "optimizer": trial.suggest_categorical("optimizer", ["adam", "rmsprop", "sgd"]),
        "batch": trial.suggest_int("batch", 16, 512, log=True),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }


def _logcat_eval(p: dict[str, Any]) -> Evaluation:
    penalty = {"adam": 0.0, "rmsprop": 0.5, "sgd": 1.0}[p["optimizer"]]
    return [abs(math.log10(p["lr"]) + 3) + 0.5 * penalty + 0.2 * math.log2(p["batch"] / 16)], []


def _constrained(trial: Any) -> dict[str, Any]:
    return {
        "x": trial.suggest_float("x", 0.0, 1.0),
        "y": trial.suggest_float("y", 0.0, 1.0),
        "width": trial.suggest_int("width", 1, 64, log=True),
        "z": trial.suggest_float("z", 0.0, 1.0),
    }


def _constrained_eval(p: dict[str, Any]) -> Evaluation:
    loss = (p["x"] - 0.7) ** 2 + 0.2 * (p["y"] - 0.5) ** 2
    latency_ms = 2.0 * p["width"] + 3.0 * p["x"]
    return [loss], [latency_ms - 40.0]


def _tasks() -> dict[str, Task]:
    zdt1, mixed = PROBLEMS["ZDT1"], PROBLEMS["Mixed"]
    tasks = [
        Task("Floats", _floats, _floats_eval, ("loss",), truth={"loss": "x"}),
        Task("LogCat", _logcat, _logcat_eval, ("loss",), truth={"loss": "lr"}),
        Task(
            "Constrained", _constrained, _constrained_eval, ("loss",), ("latency",),
            truth={"loss": "x", "latency": "width"},
        ),
        Task("ZDT1", zdt1.suggest, zdt1.evaluate, ("f1", "f2"), truth={"f1": "x0"}),
        Task("Mixed", mixed.suggest, mixed.evaluate, ("error", "cost"), ("cost_limit",)),
        Task("Adult", adult.suggest, adult.evaluate, ("error", "eo_diff"), ("latency",)),
    ]  # fmt: skip
    return {t.name: t for t in tasks}


def paretune_study(task: Task, seed: int, n_trials: int) -> pt.Study:
    """``n_trials`` random-search trials of ``task``; each constraint is reported as its
    violation and bounded by ``<= 0``."""
    study = pt.create_study(
        objectives={name: "minimize" for name in task.objectives},
        constraints={name: ("<=", 0.0) for name in task.constraints},
        sampler=pt.samplers.RandomSampler(seed=seed),
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        values, violations = task.evaluate(task.suggest(trial))
        return dict(zip(task.objectives + task.constraints, values + violations, strict=True))

    study.optimize(objective, n_trials=n_trials)
    return study


def _optuna_distribution(distribution: Any) -> Any:
    import optuna

    if isinstance(distribution, pt.distributions.CategoricalDistribution):
        return optuna.distributions.CategoricalDistribution(distribution.choices)
    kind = (
        optuna.distributions.IntDistribution
        if isinstance(distribution, pt.distributions.IntDistribution)
        else optuna.distributions.FloatDistribution
    )
    return kind(distribution.low, distribution.high, log=distribution.log, step=distribution.step)


def optuna_study(records: list[pt.TrialRecord], target: str) -> Any:
    """The complete trials of a paretune study as an Optuna study minimising ``target``
    (every target here is minimised: objectives, and violations)."""
    import optuna

    study = optuna.create_study(direction="minimize")
    for record in records:
        study.add_trial(
            optuna.trial.create_trial(
                params=dict(record.params),
                distributions={n: _optuna_distribution(d) for n, d in record.distributions.items()},
                value=record.metrics[target],
            )
        )
    return study


def _timed(compute: Callable[[], Importances]) -> tuple[Importances, float]:
    start = time.perf_counter()
    result = compute()
    return result, (time.perf_counter() - start) * 1000.0


def importances_of(study: pt.Study, target: str) -> dict[str, tuple[Importances, float]]:
    """Each method's importances for ``target`` and the milliseconds it took."""
    import optuna

    records = study.get_trials(states=(pt.TrialState.COMPLETE,))
    replay = optuna_study(records, target)

    def optuna_importances(evaluator: Any) -> Importances:
        return dict(optuna.importance.get_param_importances(replay, evaluator=evaluator))

    return {
        "pt": _timed(lambda: pt.importance.param_importances(study, target, quantile=QUANTILE)),
        "ped": _timed(
            lambda: optuna_importances(
                optuna.importance.PedAnovaImportanceEvaluator(target_quantile=QUANTILE)
            )
        ),
        "fanova": _timed(
            lambda: optuna_importances(optuna.importance.FanovaImportanceEvaluator(seed=0))
        ),
    }


def spearman(a: Importances, b: Importances) -> float:
    """Spearman's rho of two importance rankings over the parameters both score; NaN
    when fewer than three are shared or one ranking is constant."""
    from scipy.stats import spearmanr

    common = sorted(set(a) & set(b))
    if len(common) < 3:
        return math.nan
    x, y = [a[n] for n in common], [b[n] for n in common]
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    return float(spearmanr(x, y).statistic)


def top1(imp: Importances, among: set[str]) -> str:
    """The most important parameter of ``imp`` among ``among`` (ties: by name)."""
    return min(among, key=lambda n: (-imp[n], n))


@dataclass
class Tally:
    """One (problem, target) row's measurements over seeds."""

    rho: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    agree: dict[tuple[str, str], int] = field(default_factory=dict)
    true_top: dict[str, int] = field(default_factory=dict)
    ms: dict[str, list[float]] = field(default_factory=dict)
    runs: int = 0

    def add(self, result: dict[str, tuple[Importances, float]], truth: str | None) -> None:
        self.runs += 1
        imps = {m: result[m][0] for m in METHODS}
        for m in METHODS:
            self.ms.setdefault(m, []).append(result[m][1])
            if truth is not None:
                self.true_top[m] = self.true_top.get(m, 0) + (top1(imps[m], set(imps[m])) == truth)
        for a, b in PAIRS:
            common = set(imps[a]) & set(imps[b])
            self.rho.setdefault((a, b), []).append(spearman(imps[a], imps[b]))
            same = bool(common) and top1(imps[a], common) == top1(imps[b], common)
            self.agree[(a, b)] = self.agree.get((a, b), 0) + same


def _rho_cell(values: list[float]) -> str:
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return "-"
    cell = median_iqr(finite, 2)
    return cell if len(finite) == len(values) else f"{cell} ({len(finite)})"


TABLE = Table(
    Column("problem", 11, align="<"), Column("target", 10, align="<"),
    *(Column(f"rho {a}~{b}", 19) for a, b in PAIRS),
    Column("top1 pt=ped", 11), Column("pt=fanova", 9), Column("ped=fanova", 10),
    Column("true top1 pt/ped/fanova", 23), Column("ms pt/ped/fanova", 18),
)  # fmt: skip


def main() -> None:
    """Parse the options, run every problem x seed, print the table and the stamp."""
    tasks = _tasks()
    parser = make_parser(__doc__)
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--trials", type=int, default=60, help="trials per study (default 60)")
    parser.add_argument("--problems", default=",".join(tasks), help="comma-separated problems")
    args = parser.parse_args()
    chosen = choose(parser, args.problems, tasks, "problems")
    logging.getLogger("paretune").setLevel(logging.WARNING)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")  # Optuna's experimental warnings, sklearn's convergence

    print(
        f"Importance rankings on the same {args.trials} random-search trials, "
        f"{args.seeds} seeds: paretune (pt) vs Optuna PED-ANOVA (ped) and fANOVA"
    )
    print(TABLE.header())
    for name in chosen:
        task = tasks[name]
        tallies: dict[str, Tally] = {t: Tally() for t in task.objectives + task.constraints}
        for seed in range(args.seeds):
            study = paretune_study(task, seed, args.trials)
            for target, tally in tallies.items():
                tally.add(importances_of(study, target), task.truth.get(target))
        for target, tally in tallies.items():
            n = tally.runs
            truth = (
                "/".join(f"{tally.true_top[m]}" for m in METHODS) + f" of {n}"
                if target in task.truth
                else "-"
            )
            ms = "/".join(f"{np.median(tally.ms[m]):.0f}" for m in METHODS)
            rho = [_rho_cell(tally.rho[p]) for p in PAIRS]
            agree = [f"{tally.agree[p]}/{n}" for p in PAIRS]
            print(TABLE.row(name, target, *rho, *agree, truth, ms))
    print(version_stamp(LIBRARIES))


if __name__ == "__main__":
    main()
