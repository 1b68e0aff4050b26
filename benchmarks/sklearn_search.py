"""scikit-learn searches benchmark: ParetoSearchCV against scikit-learn's and Optuna's.

Each search tunes gradient boosting with a decision threshold (scikit-learn's
``FixedThresholdClassifier`` around ``HistGradientBoostingClassifier``: learning rate,
boosting rounds, leaves, L2, threshold) on a shipped data set's training split (encoded
once), for cross-validated accuracy against the equalized-odds difference (fairlearn)
between groups: German credit (600 rows, sex), COMPAS (3,703 rows, African-American or
not) and an Adult subsample (2,400 rows, sex). Every contender gets the same
``--budget`` candidates and the same three folds (stratified by label and group, seeded):

* ``paretune``: ``ParetoSearchCV`` with both scores as objectives (default sampler);
* ``paretune-halving``: the same with ``resource="n_samples"`` (the default Hyperband
  scheduler; ``--budget`` trials, of which only the full-budget ones can be on the front);
* ``random``: ``RandomizedSearchCV``, both scores through metadata routing, refit on
  accuracy;
* ``halving``: ``HalvingRandomSearchCV`` (``--budget`` candidates, factor 3, on samples),
  which scores one metric: accuracy; its last round's candidates are scored again for both
  metrics on the full folds, outside the timed search;
* ``optuna``: ``optuna_integration.OptunaSearchCV`` (TPE, accuracy only; its candidates are
  scored again likewise), where ``optuna-integration`` is installed.

Score: the hypervolume of the front of each run's full-data candidates (CV means of error
rate and EO difference, reference point (0.5, 0.5)), normalised by that of the union of
every run on the data set; and the wall time of the search with its refit.

    python benchmarks/sklearn_search.py [--seeds 3] [--budget 24] [--workers 2] [--cache [FILE]]
"""

from __future__ import annotations

import functools
import importlib.util
import time
import warnings
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402

from harness.cli import add_run_options  # noqa: E402
from harness.cli import cache_of  # noqa: E402
from harness.cli import choose  # noqa: E402
from harness.cli import make_parser  # noqa: E402
from harness.contender import Contender  # noqa: E402
from harness.runner import Job  # noqa: E402
from harness.runner import libraries_of  # noqa: E402
from harness.runner import run_jobs  # noqa: E402
from harness.score import front_hypervolume  # noqa: E402
from harness.table import Column  # noqa: E402
from harness.table import Table  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402

BENCHMARK = "sklearn_search"
REFERENCE = (0.5, 0.5)
"""Hypervolume reference: error rate 0.5, EO difference 0.5."""
SPACE = {  # name -> (low, high, kind): "log" floats, "logint" integers, "linear" floats
    "estimator__learning_rate": (0.01, 0.5, "log"),
    "estimator__max_iter": (10, 80, "logint"),
    "estimator__max_leaf_nodes": (4, 64, "logint"),
    "estimator__l2_regularization": (1e-6, 10.0, "log"),
    "threshold": (0.2, 0.8, "linear"),
}


@dataclass(frozen=True)
class Task:
    """A data set's training split (the harness's ``Named``)."""

    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    libraries: tuple[str, ...] = ("numpy", "pandas", "scikit-learn", "fairlearn")


TASKS = {
    "german": Task("german", {"rows": 1000, "groups": "sex9"}),
    "compas": Task("compas", {"rows": 6172, "groups": "race: African-American or not"}),
    "adult": Task("adult", {"rows": 4000, "groups": "sex"}),
}


@functools.cache
def load(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Encoded training features, labels and groups of a data set."""
    from paretune import datasets

    if name == "german":
        data = datasets.load_german_credit()
    elif name == "compas":
        data = datasets.load_compas()
    else:
        data = datasets.load_adult(max_rows=4000)
    groups = data.train.sensitive.iloc[:, 0].to_numpy()
    if name == "compas":  # six races, two of them under 20 rows: one group against the rest
        groups = np.where(groups == "African-American", "African-American", "other")
    X = np.asarray(data.preprocessor().fit_transform(data.train.X), dtype=np.float64)
    return X, np.asarray(data.train.y), groups


def folds(name: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The three folds every contender uses for ``seed``."""
    from paretune.evaluate import stratified_folds

    _, y, groups = load(name)
    return stratified_folds(y, groups, cv=3, seed=seed)


def model(seed: int) -> Any:
    """The unfitted thresholded gradient boosting."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import FixedThresholdClassifier

    booster = HistGradientBoostingClassifier(early_stopping=False, random_state=seed)
    return FixedThresholdClassifier(booster, response_method="predict_proba")


def scoring() -> dict[str, Any]:
    """Accuracy and the EO difference (which takes the groups through routing)."""
    from paretune.sklearn import fairness_scorer

    return {"accuracy": "accuracy", "eod": fairness_scorer("equalized_odds_difference")}


def rescore(name: str, seed: int, candidates: Sequence[dict[str, Any]]) -> list[list[float]]:
    """``[error, EO difference]`` CV means of ``candidates`` on the seed's folds."""
    from sklearn.base import clone
    from sklearn.metrics import get_scorer

    X, y, groups = load(name)
    scorers = {"accuracy": get_scorer("accuracy"), "eod": scoring()["eod"]}
    points = []
    for params in candidates:
        scores: dict[str, list[float]] = {"accuracy": [], "eod": []}
        for train, test in folds(name, seed):
            fitted = clone(model(seed)).set_params(**params).fit(X[train], y[train])
            scores["accuracy"].append(scorers["accuracy"](fitted, X[test], y[test]))
            scores["eod"].append(
                scorers["eod"](fitted, X[test], y[test], sensitive_features=groups[test])
            )
        points.append([1.0 - float(np.mean(scores["accuracy"])), float(np.mean(scores["eod"]))])
    return points


def _timed(search: Any, name: str, **fit: Any) -> float:
    X, y, _ = load(name)
    started = time.perf_counter()
    search.fit(X, y, **fit)
    return time.perf_counter() - started


def run_paretune(resource: str | None) -> Callable[[Task, int, float], list[Any]]:
    def run(task: Task, seed: int, budget: float) -> list[Any]:
        import paretune as pt

        dists = {
            k: pt.distributions.IntDistribution(lo, hi, log=True)
            if kind == "logint"
            else pt.distributions.FloatDistribution(lo, hi, log=kind == "log")
            for k, (lo, hi, kind) in SPACE.items()
        }
        search = pt.sklearn.ParetoSearchCV(
            model(seed), dists, scoring=scoring(), cv=folds(task.name, seed),
            n_trials=int(budget), random_state=seed, resource=resource,
        )  # fmt: skip
        seconds = _timed(search, task.name, sensitive_features=load(task.name)[2])
        r = search.cv_results_
        full = r["state"] == "complete"
        if resource is not None:
            full &= r["n_resources"] == r["n_resources"].max()
        points = [
            [1.0 - a, e]
            for a, e in zip(r["mean_test_accuracy"][full], r["mean_test_eod"][full], strict=True)
        ]
        return [points, seconds]

    return run


class _LogInt:
    """An integer uniform in the logarithm, for scikit-learn's parameter sampler."""

    def __init__(self, low: int, high: int) -> None:
        from scipy.stats import loguniform

        self.dist = loguniform(low - 0.5, high + 0.5)
        self.low, self.high = low, high

    def rvs(self, random_state: Any = None) -> int:
        return int(min(max(round(self.dist.rvs(random_state=random_state)), self.low), self.high))


def _sklearn_space() -> dict[str, Any]:
    from scipy.stats import loguniform
    from scipy.stats import uniform

    make = {"log": loguniform, "logint": _LogInt, "linear": lambda lo, hi: uniform(lo, hi - lo)}
    return {k: make[kind](lo, hi) for k, (lo, hi, kind) in SPACE.items()}


def run_random(task: Task, seed: int, budget: float) -> list[Any]:
    import sklearn
    from sklearn.model_selection import RandomizedSearchCV

    search = RandomizedSearchCV(
        model(seed), _sklearn_space(), n_iter=int(budget), scoring=scoring(), refit="accuracy",
        cv=folds(task.name, seed), random_state=seed,
    )  # fmt: skip
    with sklearn.config_context(enable_metadata_routing=True):
        seconds = _timed(search, task.name, sensitive_features=load(task.name)[2])
    r = search.cv_results_
    return [
        [[1.0 - a, e] for a, e in zip(r["mean_test_accuracy"], r["mean_test_eod"], strict=True)],
        seconds,
    ]


def run_halving(task: Task, seed: int, budget: float) -> list[Any]:
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    search = HalvingRandomSearchCV(
        model(seed), _sklearn_space(), n_candidates=int(budget), factor=3, scoring="accuracy",
        cv=folds(task.name, seed), random_state=seed,
    )  # fmt: skip
    seconds = _timed(search, task.name)
    r = search.cv_results_
    last = np.flatnonzero(r["iter"] == r["iter"].max())
    return [rescore(task.name, seed, [r["params"][i] for i in last]), seconds]


def run_optuna(task: Task, seed: int, budget: float) -> list[Any]:
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    d = optuna.distributions
    dists = {
        k: d.IntDistribution(lo, hi, log=True)
        if kind == "logint"
        else d.FloatDistribution(lo, hi, log=kind == "log")
        for k, (lo, hi, kind) in SPACE.items()
    }
    search = OptunaSearchCV(
        model(seed), dists, n_trials=int(budget), scoring="accuracy",
        cv=folds(task.name, seed), random_state=seed,
    )  # fmt: skip
    seconds = _timed(search, task.name)
    complete = [t.params for t in search.trials_ if t.state == optuna.trial.TrialState.COMPLETE]
    return [rescore(task.name, seed, complete), seconds]


def _quiet(run: Callable[[Task, int, float], list[Any]]) -> Callable[[Task, int, float], list[Any]]:
    def wrapped(task: Task, seed: int, budget: float) -> list[Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return run(task, seed, budget)

    return wrapped


SK = ("scikit-learn", "scipy", "fairlearn", "paretune")
CONTENDERS = {
    "paretune": Contender("paretune", {"resource": None}, _quiet(run_paretune(None)), SK),
    "paretune-halving": Contender(
        "paretune-halving", {"resource": "n_samples"}, _quiet(run_paretune("n_samples")), SK
    ),
    "random": Contender("random", {"search": "RandomizedSearchCV"}, _quiet(run_random), SK),
    "halving": Contender(
        "halving", {"search": "HalvingRandomSearchCV", "factor": 3}, _quiet(run_halving), SK
    ),
    "optuna": Contender(
        "optuna",
        {"search": "OptunaSearchCV"},
        _quiet(run_optuna),
        (*SK, "optuna", "optuna-integration"),
    ),
}
TABLE = Table(
    Column("data", 7, align="<"), Column("contender", 17, align="<"),
    Column("norm. hypervolume", 23), Column("front", 6, ".0f"), Column("wall s", 17),
)  # fmt: skip


def main() -> None:
    """Run every contender on every data set and seed, then print one table."""
    parser = make_parser(__doc__)
    add_run_options(parser, BENCHMARK, seeds=3)
    parser.add_argument("--budget", type=int, default=24, help="candidates per search")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    args = parser.parse_args()
    tasks = [TASKS[n] for n in choose(parser, args.tasks, TASKS, "tasks")]
    names = choose(parser, args.contenders, CONTENDERS, "contenders")
    if "optuna" in names and importlib.util.find_spec("optuna_integration") is None:
        print("optuna-integration is not installed: the optuna contender is skipped.")
        names.remove("optuna")
    jobs = [
        Job(task, CONTENDERS[c], seed, args.budget)
        for task in tasks
        for c in names
        for seed in range(args.seeds)
    ]
    runs = run_jobs(BENCHMARK, jobs, args.workers, cache_of(args))
    print(
        f"scikit-learn searches: {args.budget} candidates, 3 folds, {args.seeds} seeds; "
        "hypervolume of the front of (error, EO difference) CV means, normalised by the "
        "union of all runs on the data set (median [IQR]); front size (median); wall seconds "
        "of search and refit (median [IQR])"
    )
    print(TABLE.header())
    for task in tasks:
        mine = [r for r in runs if r.job.problem == task]
        union = [p for r in mine for p in r.history[0]]
        best = front_hypervolume(union, REFERENCE) or 1.0
        for name in names:
            own = [r for r in mine if r.job.contender.name == name]
            hv = [front_hypervolume(r.history[0], REFERENCE) / best for r in own]
            size = [_front_size(r.history[0]) for r in own]
            wall = [r.history[1] for r in own]
            print(
                TABLE.row(
                    task.name, name, median_iqr(hv), float(np.median(size)), median_iqr(wall, 1)
                )
            )
    print(version_stamp(libraries_of(jobs)))


def _front_size(points: Sequence[Sequence[float]]) -> int:
    from paretune.pareto import is_pareto_efficient

    return int(is_pareto_efficient(np.asarray(points, dtype=float)).sum()) if points else 0


if __name__ == "__main__":
    main()
