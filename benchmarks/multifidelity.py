"""Multi-fidelity benchmark: hypervolume against seconds of training, peers in the same run.

Two real tasks on UCI Adult (``adult.py``'s copy and split), each for validation accuracy
against the equalized-odds difference between sexes (fairlearn), under a prediction-latency
constraint (time to predict 1,000 rows):

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
  whatever it costs; the default until 2026-11-23);
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
    python benchmarks/multifidelity.py --calibration   # the default's rung calibration, 1 seed
    python benchmarks/multifidelity.py --rung-costs 30  # each rung's cost and rank, random configs
"""

from __future__ import annotations

import argparse
import copy
import logging
import multiprocessing as mp
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

# One core per worker process: set before numpy loads its BLAS, which reads these once.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import adult  # noqa: E402
from paretune.pareto import hypervolume  # noqa: E402

CONTENDERS = [
    "pt-mf-default",
    "pt-mf-hyperband",
    "pt-mf-skip",
    "pt-mf-random",
    "pt-mo-asha",
    "pt-loop-asha",
    "pt-loop-hyperband",
    "pt-full",
    "pt-full-tpe",
    "optuna-full",
    "random-full",
]
MULTI = ["pt-mf-default", "pt-mf-hyperband", "pt-mf-skip", "pt-mf-random", "pt-mo-asha"]
LOOP = ["pt-loop-asha", "pt-loop-hyperband"]  # training-loop contenders (epoch tasks only)
FULL = ["pt-full", "pt-full-tpe", "optuna-full", "random-full"]
REFERENCE = np.array([0.3, 0.3])  # error rate, EO difference
LATENCY_MS = {"mlp": 2.0, "hgb": 15.0}
FIDELITY = {"mlp": ("epochs", 1, 27), "hgb": ("data_fraction", 1 / 27, 1.0)}
FRACTIONS = (0.25, 0.5, 1.0)


TRAIN_ROWS = {"mlp": 4000, "hgb": 8000}
"""Training rows per task (``--train-rows`` changes both): 4,000 keep the MLP's 27-epoch run
near a second; boosting gets 8,000 so that its lowest data fraction holds about 300 rows."""


def _data(task: str) -> dict[str, Any]:
    return adult.load(n_train=TRAIN_ROWS[task], n_val=4000)


def _score(model: Any, threshold: float, data: dict[str, Any]) -> tuple[float, float]:
    """Validation accuracy and equalized-odds difference, through ``pt.evaluate`` as a
    paretune user would score a trial (the same figures as fairlearn's own function, in
    about half its time; until 2026-11-23 this called fairlearn directly)."""
    import paretune as pt

    m = pt.evaluate.classifier(
        model,
        data["x_val"],
        data["y_val"],
        sensitive_features=data["sex_val"],
        metrics=["accuracy", "equalized_odds_difference"],
        threshold=threshold,
        full_group_table=False,
    )
    return m["accuracy"], m["equalized_odds_difference"]


def _mlp(p: dict[str, Any]) -> Any:
    """A new, untrained MLP for the parameters ``p`` (trained epoch by epoch)."""
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=(p["hidden"],),
        alpha=p["alpha"],
        learning_rate_init=p["lr"],
        batch_size=p["batch"],
        random_state=0,
    )


def _metrics_of(task: str) -> dict[str, Any]:
    """The objectives and latency constraint of every paretune study of ``task``. Latency
    does not change with the MLP's epochs, so there it may stop a trial at once."""
    import paretune as pt

    behaviour = "independent" if task == "mlp" else "varies"
    return {
        "objectives": {"accuracy": "maximize", "eo_diff": "minimize"},
        "constraints": {
            "latency_ms": pt.Constraint(
                "latency_ms", "<=", LATENCY_MS[task], fidelity_behaviour=behaviour
            )
        },
    }


class Task:
    """One task's space and training; ``run(params, budget, previous)`` -> metrics."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.checkpoints: dict[int, Any] = {}

    def suggest(self, trial: Any) -> dict[str, Any]:
        """The search space (the same for paretune and Optuna trials)."""
        p: dict[str, Any] = {}
        if self.name == "mlp":
            p["hidden"] = trial.suggest_int("hidden", 8, 256, log=True)
            p["alpha"] = trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
            p["lr"] = trial.suggest_float("lr", 1e-4, 3e-2, log=True)
            p["batch"] = trial.suggest_int("batch", 128, 1024, log=True)
        else:
            p["learning_rate"] = trial.suggest_float("learning_rate", 0.01, 0.5, log=True)
            p["max_iter"] = trial.suggest_int("max_iter", 10, 200, log=True)
            p["max_leaf_nodes"] = trial.suggest_int("max_leaf_nodes", 4, 64, log=True)
            p["l2"] = trial.suggest_float("l2", 1e-6, 10.0, log=True)
        p["threshold"] = trial.suggest_float("threshold", 0.2, 0.8)
        return p

    def run(
        self, p: dict[str, Any], budget: float, key: int, previous: tuple[int, float] | None
    ) -> dict[str, float]:
        """Train at ``budget`` (resuming from ``previous = (key, budget)``), then evaluate."""
        data = _data(self.name)
        start = time.perf_counter()
        if self.name == "mlp":
            if previous is not None and previous[0] in self.checkpoints:
                model = copy.deepcopy(self.checkpoints[previous[0]])
                done = int(previous[1])
            else:
                model = _mlp(p)
                done = 0
            for _ in range(int(budget) - done):
                model.partial_fit(data["x_train"], data["y_train"], classes=[0, 1])
            self.checkpoints[key] = model
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier

            n = max(50, round(budget * len(data["y_train"])))
            model = HistGradientBoostingClassifier(
                learning_rate=p["learning_rate"],
                max_iter=p["max_iter"],
                max_leaf_nodes=p["max_leaf_nodes"],
                l2_regularization=p["l2"],
                early_stopping=False,
                random_state=0,
            )
            model.fit(data["x_train"][:n], data["y_train"][:n])
        train_s = time.perf_counter() - start
        return self.measure(model, p, data) | {"train_s": train_s}

    @staticmethod
    def measure(model: Any, p: dict[str, Any], data: dict[str, Any]) -> dict[str, float]:
        """Validation accuracy, equalized-odds difference and latency of a trained model."""
        accuracy, eo = _score(model, p["threshold"], data)
        latency = adult.latency_ms(model, data["x_val"][:1000])
        return {"accuracy": accuracy, "eo_diff": eo, "latency_ms": latency}


def run_paretune(
    task: Task, contender: str, seed: int, compute: float, studies: list[Any] | None = None
) -> list[tuple]:
    """History of (cumulative train seconds, full-budget?, error, eo, latency, trial).

    ``studies``, when given, receives the study (for its calibration report).
    """
    import paretune as pt

    name, low, high = FIDELITY[task.name]
    multi = contender in MULTI
    schedulers = {
        "pt-mf-hyperband": pt.schedulers.HyperbandScheduler,
        "pt-mf-skip": lambda: pt.schedulers.HyperbandScheduler(
            skip_costly=True, safe_first=True, skip_misleading=True
        ),
        "pt-mo-asha": pt.schedulers.ASHAScheduler,
    }
    study = pt.create_study(
        **_metrics_of(task.name),
        fidelity=pt.Fidelity(name, low, high) if multi else None,
        sampler=pt.samplers.RandomSampler(seed=seed)
        if contender in ("pt-mf-random", "pt-mo-asha", "random-full")
        else pt.samplers.AutoSampler(seed=seed, use_gp=False)
        if contender == "pt-full-tpe"
        else None,
        scheduler=schedulers[contender]() if contender in schedulers else None,
        seed=seed,
    )
    history: list[tuple] = []
    spent = [0.0]

    def objective(trial: pt.Trial) -> dict[str, float]:
        p = task.suggest(trial)
        budget = trial.budget if multi else high
        parent = trial.previous_trial
        previous = None if parent is None else (parent.number, float(trial.previous_budget))
        m = task.run(p, float(budget), trial.number, previous)
        spent[0] += m["train_s"]
        full = bool(np.isclose(float(budget), high))
        history.append(
            (spent[0], full, 1 - m["accuracy"], m["eo_diff"], m["latency_ms"], trial.number)
        )
        if spent[0] >= compute:
            study.stop()
        return m

    study.optimize(objective, n_trials=100_000)
    if studies is not None:
        studies.append(study)
    return history


def run_loop(task: Task, contender: str, seed: int, compute: float) -> list[tuple]:
    """``pt-loop-*``: MLP epochs in the objective's own loop, reported at the rungs."""
    import paretune as pt

    if task.name != "mlp":
        raise SystemExit(f"{contender} runs on the epoch task only: --tasks mlp")
    high = int(FIDELITY["mlp"][2])
    study = pt.create_study(
        **_metrics_of("mlp"),
        scheduler=(
            pt.schedulers.ASHAScheduler
            if contender == "pt-loop-asha"
            else pt.schedulers.HyperbandScheduler
        )(min_resource=1, max_resource=high),
        seed=seed,
    )
    rungs = pt.Fidelity("epochs", 1, high).rungs(3)  # (1, 3, 9, 27)
    data = _data("mlp")
    history: list[tuple] = []
    spent = [0.0]

    def objective(trial: pt.Trial) -> dict[str, float]:
        p = task.suggest(trial)
        model = _mlp(p)
        for epoch in range(1, high + 1):
            start = time.perf_counter()
            model.partial_fit(data["x_train"], data["y_train"], classes=[0, 1])
            spent[0] += time.perf_counter() - start
            if spent[0] >= compute:
                study.stop()
                raise pt.TrialStopped()  # out of training budget mid-trial
            if epoch not in rungs:
                continue
            m = task.measure(model, p, data)
            full = epoch == high
            history.append(
                (spent[0], full, 1 - m["accuracy"], m["eo_diff"], m["latency_ms"], trial.number)
            )
            if epoch == high:
                return m
            trial.report(m, step=epoch)
            if trial.should_stop():
                raise pt.TrialStopped()
        raise AssertionError("unreachable")

    study.optimize(objective, n_trials=100_000)
    return history


def run_optuna(task: Task, seed: int, compute: float) -> list[tuple]:
    """The same with Optuna's multi-objective TPE, constraints via constraints_func."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bound = LATENCY_MS[task.name]
    sampler = optuna.samplers.TPESampler(
        seed=seed, constraints_func=lambda t: [t.user_attrs["latency_ms"] - bound]
    )
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    history: list[tuple] = []
    spent = [0.0]
    high = FIDELITY[task.name][2]

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        m = task.run(task.suggest(trial), float(high), trial.number, None)
        trial.set_user_attr("latency_ms", m["latency_ms"])
        spent[0] += m["train_s"]
        history.append(
            (spent[0], True, 1 - m["accuracy"], m["eo_diff"], m["latency_ms"], trial.number)
        )
        if spent[0] >= compute:
            study.stop()
        return m["accuracy"], m["eo_diff"]

    study.optimize(objective, n_trials=100_000)
    return history


def _job(args: tuple[str, str, int, float]) -> tuple[str, str, int, list[tuple]]:
    task_name, contender, seed, compute = args
    warnings.filterwarnings("ignore")
    logging.getLogger("paretune").setLevel(logging.WARNING)
    task = Task(task_name)
    if contender == "optuna-full":
        return task_name, contender, seed, run_optuna(task, seed, compute)
    if contender in LOOP:
        return task_name, contender, seed, run_loop(task, contender, seed, compute)
    return task_name, contender, seed, run_paretune(task, contender, seed, compute)


def _front_points(history: list[tuple], task: str, until: float) -> np.ndarray:
    pts = [
        (e, g)
        for spent, full, e, g, lat, _trial in history
        if spent <= until and full and lat <= LATENCY_MS[task]
    ]
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def _hv(points: np.ndarray) -> float:
    inside = points[np.all(points < REFERENCE, axis=1)]
    return float(hypervolume(inside, REFERENCE)) if len(inside) else 0.0


def _time_to_reach(history: list[tuple], task: str, target: float, best: float) -> float:
    """Seconds of training until the normalised hypervolume first reaches ``target``."""
    for spent, full, *_ in history:
        if full and _hv(_front_points(history, task, spent)) / best >= target - 1e-12:
            return spent
    return float("inf")


def _calibration(tasks: list[str], compute: float) -> None:
    """How well each rung of the multi-fidelity default predicted its top budget."""
    warnings.filterwarnings("ignore")
    logging.getLogger("paretune").setLevel(logging.WARNING)
    for name in tasks:
        studies: list[Any] = []
        seconds = compute * (0.5 if name == "hgb" else 1.0)
        run_paretune(Task(name), "pt-mf-default", 0, seconds, studies)
        print(f"{name}: pt-mf-default, seed 0, {seconds:.0f} s of training")
        print(studies[0].fidelity_report(), "\n")


def _rung_costs(tasks: list[str], n_configs: int) -> None:
    """Random configurations trained at every rung: what each rung costs and how it ranks.

    For each task, ``n_configs`` random configurations are trained at every budget of the
    eta = 3 ladder (the MLP resuming from its previous rung, boosting retrained), then scored
    as in the benchmark. Printed per rung: its median cost as a share of reaching the top
    budget, Kendall's tau of accuracy and of the equalized-odds difference with the top
    budget over the configurations, and the most a Hyperband bracket starting there could
    save against training its survivors' share directly at the top, if the rung ranked
    perfectly: ``eta**(top - k)`` configurations for what the bracket's rungs cost.
    """
    from scipy.stats import kendalltau

    import paretune as pt

    warnings.filterwarnings("ignore")
    for name in tasks:
        kind, low, high = FIDELITY[name]
        budgets = pt.Fidelity(kind, low, high).rungs(3)
        task = Task(name)
        draw = pt.create_study(**_metrics_of(name), sampler=pt.samplers.RandomSampler(seed=0))
        # Training seconds a promotion to each rung pays: the MLP's extra epochs since the
        # rung below; boosting's whole retraining.
        cost = np.zeros((n_configs, len(budgets)))
        scores = np.zeros((n_configs, len(budgets), 2))
        for i in range(n_configs):
            p = task.suggest(draw.ask())
            previous: tuple[int, float] | None = None
            for j, budget in enumerate(budgets):
                m = task.run(p, float(budget), i, previous)
                cost[i, j] = m["train_s"]
                scores[i, j] = (m["accuracy"], m["eo_diff"])
                if name == "mlp":
                    previous = (i, float(budget))
        # Seconds to train a configuration at each rung from nothing.
        reach = np.cumsum(cost, axis=1) if name == "mlp" else cost
        top = len(budgets) - 1
        print(f"{name}: {TRAIN_ROWS[name]} training rows, {n_configs} random configurations")
        print(f"  {'budget':>8} {'cost share':>10} {'tau acc':>8} {'tau EO':>7} {'max save':>9}")
        for j, budget in enumerate(budgets):
            share = float(np.median(reach[:, j] / reach[:, top]))
            if j == top:
                print(f"  {budget:>8.4g} {share:>10.3f}")
                continue
            taus = [kendalltau(scores[:, j, k], scores[:, top, k])[0] for k in (0, 1)]
            spent = reach[:, j].mean() * 3 ** (top - j) + sum(
                cost[:, r].mean() * 3 ** (top - r) for r in range(j + 1, top + 1)
            )
            save = 3 ** (top - j) / (spent / reach[:, top].mean())
            cells = f"{taus[0]:>+8.2f} {taus[1]:>+7.2f} {save:>8.2f}x"
            print(f"  {budget:>8.4g} {share:>10.3f} {cells}")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", default="mlp,hgb")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--compute", type=float, default=60.0, help="seconds of training per run (hgb: half)"
    )
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--workers", type=int, default=2)
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
    tasks = args.tasks.split(",")
    if args.train_rows is not None:
        TRAIN_ROWS.update(dict.fromkeys(TRAIN_ROWS, args.train_rows))  # forked workers see it
    if args.calibration:
        _calibration(tasks, args.compute)
        return
    if args.rung_costs:
        _rung_costs(tasks, args.rung_costs)
        return
    contenders = args.contenders.split(",")
    budget = {t: args.compute * (0.5 if t == "hgb" else 1.0) for t in tasks}
    jobs = [
        (t, c, s, budget[t])
        for t in tasks
        for s in range(args.seeds)
        for c in contenders
        if c not in LOOP or t == "mlp"  # the loop contenders train epochs
    ]
    started = time.perf_counter()
    with mp.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(_job, jobs, chunksize=1)
    print(
        f"Multi-fidelity benchmark: {args.seeds} seeds, {', '.join(tasks)}; normalised "
        "hypervolume of the full-budget feasible front (median [IQR]) after the given share "
        "of the training budget"
    )
    for task in tasks:
        here = [c for c in contenders if c not in LOOP or task == "mlp"]
        runs = {c: [h for t, cc, _s, h in results if t == task and cc == c] for c in here}
        union = np.vstack([_front_points(h, task, np.inf) for hs in runs.values() for h in hs])
        best = _hv(union) or 1.0
        print(
            f"\n{task}: {TRAIN_ROWS[task]} training rows, {budget[task]:.0f} s of training per "
            f"run; best-known HV {best:.4f}"
        )
        header = "   ".join(f"at {f:>4.0%} ({f * budget[task]:.0f} s)" for f in FRACTIONS)
        print(f"  {'contender':<17} {header}   trials (full-budget)")
        finals: dict[str, float] = {}
        for c in here:
            cells = []
            for f in FRACTIONS:
                values = [_hv(_front_points(h, task, f * budget[task])) / best for h in runs[c]]
                q1, med, q3 = np.percentile(values, [25, 50, 75])
                cells.append(f"{med:.3f} [{q1:.3f}-{q3:.3f}]")
            finals[c] = float(np.median([_hv(_front_points(h, task, np.inf)) / best
                                         for h in runs[c]]))  # fmt: skip
            n_all = np.median([len({x[5] for x in h}) for h in runs[c]])
            n_full = np.median([sum(1 for x in h if x[1]) for h in runs[c]])
            print(f"  {c:<17} " + "   ".join(cells) + f"   {n_all:.0f} ({n_full:.0f})")
        if not any(c in FULL for c in here):
            continue  # no full-budget search to measure the others against
        full_best = max((c for c in here if c in FULL), key=lambda c: finals[c])
        target = finals[full_best]
        print(
            f"  target: median final HV of the best full-fidelity search ({full_best}) = "
            f"{target:.3f}; seconds of training to reach it (median over seeds):"
        )
        reference_time = float(
            np.median([_time_to_reach(h, task, target, best) for h in runs[full_best]])
        )
        for c in here:
            times = [_time_to_reach(h, task, target, best) for h in runs[c]]
            med = float(np.median(times))
            reached = sum(np.isfinite(times))
            ratio = reference_time / med if np.isfinite(med) and med > 0 else 0.0
            shown = f"{med:7.1f} s" if np.isfinite(med) else "  never "
            print(
                f"  {c:<17} {shown}  reached in {reached}/{len(times)} seeds   "
                f"{full_best} / {c} = {ratio:.2f}x"
            )
    print(f"\nWall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
