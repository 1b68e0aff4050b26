"""Multi-fidelity benchmark: hypervolume against seconds of training, peers in the same run.

Two real tasks on UCI Adult (``adult.py``'s copy and split), each for validation accuracy
against the equalized-odds difference between sexes (through ``pt.evaluate``), under a
prediction-latency constraint (time to predict 1,000 rows), defined in ``fidelity_tasks.py``:

* ``mlp``: an MLP trained epoch by epoch (scikit-learn ``partial_fit``), fidelity ``epochs``
  1..27. A promoted configuration resumes from its parent's checkpoint (a copy of the model
  kept in memory) and trains only the extra epochs. Latency does not change with epochs, so
  its constraint is declared ``fidelity_behaviour="independent"``.
* ``hgb``: histogram gradient boosting, fidelity ``data_fraction`` 1/27..1 of the training
  rows; every budget retrains from scratch.

Contenders, each given the same seconds of training per seed (``--compute``):

* ``pt-mf-default``: paretune with the fidelity and default scheduler (Hyperband brackets
  with ``skip_costly`` and ``safe_first``, AutoSampler learning from the highest budget
  with enough results: BOHB-style);
* ``pt-mf-hyperband``: the same with plain ``HyperbandScheduler()`` (every rung judges
  whatever it costs; the earlier default);
* ``pt-mf-skip``: the default plus ``skip_misleading=True``: rungs the
  running calibration shows do not predict the top budget stop judging, and new brackets
  start above them;
* ``pt-mf-random``: the default's scheduler with random proposals (is it the scheduler
  or the sampler that helps or hurts?);
* ``pt-mo-asha``: paretune's ASHAScheduler with random proposals (MO-ASHA);
* ``pt-loop-asha`` (``mlp`` only): the training-loop form, no fidelity: each trial trains
  up to 27 epochs, reports (``trial.report``) at 1, 3, 9 and 27 epochs and stops when
  ``trial.should_stop()`` (``ASHAScheduler(min_resource=1, max_resource=27)``), default
  sampler, which learns from stopped trials' reports until ten trials have completed;
* ``pt-loop-hyperband`` (``mlp`` only): the same with
  ``HyperbandScheduler(min_resource=1, max_resource=27)``: trial ``n`` is first judged at
  rung ``n mod 4``, so every fourth trial runs to the end unjudged;
* ``pt-full``: paretune's default sampler, every trial at the full budget;
* ``pt-full-tpe``: the same with ``AutoSampler(use_gp=False)``, the TPE route the
  multi-fidelity default's sampler takes (minutes faster per run than the GP route);
* ``optuna-full``: Optuna's TPESampler (its best multi-objective sampler on Adult in
  ``samplers.py``), full budget;
* ``random-full``: random search at the full budget.

Hypervolume counts only full-budget, feasible results, normalised by the best-known front
(union of every run). It prints the median normalised hypervolume at fractions of the
compute budget, and the seconds of training each method needs to reach the median final
hypervolume of the best full-fidelity search, with the ratio (full / method).

    python benchmarks/multifidelity.py [--tasks mlp,hgb] [--seeds 5] [--compute 60] [--workers 2]
        [--train-rows N]   # N training rows for every task instead of 4,000 / 8,000
        [--cache [FILE]]   # reuse finished runs: benchmarks/README.md
    python benchmarks/multifidelity.py --calibration   # the default's rung calibration, 1 seed
    python benchmarks/multifidelity.py --rung-costs 30  # each rung's cost and rank, random configs
"""

from __future__ import annotations

import functools
import time
from typing import Any

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402

from fidelity_tasks import FIDELITY  # noqa: E402
from fidelity_tasks import LATENCY_MS  # noqa: E402
from fidelity_tasks import TRAIN_ROWS  # noqa: E402
from fidelity_tasks import Spec  # noqa: E402
from fidelity_tasks import Task  # noqa: E402
from fidelity_tasks import run_loop  # noqa: E402
from fidelity_tasks import run_optuna  # noqa: E402
from fidelity_tasks import run_paretune  # noqa: E402
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
from harness.studies import TORCH_LIBRARIES  # noqa: E402
from harness.table import Column  # noqa: E402
from harness.table import Table  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402

BENCHMARK = "multifidelity"
REFERENCE = (0.3, 0.3)  # error rate, EO difference
FRACTIONS = (0.25, 0.5, 1.0)
RANDOM: Spec = ("RandomSampler", {})
TOP = 27  # the MLP's highest budget in epochs: the loop contenders' max_resource


def _paretune(name: str, fidelity: bool, sampler: Spec = None, scheduler: Spec = None) -> Contender:
    """A paretune study: with the task's fidelity or without, ``sampler`` and ``scheduler``
    (class name and keyword arguments; None: the study's default)."""
    how = {"fidelity": fidelity, "sampler": sampler, "scheduler": scheduler}
    run = functools.partial(run_paretune, **how)
    torch = TORCH_LIBRARIES if sampler is None else ()  # the default may fit GPs
    return Contender(name, {"library": "paretune", **how}, run, PARETUNE_LIBRARIES + torch)


def _loop(name: str, scheduler: str) -> Contender:
    """The training-loop form: epochs reported at 1, 3, 9 and 27, ``scheduler`` stops."""
    spec: Spec = (scheduler, {"min_resource": 1, "max_resource": TOP})
    settings = {"library": "paretune", "loop": "report at 1, 3, 9, 27 epochs", "scheduler": spec}
    run = functools.partial(run_loop, scheduler=spec)
    return Contender(name, settings, run, PARETUNE_LIBRARIES + TORCH_LIBRARIES)


SKIP_MISLEADING: Spec = (
    "HyperbandScheduler",
    {"skip_costly": True, "safe_first": True, "skip_misleading": True},
)
CONTENDERS: dict[str, Contender] = {
    c.name: c
    for c in (
        _paretune("pt-mf-default", True),
        _paretune("pt-mf-hyperband", True, scheduler=("HyperbandScheduler", {})),
        _paretune("pt-mf-skip", True, scheduler=SKIP_MISLEADING),
        _paretune("pt-mf-random", True, sampler=RANDOM),
        _paretune("pt-mo-asha", True, sampler=RANDOM, scheduler=("ASHAScheduler", {})),
        _loop("pt-loop-asha", "ASHAScheduler"),
        _loop("pt-loop-hyperband", "HyperbandScheduler"),
        _paretune("pt-full", False),
        _paretune("pt-full-tpe", False, sampler=("AutoSampler", {"use_gp": False})),
        Contender(
            "optuna-full",
            {"library": "optuna", "sampler": "TPESampler"},
            run_optuna,
            OPTUNA_LIBRARIES,
        ),
        _paretune("random-full", False, sampler=RANDOM),
    )
}
"""Every contender, by name (the module docstring says what each is)."""
LOOP = ["pt-loop-asha", "pt-loop-hyperband"]  # training-loop contenders (epoch task only)
FULL = ["pt-full", "pt-full-tpe", "optuna-full", "random-full"]


def _front_points(history: list, task: str, until: float) -> np.ndarray:
    """Feasible full-budget points found within ``until`` seconds of training."""
    pts = [
        (e, g)
        for spent, full, e, g, lat, _trial in history
        if spent <= until and full and lat <= LATENCY_MS[task]
    ]
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def _hv(points: np.ndarray) -> float:
    return front_hypervolume(points, REFERENCE)


def _time_to_reach(history: list, task: str, target: float, best: float) -> float:
    """Seconds of training until the normalised hypervolume first reaches ``target``."""
    for spent, full, *_ in history:
        if full and _hv(_front_points(history, task, spent)) / best >= target - 1e-12:
            return spent
    return float("inf")


def _calibration(tasks: list[Task], compute: float) -> None:
    """How well each rung of the multi-fidelity default predicted its top budget."""
    for task in tasks:
        studies: list[Any] = []
        seconds = compute * (0.5 if task.name == "hgb" else 1.0)
        run_paretune(task, 0, seconds, fidelity=True, studies=studies)
        print(f"{task.name}: pt-mf-default, seed 0, {seconds:.0f} s of training")
        print(studies[0].fidelity_report(), "\n")


def _rung_costs(tasks: list[Task], n_configs: int) -> None:
    """Random configurations trained at every rung: what each rung costs and how it ranks.

    For each task, ``n_configs`` random configurations are trained at every budget of the
    eta = 3 ladder (the MLP resuming from its previous rung, boosting retrained), then scored
    as in the benchmark. Printed per rung: its median cost as a share of reaching the top
    budget, Kendall's tau of accuracy and of the equalized-odds difference with the top
    budget over the configurations, and the most a Hyperband bracket starting there could
    save against training its survivors' share directly at the top, if the rung ranked
    perfectly: ``eta**(top - k)`` configurations for what the bracket's rungs cost.
    """
    import warnings

    from scipy.stats import kendalltau

    import paretune as pt

    warnings.filterwarnings("ignore")
    table = Table(
        Column("budget", 8, ".4g"), Column("cost share", 10, ".3f"), Column("tau acc", 8, "+.2f"),
        Column("tau EO", 7, "+.2f"), Column("max save", 9, lambda v: f"{v:.2f}x"), indent="  ",
    )  # fmt: skip
    for task in tasks:
        kind, low, high = FIDELITY[task.name]
        budgets = pt.Fidelity(kind, low, high).rungs(3)
        draw = pt.create_study(**task.metrics(), sampler=pt.samplers.RandomSampler(seed=0))
        # Training seconds a promotion to each rung pays: the MLP's extra epochs since the
        # rung below; boosting's whole retraining.
        cost = np.zeros((n_configs, len(budgets)))
        scores = np.zeros((n_configs, len(budgets), 2))
        checkpoints: dict[int, Any] = {}
        for i in range(n_configs):
            p = task.suggest(draw.ask())
            previous: tuple[int, float] | None = None
            for j, budget in enumerate(budgets):
                m = task.train(p, float(budget), i, previous, checkpoints)
                cost[i, j] = m["train_s"]
                scores[i, j] = (m["accuracy"], m["eo_diff"])
                if task.name == "mlp":
                    previous = (i, float(budget))
        # Seconds to train a configuration at each rung from nothing.
        reach = np.cumsum(cost, axis=1) if task.name == "mlp" else cost
        top = len(budgets) - 1
        print(f"{task.name}: {task.train_rows} training rows, {n_configs} random configurations")
        print(table.header())
        for j, budget in enumerate(budgets):
            share = float(np.median(reach[:, j] / reach[:, top]))
            if j == top:
                print(table.row(budget, share))
                continue
            taus = [kendalltau(scores[:, j, k], scores[:, top, k])[0] for k in (0, 1)]
            spent = reach[:, j].mean() * 3 ** (top - j) + sum(
                cost[:, r].mean() * 3 ** (top - r) for r in range(j + 1, top + 1)
            )
            save = 3 ** (top - j) / (spent / reach[:, top].mean())
            print(table.row(budget, share, taus[0], taus[1], save))
        print()


def print_task(task: Task, runs: list[Run], contenders: list[str], budget: float) -> None:
    """One task's table: hypervolume at fractions of the budget, then the training each
    contender needs to reach the best full-fidelity search's median final hypervolume."""
    here = [c for c in contenders if c not in LOOP or task.name == "mlp"]
    histories = {c: [r.history for r in runs if r.job.contender.name == c] for c in here}
    union = np.vstack(
        [_front_points(h, task.name, np.inf) for hs in histories.values() for h in hs]
    )
    best = _hv(union) or 1.0
    print(
        f"\n{task.name}: {task.train_rows} training rows, {budget:.0f} s of training per "
        f"run; best-known HV {best:.4f}"
    )
    header = "   ".join(f"at {f:>4.0%} ({f * budget:.0f} s)" for f in FRACTIONS)
    print(f"  {'contender':<17} {header}   trials (full-budget)")
    finals: dict[str, float] = {}
    for c in here:
        cells = [
            median_iqr([_hv(_front_points(h, task.name, f * budget)) / best for h in histories[c]])
            for f in FRACTIONS
        ]
        finals[c] = float(
            np.median([_hv(_front_points(h, task.name, np.inf)) / best for h in histories[c]])
        )
        n_all = np.median([len({x[5] for x in h}) for h in histories[c]])
        n_full = np.median([sum(1 for x in h if x[1]) for h in histories[c]])
        print(f"  {c:<17} " + "   ".join(cells) + f"   {n_all:.0f} ({n_full:.0f})")
    if not any(c in FULL for c in here):
        return  # no full-budget search to measure the others against
    full_best = max((c for c in here if c in FULL), key=lambda c: finals[c])
    target = finals[full_best]
    print(
        f"  target: median final HV of the best full-fidelity search ({full_best}) = "
        f"{target:.3f}; seconds of training to reach it (median over seeds):"
    )
    reference_time = float(
        np.median([_time_to_reach(h, task.name, target, best) for h in histories[full_best]])
    )
    for c in here:
        times = [_time_to_reach(h, task.name, target, best) for h in histories[c]]
        med = float(np.median(times))
        reached = sum(np.isfinite(times))
        ratio = reference_time / med if np.isfinite(med) and med > 0 else 0.0
        shown = f"{med:7.1f} s" if np.isfinite(med) else "  never "
        print(
            f"  {c:<17} {shown}  reached in {reached}/{len(times)} seeds   "
            f"{full_best} / {c} = {ratio:.2f}x"
        )


def main() -> None:
    """Run the contenders on the tasks and print the tables (or one of the two probes)."""
    parser = make_parser(__doc__)
    add_run_options(parser, BENCHMARK, seeds=5)
    parser.add_argument("--tasks", default="mlp,hgb")
    parser.add_argument(
        "--compute", type=float, default=60.0, help="seconds of training per run (hgb: half)"
    )
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument(
        "--train-rows",
        type=int,
        default=None,
        help="training rows for every task (default: 4,000 for mlp, 8,000 for hgb)",
    )
    parser.add_argument(
        "--calibration",
        action="store_true",
        help="instead: one seed of pt-mf-default per task and its cross-fidelity report",
    )
    parser.add_argument(
        "--rung-costs",
        type=int,
        metavar="N",
        default=0,
        help="instead: N random configurations trained at every rung; cost and rank per rung",
    )
    args = parser.parse_args()
    tasks = [
        Task(name, args.train_rows or TRAIN_ROWS[name])
        for name in choose(parser, args.tasks, TRAIN_ROWS, "tasks")
    ]
    contenders = choose(parser, args.contenders, CONTENDERS, "contenders")
    stamped = {"paretune", "numpy", "scikit-learn", "fairlearn"}
    if args.calibration or args.rung_costs:
        if args.calibration:
            _calibration(tasks, args.compute)
        else:
            _rung_costs(tasks, args.rung_costs)
        print(version_stamp(stamped | {"scipy"}))
        return
    budget = {t.name: args.compute * (0.5 if t.name == "hgb" else 1.0) for t in tasks}
    jobs = [
        Job(task, CONTENDERS[c], seed, budget[task.name])
        for task in tasks
        for seed in range(args.seeds)
        for c in contenders
        if c not in LOOP or task.name == "mlp"  # the loop contenders train epochs
    ]
    started = time.perf_counter()
    runs = run_jobs(BENCHMARK, jobs, args.workers, cache_of(args))
    print(
        f"Multi-fidelity benchmark: {args.seeds} seeds, {', '.join(t.name for t in tasks)}; "
        "normalised hypervolume of the full-budget feasible front (median [IQR]) after the "
        "given share of the training budget"
    )
    for task in tasks:
        mine = [r for r in runs if r.job.problem is task]
        print_task(task, mine, contenders, budget[task.name])
    print(f"\nWall time {time.perf_counter() - started:.0f} s")
    print(version_stamp(libraries_of(jobs)))


if __name__ == "__main__":
    main()
