"""Replay benchmark: multi-fidelity on tables of real training, in told costs, 10 seeds.

Each task's configurations were trained here once at every budget (``replay_tasks.py``;
``--build`` trains them, about 5 minutes): an MLP's epochs on Adult (1, 3, 9, 27; a
promotion resumes) and gradient boosting on fractions of Adult's rows (1/27 to 1; every
budget retrains). A run replays the table through ask/tell: each trial tells the metrics
stored for its configuration and budget, and as its cost the training seconds measured
when the table was built (a promotion of the MLP tells only its extra epochs). Runs are
deterministic, and compute is counted in told costs, never in this machine's time.

Contenders, each given the same told compute per seed (``--compute``, in multiples of the
task's median full-budget training):

* ``pt-mf-payoff``: ``HyperbandScheduler(skip_unprofitable=True, safe_first=True)``:
  screening from a rung only while its expected saving, from the told costs and Kendall tau
  with the top budget, can beat full-budget search (``paretune.schedulers._payoff``);
* ``pt-mf-costly``: ``HyperbandScheduler(skip_costly=True, safe_first=True)`` (a rung
  costing over ``1/sqrt(eta)`` of the next is skipped), on the same told costs;
* ``pt-mf-both``: both rules (a rung is skipped when either says so);
* ``pt-mf-hyperband``: plain ``HyperbandScheduler()`` (every rung judges);
* ``pt-full``: the multi-fidelity studies' sampler (the default's TPE route,
  ``AutoSampler(use_gp=False)``), every trial at the full budget;
* ``optuna-tpe``, ``optuna-nsga2``: Optuna's TPESampler and NSGAIISampler at the full
  budget, the latency limit through ``constraints_func``.

Printed per task: the table's ground truth per rung (median cost as a share of a full
training, Kendall's tau of each objective with the top budget over every configuration),
then the normalised hypervolume of the feasible full-budget front (the table's true front
is the reference) after a quarter, half and all of the compute, and the compute after which
each contender's median hypervolume over seeds reaches the best full-budget search's
median final hypervolume (checked at every hundredth of the compute).

    python3 benchmarks/replay.py --build            # train the tables (once)
    python3 benchmarks/replay.py [--seeds 10] [--compute 40] [--tasks mlp,hgb] [--cache [FILE]]
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass
from typing import Any

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402

import replay_tasks  # noqa: E402
from harness.cli import add_run_options  # noqa: E402
from harness.cli import cache_of  # noqa: E402
from harness.cli import choose  # noqa: E402
from harness.cli import make_parser  # noqa: E402
from harness.contender import Contender  # noqa: E402
from harness.runner import Job  # noqa: E402
from harness.runner import Run  # noqa: E402
from harness.runner import libraries_of  # noqa: E402
from harness.runner import run_jobs  # noqa: E402
from harness.score import front_hypervolume  # noqa: E402
from harness.studies import OPTUNA_LIBRARIES  # noqa: E402
from harness.studies import PARETUNE_LIBRARIES  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402

BENCHMARK = "replay"
REFERENCE = (0.3, 0.3)  # error rate, EO difference
FRACTIONS = (0.25, 0.5, 1.0)


@dataclass(frozen=True)
class ReplayTask:
    """A task replayed from its table (implements :class:`harness.problem.Named`)."""

    name: str
    libraries: tuple[str, ...] = ("numpy",)

    @functools.cached_property
    def table(self) -> dict[str, Any]:
        """The trained table (``replay_tasks.load``)."""
        return replay_tasks.load(self.name)

    @property
    def settings(self) -> dict[str, Any]:
        """The table's definition and build date: part of the cache key."""
        t = self.table
        return {k: t[k] for k in ("budgets", "grid", "thresholds", "train_rows", "built")}

    @property
    def budgets(self) -> list[float]:
        """The rung budgets, cheapest first."""
        return [float(b) for b in self.table["budgets"]]

    @property
    def top(self) -> float:
        """The full budget."""
        return self.budgets[-1]

    def suggest(self, trial: Any) -> tuple[str, str]:
        """The configuration: an index per grid parameter (ordered levels) and a threshold;
        the same space for paretune and Optuna trials."""
        index = [trial.suggest_int(name, 0, len(levels) - 1) for name, levels in self.grid]
        k = trial.suggest_int("threshold", 0, len(self.table["thresholds"]) - 1)
        return "-".join(map(str, index)), f"{self.table['thresholds'][k]:.1f}"

    @property
    def grid(self) -> list[tuple[str, list[Any]]]:
        """The grid's parameters and levels, in order."""
        return list(self.table["grid"].items())

    def result(
        self, config: tuple[str, str], budget: float, resumed_from: float | None = None
    ) -> tuple[float, float, float, float]:
        """``(error, EO difference, latency ms, told cost)`` of ``config`` at ``budget``;
        a resumed MLP pays only the epochs after ``resumed_from``."""
        model, threshold = config
        entry = self.table["entries"][model]
        at = entry[f"{budget:g}"]
        accuracy, eo = at["scores"][threshold]
        cost = at["train_s"]
        if resumed_from is not None and self.name == "mlp":
            cost -= entry[f"{resumed_from:g}"]["train_s"]
        return 1.0 - accuracy, eo, at["latency_ms"], max(cost, 0.0)

    def full_cost(self) -> float:
        """The median cost of one training at the full budget (the compute unit)."""
        return float(np.median([e[f"{self.top:g}"]["train_s"] for e in self.entries]))

    @property
    def entries(self) -> list[dict[str, Any]]:
        """Every trained model's entry."""
        return list(self.table["entries"].values())

    def true_front_points(self) -> np.ndarray:
        """Every feasible configuration at the full budget: the true front is among them."""
        bound = replay_tasks.LATENCY_MS[self.name]
        points = [
            (1.0 - acc, eo)
            for e in self.entries
            for acc, eo in e[f"{self.top:g}"]["scores"].values()
            if e[f"{self.top:g}"]["latency_ms"] <= bound
        ]
        return np.asarray(points, dtype=float)


def _quiet() -> None:
    import logging

    warnings.filterwarnings("ignore")
    logging.getLogger("paretune").setLevel(logging.WARNING)


def run_paretune(task: ReplayTask, seed: int, compute: float, scheduler: Any) -> list[tuple]:
    """A paretune study by ask/tell until ``compute`` (told costs); ``scheduler`` is a
    ``(class name, options)`` pair for a study with the task's fidelity, None for every
    trial at the full budget (then the sampler is the multi-fidelity default's TPE route)."""
    import paretune as pt

    _quiet()
    budgets = task.budgets
    kind = "epochs" if task.name == "mlp" else "data_fraction"
    low, high = (int(budgets[0]), int(task.top)) if task.name == "mlp" else (budgets[0], task.top)
    if scheduler is None:  # full budget, with the multi-fidelity default's TPE route
        fidelity, chosen, sampler = None, None, pt.samplers.AutoSampler(seed=seed, use_gp=False)
    else:
        fidelity = pt.Fidelity(kind, low, high)
        chosen, sampler = getattr(pt.schedulers, scheduler[0])(**scheduler[1]), None
    study = pt.create_study(
        objectives={"error": "minimize", "eo_diff": "minimize"},
        constraints={"latency_ms": ("<=", replay_tasks.LATENCY_MS[task.name])},
        fidelity=fidelity,
        scheduler=chosen,
        sampler=sampler,
        cost_unit="s",
        seed=seed,
    )
    history: list[tuple] = []
    spent = 0.0
    while spent < compute:
        trial = study.ask()
        config = task.suggest(trial)
        budget = float(trial.budget) if trial.budget is not None else task.top
        previous = None if trial.previous_budget is None else float(trial.previous_budget)
        error, eo, latency, cost = task.result(config, budget, previous)
        spent += cost
        study.tell(trial, {"error": error, "eo_diff": eo, "latency_ms": latency}, cost=cost)
        full = bool(np.isclose(budget, task.top))
        history.append((spent, full, error, eo, latency, trial.number))
    return history


def run_optuna(task: ReplayTask, seed: int, compute: float, sampler: str) -> list[tuple]:
    """Optuna at the full budget by ask/tell until ``compute``; ``sampler``: its class."""
    import optuna

    _quiet()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bound = replay_tasks.LATENCY_MS[task.name]
    chosen = getattr(optuna.samplers, sampler)(
        seed=seed, constraints_func=lambda t: [t.user_attrs["latency_ms"] - bound]
    )
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=chosen)
    history: list[tuple] = []
    spent = 0.0
    while spent < compute:
        trial = study.ask()
        error, eo, latency, cost = task.result(task.suggest(trial), task.top)
        trial.set_user_attr("latency_ms", latency)
        spent += cost
        study.tell(trial, (error, eo))
        history.append((spent, True, error, eo, latency, trial.number))
    return history


def _paretune(name: str, scheduler: Any) -> Contender:
    settings = {"library": "paretune", "scheduler": scheduler, "told_costs": True}
    run = functools.partial(run_paretune, scheduler=scheduler)
    return Contender(name, settings, run, PARETUNE_LIBRARIES)


def _optuna(name: str, sampler: str) -> Contender:
    run = functools.partial(run_optuna, sampler=sampler)
    return Contender(name, {"library": "optuna", "sampler": sampler}, run, OPTUNA_LIBRARIES)


CONTENDERS: dict[str, Contender] = {
    c.name: c
    for c in (
        _paretune(
            "pt-mf-payoff",
            ("HyperbandScheduler", {"skip_unprofitable": True, "safe_first": True}),
        ),
        _paretune(
            "pt-mf-costly", ("HyperbandScheduler", {"skip_costly": True, "safe_first": True})
        ),
        _paretune(
            "pt-mf-both",
            (
                "HyperbandScheduler",
                {"skip_costly": True, "skip_unprofitable": True, "safe_first": True},
            ),
        ),
        _paretune("pt-mf-hyperband", ("HyperbandScheduler", {})),
        _paretune("pt-full", None),
        _optuna("optuna-tpe", "TPESampler"),
        _optuna("optuna-nsga2", "NSGAIISampler"),
    )
}
"""Every contender, by name (the module docstring says what each is)."""
FULL = ["pt-full", "optuna-tpe", "optuna-nsga2"]


def _points(history: list, task: ReplayTask, until: float) -> np.ndarray:
    """Feasible full-budget points found within ``until`` of told compute."""
    bound = replay_tasks.LATENCY_MS[task.name]
    pts = [
        (e, g) for spent, full, e, g, lat, _ in history if spent <= until and full and lat <= bound
    ]
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def _median_curve(
    histories: list[list], task: ReplayTask, best: float, grid: np.ndarray
) -> np.ndarray:
    """The median over seeds of the normalised hypervolume after each compute in ``grid``."""
    curves = [
        [front_hypervolume(_points(h, task, until), REFERENCE) / best for until in grid]
        for h in histories
    ]
    return np.median(np.asarray(curves), axis=0)


def _to_reach(curve: np.ndarray, grid: np.ndarray, target: float) -> float:
    """The first compute in ``grid`` where the median curve reaches ``target`` (inf: never)."""
    reached = np.flatnonzero(curve >= target - 1e-12)
    return float(grid[reached[0]]) if reached.size else float("inf")


def print_ground_truth(task: ReplayTask) -> None:
    """Each rung's median cost share and rank agreement with the top, over the table."""
    from scipy.stats import kendalltau

    top = f"{task.top:g}"
    print(f"  {'budget':>8} {'cost share':>10} {'tau error':>9} {'tau EO':>7}")
    for budget in task.budgets:
        b = f"{budget:g}"
        share = np.median([e[b]["train_s"] / e[top]["train_s"] for e in task.entries])
        low = [s for e in task.entries for s in e[b]["scores"].values()]
        high = [s for e in task.entries for s in e[top]["scores"].values()]
        taus = [kendalltau([x[i] for x in low], [x[i] for x in high])[0] for i in (0, 1)]
        print(f"  {budget:>8.4g} {share:>10.3f} {taus[0]:>+9.2f} {taus[1]:>+7.2f}")


def print_task(task: ReplayTask, runs: list[Run], contenders: list[str], compute: float) -> None:
    """Hypervolume at shares of the compute; compute to reach the best full-budget search."""
    best = front_hypervolume(task.true_front_points(), REFERENCE)
    unit = task.full_cost()
    print(
        f"\n{task.name}: {len(task.entries) * len(task.table['thresholds'])} configurations, "
        f"full training {unit:.3f} s (median), {compute / unit:.0f} full trainings of told "
        f"compute per run ({compute:.1f} s); true front HV {best:.4f}"
    )
    print_ground_truth(task)
    histories = {c: [r.history for r in runs if r.job.contender.name == c] for c in contenders}
    header = "   ".join(f"at {f:>4.0%}" + " " * 14 for f in FRACTIONS)
    print(f"  {'contender':<16} {header}trials (full-budget)")
    finals: dict[str, float] = {}
    for c in contenders:
        hvs = [
            [front_hypervolume(_points(h, task, f * compute), REFERENCE) / best for h in runs_of]
            for f in FRACTIONS
            for runs_of in [histories[c]]
        ]
        finals[c] = float(np.median(hvs[-1]))
        n_all = np.median([len(h) for h in histories[c]])
        n_full = np.median([sum(1 for x in h if x[1]) for h in histories[c]])
        cells = "   ".join(median_iqr(v) for v in hvs)
        print(f"  {c:<16} {cells}   {n_all:.0f} ({n_full:.0f})")
    full = [c for c in contenders if c in FULL]
    if not full:
        return
    leader = max(full, key=lambda c: finals[c])
    target = finals[leader]
    grid = np.linspace(compute / 100, compute, 100)
    curves = {c: _median_curve(histories[c], task, best, grid) for c in contenders}
    print(
        f"  target: median final HV of the best full-budget search ({leader}) = {target:.3f}; "
        "told compute until the median over seeds reaches it:"
    )
    reference = _to_reach(curves[leader], grid, target)
    for c in contenders:
        spent = _to_reach(curves[c], grid, target)
        ratio = reference / spent if np.isfinite(spent) else 0.0
        shown = f"{spent / unit:5.1f} full trainings" if np.isfinite(spent) else f"{'never':>20}"
        print(f"  {c:<16} {shown}   {leader}/{c} = {ratio:.2f}x")


def main() -> None:
    """Build the tables, or run the contenders on them and print the tables."""
    parser = make_parser(__doc__)
    add_run_options(parser, BENCHMARK, seeds=10)
    parser.add_argument("--tasks", default="mlp,hgb")
    parser.add_argument(
        "--compute", type=float, default=40.0, help="told compute per run, in full trainings"
    )
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--build", action="store_true", help="train the tasks' tables first")
    args = parser.parse_args()
    names = choose(parser, args.tasks, replay_tasks.BUDGETS, "tasks")
    contenders = choose(parser, args.contenders, CONTENDERS, "contenders")
    if args.build:
        for name in names:
            print(f"built {replay_tasks.build(name)}")
    tasks = [ReplayTask(name) for name in names]
    budget = {t.name: args.compute * t.full_cost() for t in tasks}
    jobs = [
        Job(task, CONTENDERS[c], seed, budget[task.name])
        for task in tasks
        for seed in range(args.seeds)
        for c in contenders
    ]
    started = time.perf_counter()
    runs = run_jobs(BENCHMARK, jobs, args.workers, cache_of(args))
    print(
        f"Replay benchmark: {args.seeds} seeds; normalised hypervolume of the full-budget "
        "feasible front (median [IQR]) after the given share of the told compute"
    )
    for task in tasks:
        mine = [r for r in runs if r.job.problem is task]
        print_task(task, mine, contenders, budget[task.name])
    print(f"\nWall time {time.perf_counter() - started:.0f} s")
    print(version_stamp(libraries_of(jobs) | {"scikit-learn"}))


if __name__ == "__main__":
    main()
