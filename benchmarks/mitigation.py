"""Mitigation in the search space: does searching the mitigation beat searching models alone?

Per data set and seed, three contenders, each judged on the test split:

* **plain**: a seeded ``TPESampler`` study of ``--trials`` trials over the model families
  alone: logistic regression (``C``) or histogram gradient boosting (learning rate,
  iterations, leaves, L2), and a decision threshold (``pt.mitigation.Threshold``);
  validation accuracy (maximised) against the equalized-odds (EO) difference (minimised).
* **mitigated**: the same study, the same space, plus ``pt.mitigation.suggest(trial, base,
  methods=("none", "reduction", "thresholds"))`` on the chosen classifier: no mitigation
  (then the decision threshold as in plain, so the plain space is part of this one),
  fairlearn's exponentiated gradient (``Reduction``, equalized odds, ``reduction_eps``
  searched; capped at ``max_iter=5``, the guide's setting, as fairlearn's 50 rounds cost
  about 250 fits of a boosted model per trial) or per-group thresholds
  (``GroupThresholds``, equalized odds). One trial of each method is queued first, as the
  guide does. Same number of trials as plain; the seconds differ and are reported.
* **fairlearn**: fairlearn's two mitigators at their defaults around scikit-learn's default
  model, no tuning: ``ExponentiatedGradient(LogisticRegression(), EqualizedOdds())`` and
  ``ThresholdOptimizer(estimator=LogisticRegression(), constraints="equalized_odds")``.
  Both are members of its set (nothing is selected); their random draws are seeded.

Abstention (``Abstain``) is left out of ``mitigated``: an abstaining model's accuracy and EO
difference are measured on the rows it decides, so its points do not lie in the same plane
as the others' (declining the 10% least certain rows raises accuracy for free). The probe
``--contenders ...,abstain`` runs the mitigated space with ``"abstain"`` and a ``coverage
>= 0.9`` constraint, to show how much that moves the numbers; it is not part of the goal.

Every model sees the data set's preprocessor fitted once per seed on ``train`` (the same
encoded arrays for every contender), is fitted on ``train`` and measured on ``validation``
with ``pt.evaluate.classifier``. Each seed draws its own train/validation/test split (the
loaders' ``seed=``), and seeds the sampler and the randomised predictions. After the
search, each member of the validation Pareto set (the fitted models are kept, so nothing is
refitted) is evaluated once on the test split.

Scores per data set (median [IQR] over seeds): **trials** per study, **failed** trials
over all seeds, **front**: members of the validation Pareto set (median), and

* **HV**: hypervolume of the test-split front (the members' non-dominated test points) in
  the box accuracy from the majority-class rate of the test split (what a constant
  prediction scores, at EO difference 0) to 1, EO difference from 0 to 0.5, divided by the
  box's area: 0 when no member beats a constant prediction, 1 for a perfect fair model.
  **val HV** is the same for the validation front on the validation split.
* **HV / plain**: each seed's HV over plain's on the same seed.
* **acc @ EO<=0.05**: the best test accuracy among members whose test EO difference is at
  most 0.05, over the seeds where one is (**qualify**: the share of such seeds).
* **search s**: wall seconds of the search (fairlearn: of fitting and validating its two
  models); **test s**: of the test evaluation.

The issue's goal: mitigated's HV at least 1.05 times plain's (median ratio), and mitigated
ahead of fairlearn's defaults at EO <= 0.05: more seeds won than lost, a seed won by the
higher best test accuracy within the limit, where a contender without a qualifying member
scores the majority-class rate (a constant prediction qualifies; so does a near-constant
member, which is why plain nearly always qualifies, at about that rate).

Data sets: Adult, a stratified subsample of 6,000 rows (3,600 train, 1,200 validation,
1,200 test), groups by sex; COMPAS, race with the groups under 10% of rows merged into
"other"; German credit, groups by sex. Models are fitted with one thread.

    python3 benchmarks/mitigation.py [--seeds 5] [--datasets adult,compas,german]
        [--trials 40] [--contenders plain,mitigated,fairlearn[,abstain]] [--cache [FILE]]
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

import paretune as pt  # noqa: E402
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
from harness.table import Column  # noqa: E402
from harness.table import Table  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402
from paretune import datasets  # noqa: E402

BENCHMARK = "mitigation"
EO = "equalized_odds_difference"
LIBRARIES = ("paretune", "numpy", "scipy", "pandas", "scikit-learn", "fairlearn")
LOADERS = {"adult": "load_adult", "compas": "load_compas", "german": "load_german_credit"}
EO_BOX = 0.5
"""The reference box's EO bound: fronts are scored for EO differences up to this."""
EO_LIMIT = 0.05
"""The EO difference at which the best test accuracy is reported."""
METHODS = ("none", "reduction", "thresholds")
"""The mitigation methods of ``mitigated`` (``abstain`` adds ``"abstain"``)."""
MITIGATION_SETTINGS = {"reduction": {"max_iter": 5}}
"""Fixed knobs of ``pt.mitigation.suggest``: a shorter exponentiated gradient."""
MIN_COVERAGE = 0.9
"""The ``abstain`` probe's coverage constraint."""


@dataclass(frozen=True)
class Task:
    """A data set and its groups (the cache's problem).

    Attributes:
        name: ``adult``, ``compas`` or ``german``.
        max_rows: Stratified subsample size (None: every row).
        groups: How the sensitive column becomes groups (part of the cache key).
    """

    name: str
    max_rows: int | None = None
    groups: str = "sex"
    libraries: tuple[str, ...] = LIBRARIES

    @property
    def settings(self) -> dict[str, Any]:
        """What defines the task besides its name."""
        return {"max_rows": self.max_rows, "groups": self.groups, "revision": 1}

    def load(self, seed: int) -> Any:
        """The data set with the split of ``seed``."""
        return getattr(datasets, LOADERS[self.name])(max_rows=self.max_rows, seed=seed)

    def group_of(self, split: Any) -> np.ndarray:
        """One group label per row of ``split``."""
        column = split.sensitive.iloc[:, 0].to_numpy(dtype=str)
        if self.name == "compas":
            kept = np.isin(column, ["African-American", "Caucasian"])
            return np.where(kept, column, "other")
        return column


TASKS = {
    task.name: task
    for task in (
        Task("adult", max_rows=6000, groups="sex"),
        Task("compas", groups="race: African-American, Caucasian, other"),
        Task("german", groups="sex"),
    )
}


@dataclass(frozen=True)
class Rows:
    """One split, encoded: features, labels, groups."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray

    @property
    def majority(self) -> float:
        """Accuracy of predicting the more frequent label for every row."""
        share = float(np.mean(self.y))
        return max(share, 1.0 - share)


class Encoded:
    """A seed's data set with its preprocessor fitted on ``train``: every contender fits
    and scores on the same arrays. The test rows are encoded on request, after a search."""

    def __init__(self, task: Task, seed: int) -> None:
        self.task = task
        self.data = task.load(seed)
        self.preprocessor = self.data.preprocessor().fit(self.data.train.X)
        self.train = self.rows(self.data.train)
        self.validation = self.rows(self.data.validation)

    def rows(self, split: Any) -> Rows:
        """``split`` encoded."""
        X = np.asarray(self.preprocessor.transform(split.X), dtype=float)
        return Rows(X, np.asarray(split.y), self.task.group_of(split))

    def test(self) -> Rows:
        """The test split, encoded (refused while a study optimises)."""
        return self.rows(self.data.test_split())


def measure(model: Any, rows: Rows, coverage: bool = False) -> dict[str, float]:
    """Accuracy and EO difference (and coverage) of a fitted ``model`` on ``rows``."""
    metrics = ["accuracy", EO] + (["coverage"] if coverage else [])
    result = pt.evaluate.classifier(
        model, rows.X, rows.y, sensitive_features=rows.groups, metrics=metrics,
        full_group_table=False,
    )  # fmt: skip
    return {name: float(result[name]) for name in metrics}


def _classifier(trial: Any) -> Any:
    """The model family and its knobs (the plain space without the threshold)."""
    if trial.suggest_categorical("model", ["logreg", "hgb"]) == "hgb":
        return HistGradientBoostingClassifier(
            learning_rate=trial.suggest_float("learning_rate", 0.01, 0.5, log=True),
            max_iter=trial.suggest_int("max_iter", 10, 200, log=True),
            max_leaf_nodes=trial.suggest_int("max_leaf_nodes", 4, 64, log=True),
            l2_regularization=trial.suggest_float("l2", 1e-6, 10.0, log=True),
            random_state=0,
        )
    return LogisticRegression(C=trial.suggest_float("C", 1e-3, 100.0, log=True), max_iter=500)


def _thresholded(trial: Any, classifier: Any) -> Any:
    """``classifier`` deciding at a searched threshold."""
    threshold = trial.suggest_float("threshold", 0.2, 0.8)
    return pt.mitigation.Threshold(classifier, threshold=threshold)


@dataclass(frozen=True)
class Space:
    """A search space of models: the plain one, or it with the mitigation choice.

    Attributes:
        methods: The mitigation methods ``pt.mitigation.suggest`` chooses from; empty for
            the plain space.
    """

    methods: tuple[str, ...] = ()

    @property
    def abstains(self) -> bool:
        """Whether the space has abstaining models (then coverage is constrained)."""
        return "abstain" in self.methods

    def model(self, trial: Any, seed: int) -> Any:
        """The unfitted model of ``trial``."""
        base = _classifier(trial)
        if not self.methods:
            return _thresholded(trial, base)
        model = pt.mitigation.suggest(
            trial, base, self.methods, settings=MITIGATION_SETTINGS, random_state=seed
        )
        return _thresholded(trial, model) if trial.params["mitigation"] == "none" else model


def search(
    space: Space, encoded: Encoded, seed: int, n_trials: int
) -> tuple[Any, dict[int, Any], float]:
    """The seeded TPE study: the study, the fitted models of its validation Pareto set
    (by trial number) and the search's wall seconds."""
    study = pt.create_study(
        objectives={"accuracy": "maximize", EO: "minimize"},
        constraints={"coverage": (">=", MIN_COVERAGE)} if space.abstains else None,
        sampler=pt.samplers.TPESampler(seed=seed),
        seed=seed,
    )
    for method in space.methods:
        study.enqueue({"mitigation": method})
    fitted: dict[int, Any] = {}
    train, validation = encoded.train, encoded.validation

    def objective(trial: Any) -> dict[str, float]:
        model = space.model(trial, seed)
        pt.mitigation.fit(model, train.X, train.y, sensitive_features=train.groups)
        fitted[trial.number] = model
        return measure(model, validation, coverage=space.abstains)

    def keep_front(study: Any, record: Any) -> None:
        front = {t.number for t in study.pareto_front()}
        for number in [n for n in fitted if n not in front]:
            del fitted[number]

    started = time.perf_counter()
    study.optimize(objective, n_trials=n_trials, callbacks=[keep_front])
    return study, fitted, time.perf_counter() - started


def study_run(space: Space) -> Callable[[Task, int, float], list[dict[str, Any]]]:
    """The run function of a study contender: search, then each front member once on test."""

    def run(task: Task, seed: int, budget: float) -> list[dict[str, Any]]:
        _quiet()
        encoded = Encoded(task, seed)
        study, fitted, search_seconds = search(space, encoded, seed, int(budget))
        started = time.perf_counter()
        test = encoded.test()
        members = [
            {
                "name": f"trial {t.number}",
                "method": t.params.get("mitigation", "none"),
                "model": t.params["model"],
                "validation": _point(t.metrics, space.abstains),
                "test": measure(fitted[t.number], test, coverage=space.abstains),
            }
            for t in study.pareto_front()
        ]
        states = [t.state for t in study.trials]
        return [{
            "search_seconds": search_seconds, "test_seconds": time.perf_counter() - started,
            "trials": len(states), "failed": sum(s is pt.TrialState.FAILED for s in states),
            "majority": {"validation": encoded.validation.majority, "test": test.majority},
            "members": members,
        }]  # fmt: skip

    return run


def _point(metrics: Any, coverage: bool) -> dict[str, float]:
    names = ["accuracy", EO] + (["coverage"] if coverage else [])
    return {name: float(metrics[name]) for name in names}


class Seeded:
    """A fitted fairlearn mitigator whose randomised ``predict`` draws with a fixed seed."""

    def __init__(self, mitigator: Any, seed: int, needs_groups: bool) -> None:
        self.mitigator = mitigator
        self.seed = seed
        self.needs_groups = needs_groups
        self.classes_ = np.array([0, 1])

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        """The mitigator's labels, drawn with the seed."""
        if self.needs_groups:
            return np.asarray(
                self.mitigator.predict(
                    X, sensitive_features=sensitive_features, random_state=self.seed
                )
            )
        return np.asarray(self.mitigator.predict(X, random_state=self.seed))


def fairlearn_run(task: Task, seed: int, budget: float) -> list[dict[str, Any]]:
    """fairlearn's mitigators at their defaults: fit, validation, then test once each."""
    from fairlearn.postprocessing import ThresholdOptimizer
    from fairlearn.reductions import EqualizedOdds
    from fairlearn.reductions import ExponentiatedGradient

    _quiet()
    encoded = Encoded(task, seed)
    train = encoded.train
    mitigators = {
        "ExponentiatedGradient": (
            ExponentiatedGradient(LogisticRegression(), EqualizedOdds()),
            False,
        ),
        "ThresholdOptimizer": (
            ThresholdOptimizer(estimator=LogisticRegression(), constraints="equalized_odds"),
            True,
        ),
    }
    started = time.perf_counter()
    models = {}
    for name, (mitigator, needs_groups) in mitigators.items():
        mitigator.fit(train.X, train.y, sensitive_features=train.groups)
        models[name] = Seeded(mitigator, seed, needs_groups)
    validation = {name: measure(model, encoded.validation) for name, model in models.items()}
    search_seconds = time.perf_counter() - started
    started = time.perf_counter()
    test = encoded.test()
    members = [
        {"name": name, "method": name, "model": "logreg", "validation": validation[name],
         "test": measure(model, test)}
        for name, model in models.items()
    ]  # fmt: skip
    return [{
        "search_seconds": search_seconds, "test_seconds": time.perf_counter() - started,
        "trials": 0, "failed": 0,
        "majority": {"validation": encoded.validation.majority, "test": test.majority},
        "members": members,
    }]  # fmt: skip


def _quiet() -> None:
    warnings.simplefilter("ignore")
    logging.getLogger("paretune").setLevel(logging.ERROR)


SPACE = "logreg(C) | hgb(lr, iter, leaves, l2); threshold"
CONTENDERS = {
    "plain": Contender(
        "plain", {"space": SPACE, "sampler": "TPESampler", "revision": 1},
        study_run(Space()), LIBRARIES,
    ),
    "mitigated": Contender(
        "mitigated",
        {"space": SPACE, "sampler": "TPESampler", "methods": list(METHODS),
         "settings": MITIGATION_SETTINGS, "enqueue": "each method once", "revision": 1},
        study_run(Space(METHODS)), LIBRARIES,
    ),
    "fairlearn": Contender(
        "fairlearn",
        {"mitigators": ["ExponentiatedGradient(LR(), EqualizedOdds())",
                        "ThresholdOptimizer(LR(), 'equalized_odds')"], "revision": 1},
        fairlearn_run, LIBRARIES,
    ),
    "abstain": Contender(
        "abstain",
        {"space": SPACE, "sampler": "TPESampler", "methods": [*METHODS, "abstain"],
         "settings": MITIGATION_SETTINGS, "coverage": MIN_COVERAGE,
         "enqueue": "each method once", "revision": 1},
        study_run(Space((*METHODS, "abstain"))), LIBRARIES,
    ),
}  # fmt: skip
"""The contenders by name (``abstain`` is the probe, not run by default)."""


def normalised_hv(members: Sequence[dict[str, Any]], split: str, majority: float) -> float:
    """Hypervolume of the members' points on ``split`` in the reference box (accuracy from
    ``majority`` to 1, EO difference from 0 to :data:`EO_BOX`) over the box's area."""
    points = [[-m[split]["accuracy"], m[split][EO]] for m in members]
    box = (1.0 - majority) * EO_BOX
    return front_hypervolume(points, [-majority, EO_BOX]) / box


def best_within(members: Sequence[dict[str, Any]], limit: float = EO_LIMIT) -> float | None:
    """The best test accuracy among members whose test EO difference is within ``limit``."""
    within = [m["test"]["accuracy"] for m in members if m["test"][EO] <= limit]
    return max(within) if within else None


@dataclass(frozen=True)
class Summary:
    """One contender on one data set: per seed, by seed number."""

    hv: dict[int, float]
    val_hv: dict[int, float]
    best: dict[int, float | None]
    records: dict[int, dict[str, Any]]

    @classmethod
    def of(cls, records: dict[int, dict[str, Any]]) -> Summary:
        """The summary of one contender's records (seed -> record)."""
        return cls(
            hv={s: normalised_hv(r["members"], "test", r["majority"]["test"])
                for s, r in records.items()},
            val_hv={s: normalised_hv(r["members"], "validation", r["majority"]["validation"])
                    for s, r in records.items()},
            best={s: best_within(r["members"]) for s, r in records.items()},
            records=records,
        )  # fmt: skip

    def ratio(self, other: Summary) -> list[float]:
        """Per shared seed, this HV over ``other``'s (seeds where ``other``'s is 0 left out)."""
        return [self.hv[s] / other.hv[s] for s in self.hv if other.hv.get(s)]

    def qualifying(self) -> list[float]:
        """The best accuracies within the EO limit, over the seeds where one qualifies."""
        return [b for b in self.best.values() if b is not None]

    def at_limit(self, seed: int) -> float:
        """The seed's best test accuracy within the EO limit, at least the majority-class
        rate (a constant prediction, EO difference 0, is always available)."""
        best = self.best[seed]
        majority = float(self.records[seed]["majority"]["test"])
        return majority if best is None else max(best, majority)

    def wins(self, other: Summary) -> tuple[int, int, int]:
        """Seeds won, lost and tied against ``other`` by :meth:`at_limit` (shared seeds)."""
        won = lost = tied = 0
        for seed in [s for s in self.best if s in other.best]:
            a, b = self.at_limit(seed), other.at_limit(seed)
            won, lost, tied = won + (a > b), lost + (a < b), tied + (a == b)
        return won, lost, tied

    def median(self, key: str) -> float:
        """Median over seeds of a record's number."""
        return float(np.median([r[key] for r in self.records.values()]))


def _median(values: Sequence[float]) -> float:
    """The median; NaN for no values."""
    return float(np.median(values)) if len(values) else float("nan")


def _cell(values: Sequence[float]) -> str:
    return median_iqr(values) if values else "-"


TABLE = Table(
    Column("contender", 9, align="<"), Column("trials", 6), Column("failed", 6),
    Column("front", 5),
    Column("val HV", 19), Column("HV", 19), Column("HV / plain", 19),
    Column("acc @ EO<=0.05", 19), Column("qualify", 7, ".2f"), Column("search s", 8, ".0f"),
    Column("test s", 6, ".1f"), indent="  ",
)  # fmt: skip
"""The per-contender table: the module docstring says what each column is."""


def print_task(task: Task, runs: list[Run], names: list[str], seeds: int, trials: int) -> None:
    """One data set's table, the methods on the mitigated fronts and the goal lines."""
    encoded = Encoded(task, 0)
    sizes = (len(encoded.train.y), len(encoded.validation.y), len(encoded.data.test_split()))
    print(
        f"\n{task.name}: train {sizes[0]}, validation {sizes[1]}, test {sizes[2]} rows; "
        f"groups {task.groups}; test majority-class rate {encoded.test().majority:.3f} "
        f"(seed 0); {trials} trials; {seeds} seeds"
    )
    print(TABLE.header())
    summaries = {
        name: Summary.of({r.job.seed: r.history[0] for r in runs if r.job.contender.name == name})
        for name in names
    }
    plain = summaries.get("plain")
    for name in names:
        s = summaries[name]
        fronts = [len(r["members"]) for r in s.records.values()]
        failed = sum(r["failed"] for r in s.records.values())
        study = bool(s.median("trials"))
        print(TABLE.row(
            name, f"{s.median('trials'):.0f}" if study else "-", failed if study else "-",
            f"{np.median(fronts):.0f}",
            _cell(list(s.val_hv.values())), _cell(list(s.hv.values())),
            _cell(s.ratio(plain)) if plain else "-", _cell(s.qualifying()),
            sum(b is not None for b in s.best.values()) / len(s.best),
            s.median("search_seconds"), s.median("test_seconds"),
        ))  # fmt: skip
    for name in names:
        if name in ("mitigated", "abstain"):
            members = [m for r in summaries[name].records.values() for m in r["members"]]
            counts = {
                method: sum(m["method"] == method for m in members)
                for method in (*METHODS, "abstain")
            }
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
            print(f"  {name} front members by method (all seeds): {shown}")
        if name == "abstain":
            coverage = [m["test"]["coverage"] for r in summaries[name].records.values()
                        for m in r["members"]]  # fmt: skip
            print(
                f"  abstain: accuracy and EO on the rows decided; test coverage of its "
                f"members {_cell(coverage)}, {np.mean(np.less(coverage, MIN_COVERAGE)):.0%} "
                f"below {MIN_COVERAGE:g}"
            )
    mitigated, fair = summaries.get("mitigated"), summaries.get("fairlearn")
    if mitigated is None:
        return
    if plain is not None:
        ratio = _median(mitigated.ratio(plain))
        print(
            f"  goal (mitigated vs plain): HV ratio {ratio:.3f} (>= 1.05): "
            f"{'met' if ratio >= 1.05 else 'not met'}"
        )
    if fair is not None:
        won, lost, tied = mitigated.wins(fair)
        print(
            f"  goal (mitigated vs fairlearn at EO <= {EO_LIMIT:g}): won {won}, lost {lost}, "
            f"tied {tied} of {won + lost + tied} seeds: {'met' if won > lost else 'not met'} "
            f"(HV ratio {_median(mitigated.ratio(fair)):.3f})"
        )


def main() -> None:
    """Run every data set x contender x seed through the cache and print the tables."""
    parser = make_parser(__doc__)
    add_run_options(parser, BENCHMARK, seeds=5)
    parser.add_argument("--datasets", default=",".join(TASKS))
    parser.add_argument("--trials", type=int, default=40, help="trials per study (default 40)")
    parser.add_argument(
        "--contenders", default="plain,mitigated,fairlearn",
        help="plain, mitigated, fairlearn, abstain (default: the first three)",
    )  # fmt: skip
    args = parser.parse_args()
    tasks = [TASKS[name] for name in choose(parser, args.datasets, TASKS, "data sets")]
    names = choose(parser, args.contenders, CONTENDERS, "contenders")
    jobs = [
        Job(task, CONTENDERS[name], seed, 0 if name == "fairlearn" else args.trials)
        for task in tasks
        for name in names
        for seed in range(args.seeds)
    ]
    started = time.perf_counter()
    runs = run_jobs(BENCHMARK, jobs, args.workers, cache_of(args))
    print(
        "Mitigation in the search space: the test-split front of each contender's validation "
        "Pareto set (median [IQR] over seeds); HV in the box accuracy >= the majority-class "
        f"rate, EO difference <= {EO_BOX:g}, over the box's area"
    )
    rounds = MITIGATION_SETTINGS["reduction"]["max_iter"]
    if "mitigated" in names:
        print(f"  mitigated: {', '.join(METHODS)}; exponentiated gradient with max_iter={rounds}")
    if "abstain" in names:
        print(f"  abstain (probe): mitigated's methods and abstain, coverage >= {MIN_COVERAGE:g}")
    if "fairlearn" in names:
        print("  fairlearn: ExponentiatedGradient and ThresholdOptimizer at their defaults, LR()")
    for task in tasks:
        print_task(task, [r for r in runs if r.job.problem is task], names, args.seeds, args.trials)
    print(f"\nWall time {time.perf_counter() - started:.0f} s")
    print(version_stamp(libraries_of(jobs)))


if __name__ == "__main__":
    main()
