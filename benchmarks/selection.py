"""Selection under noise: does a fairness limit chosen on validation hold on the test split?

A study ends with a front of validation accuracy against the equalized-odds (EO)
difference. Fairness figures on small groups are noisy, and the best of many noisy trials
is partly the luckiest (the winner's curse): a model whose validation EO difference is
under the limit often breaks it on fresh data. This benchmark compares two ways of picking
the model to ship, on the same search, by what the pick does once on the test split.

Per data set and seed (same compute for every rule):

* **Search.** ``--trials`` trials of a seeded ``TPESampler`` study, validation accuracy
  (maximised) against the EO difference (minimised), with the EO limit as a constraint
  (the limit is known before the search). The space: logistic regression (``C``) or
  histogram gradient boosting (learning rate, iterations, leaves, L2), each with its own
  knobs, and a decision threshold; every model is a pipeline of the data set's
  preprocessor and the classifier, fitted on ``train`` and measured on ``validation`` with
  ``pt.evaluate.classifier``. Each seed draws its own train/validation/test split (the
  loaders' ``seed=``; seed 0 is the documented split), so the seeds are independent
  validation and test draws, not one test split seen ten times.
* **naive**: ``EpsilonConstraint(maximize="accuracy", limits={EO: limit})`` on the
  validation front: the most accurate trial whose validation EO difference is within the
  limit.
* **paretune**: the finalists are the ``--top-k`` most accurate of the validation front
  within the limit (trials that measured the same counted once; with fewer, the next
  non-dominated layers, then the trials closest to the limit).
  ``study.reevaluate(fn, repeats=--repeats, trials=finalists)`` measures each again on fresh
  re-splits of the non-test rows: ``fn(params, seed)`` deals train + validation again
  (stratified by label x group, seeded) into parts of the train and validation sizes,
  refits on the first and measures on the second. Then
  ``EpsilonConstraint(..., confidence=--confidence)`` on the finalists: the most accurate
  (by the repeats' mean) whose upper confidence bound of the EO difference is within the
  limit. The test split is never used before the pick.
* **Test.** The pick is refitted on ``train`` as during the search and evaluated once on
  the test split; a seed where a rule picks nothing counts as a miss for that rule.

Probes of the same compute (``--rules naive,paretune,pt-c0.97,pt-k3r4``; each rule runs
its own copy of the seeded search, so the probes double the time): ``pt-c0.97``,
confidence 0.97 (with three repeats about a one-sided 90% prediction bound for one fresh
measurement of the validation size, as the test split is); ``pt-k3r4``, three finalists x
four re-splits.

Data sets and limits (the issue's): Adult, a stratified subsample of 4,000 rows (2,400
train, 800 validation, 800 test), groups by sex, EO limit 0.05; COMPAS, race with the
groups under 10% of rows (Hispanic, Other, Asian, Native American) merged into "other",
limit 0.10; German credit, groups by sex, limit 0.10. Models are fitted with one thread.

Printed per data set and rule: seeds with a pick; the share of seeds whose pick meets the
limit on test (no pick: a miss); median [IQR] test accuracy and EO difference over the
picks; the EO difference the rule relied on (naive: validation; paretune: the repeats'
mean); the test EO difference's own noise (median bootstrap SD over the test rows); the
share of seeds where the rule picked the naive rule's trial; and the extra compute against
the search (model fits, and wall seconds of re-evaluation and selection over those of the
search). For Adult, the same picks are also measured on the whole data set's test split
(6,032 rows, disjoint from the subsample), a far less noisy check of what each pick does on
fresh data.

    python3 benchmarks/selection.py [--seeds 10] [--datasets adult,compas,german]
        [--trials 40] [--top-k 4] [--repeats 3] [--confidence 0.9]
        [--rules naive,paretune[,pt-c0.97,pt-k3r4]] [--cache [FILE]]
"""

from __future__ import annotations

import hashlib
import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.threads import one_thread_per_process

one_thread_per_process()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

import paretune as pt  # noqa: E402
from harness.cache import canonical_json  # noqa: E402
from harness.cli import add_run_options  # noqa: E402
from harness.cli import cache_of  # noqa: E402
from harness.cli import choose  # noqa: E402
from harness.cli import make_parser  # noqa: E402
from harness.contender import Contender  # noqa: E402
from harness.runner import Job  # noqa: E402
from harness.runner import Run  # noqa: E402
from harness.runner import libraries_of  # noqa: E402
from harness.runner import run_jobs  # noqa: E402
from harness.table import Column  # noqa: E402
from harness.table import Table  # noqa: E402
from harness.table import median_iqr  # noqa: E402
from harness.versions import version_stamp  # noqa: E402
from paretune import datasets  # noqa: E402
from paretune.pareto import constrained_nondominated_sort  # noqa: E402

BENCHMARK = "selection"
EO = "equalized_odds_difference"
METRICS = ["accuracy", EO]
LIBRARIES = ("paretune", "numpy", "scipy", "pandas", "scikit-learn", "fairlearn")
LOADERS = {"adult": "load_adult", "compas": "load_compas", "german": "load_german_credit"}
BOOTSTRAP = 200
"""Resamples of the test rows for the test EO difference's noise."""


@dataclass(frozen=True)
class Task:
    """A data set, its groups and EO limit, and the search's size (the cache's problem).

    Attributes:
        name: ``adult``, ``compas`` or ``german``.
        limit: Upper limit on the equalized-odds difference.
        max_rows: Stratified subsample size (None: every row).
        groups: How the sensitive column becomes groups (part of the cache key).
    """

    name: str
    limit: float
    max_rows: int | None = None
    groups: str = "sex"
    libraries: tuple[str, ...] = LIBRARIES

    @property
    def settings(self) -> dict[str, Any]:
        """What defines the task besides its name; the trial count is the job's budget."""
        return {
            "limit": self.limit,
            "max_rows": self.max_rows,
            "groups": self.groups,
            "space": "logreg|hgb + threshold",
            "revision": 1,
        }

    def load(self, seed: int, subsample: bool = True) -> Any:
        """The data set with the split of ``seed`` (``subsample``: of ``max_rows`` rows)."""
        loader = getattr(datasets, LOADERS[self.name])
        return loader(max_rows=self.max_rows if subsample else None, seed=seed)

    def fresh_rows(self, seed: int) -> Any:
        """For a subsample (``max_rows``), the test split of the whole data set with the same
        seed; None otherwise. The loaders deal each label's rows in one seeded permutation,
        the subsample from its head and the test split from its last fifth, so these rows
        are disjoint from the subsample's train, validation and test rows: a large fresh
        sample on which a pick's EO difference is measured far more precisely."""
        if self.max_rows is None:
            return None
        return self.load(seed, subsample=False).test_split()

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
        Task("adult", 0.05, max_rows=4000, groups="sex"),
        Task("compas", 0.10, groups="race: African-American, Caucasian, other"),
        Task("german", 0.10, groups="sex"),
    )
}


def _model(params: dict[str, Any], data: Any) -> Any:
    """An unfitted pipeline: the data set's preprocessor and the classifier of ``params``."""
    if params["model"] == "hgb":
        classifier: Any = HistGradientBoostingClassifier(
            learning_rate=params["learning_rate"],
            max_iter=params["max_iter"],
            max_leaf_nodes=params["max_leaf_nodes"],
            l2_regularization=params["l2"],
            random_state=0,
        )
    else:
        classifier = LogisticRegression(C=params["C"], max_iter=500)
    return make_pipeline(data.preprocessor(), classifier)


def _suggest(trial: Any) -> dict[str, Any]:
    """The conditional space: a model family with its own knobs, and a threshold."""
    params: dict[str, Any] = {"model": trial.suggest_categorical("model", ["logreg", "hgb"])}
    if params["model"] == "hgb":
        params["learning_rate"] = trial.suggest_float("learning_rate", 0.01, 0.5, log=True)
        params["max_iter"] = trial.suggest_int("max_iter", 10, 200, log=True)
        params["max_leaf_nodes"] = trial.suggest_int("max_leaf_nodes", 4, 64, log=True)
        params["l2"] = trial.suggest_float("l2", 1e-6, 10.0, log=True)
    else:
        params["C"] = trial.suggest_float("C", 1e-3, 100.0, log=True)
    params["threshold"] = trial.suggest_float("threshold", 0.2, 0.8)
    return params


def _score(task: Task, model: Any, threshold: float, split: Any) -> dict[str, float]:
    """Accuracy and EO difference of a fitted ``model`` on ``split``."""
    groups = task.group_of(split)
    return dict(
        pt.evaluate.classifier(
            model,
            split.X,
            split.y,
            sensitive_features=groups,
            metrics=METRICS,
            threshold=threshold,
            full_group_table=False,
        )
    )


def _measure(
    task: Task, data: Any, params: dict[str, Any], fit: Any, score: Any
) -> dict[str, float]:
    """Fit ``params`` on the rows ``fit``; accuracy and EO difference on the rows ``score``."""
    model = _model(params, data).fit(fit.X, fit.y)
    return _score(task, model, params["threshold"], score)


@dataclass(frozen=True)
class Part:
    """Rows of a re-split: features, labels and the sensitive table (a Split's fields)."""

    X: Any
    y: np.ndarray
    sensitive: Any


def resplit(data: Any, task: Task, seed: int) -> tuple[Part, Part]:
    """Train + validation dealt again into parts of the train and validation sizes,
    stratified by label x group and shuffled with ``seed``. The test rows are not touched.
    """
    train, validation = data.train, data.validation
    X = pd.concat([train.X, validation.X], ignore_index=True)
    y = np.concatenate([train.y, validation.y])
    sensitive = pd.concat([train.sensitive, validation.sensitive], ignore_index=True)
    strata = np.char.add(
        y.astype(str), np.concatenate([task.group_of(train), task.group_of(validation)])
    )
    share = len(validation) / len(y)
    rng = np.random.default_rng(seed)
    held: list[np.ndarray] = []
    for stratum in np.unique(strata):
        rows = rng.permutation(np.flatnonzero(strata == stratum))
        held.append(rows[: round(share * len(rows))])
    out = np.zeros(len(y), dtype=bool)
    out[np.concatenate(held)] = True

    def part(mask: np.ndarray) -> Part:
        rows = np.flatnonzero(mask)
        return Part(X.iloc[rows].reset_index(drop=True), y[rows], sensitive.iloc[rows])

    return part(~out), part(out)


def _digest(study: Any) -> str:
    """A short hash of the search's trials: equal for equal searches."""
    rows = [[t.number, dict(t.params), [round(t.metrics.get(m, -1.0), 12) for m in METRICS]]
            for t in study.trials]  # fmt: skip
    return hashlib.sha1(canonical_json(rows).encode()).hexdigest()[:12]


def search(task: Task, data: Any, seed: int, n_trials: int) -> tuple[Any, float]:
    """The seeded TPE study of ``n_trials`` trials and its wall seconds."""
    study = pt.create_study(
        objectives={"accuracy": "maximize", EO: "minimize"},
        constraints={EO: ("<=", task.limit)},
        sampler=pt.samplers.TPESampler(seed=seed),
        seed=seed,
    )

    def objective(trial: Any) -> dict[str, float]:
        return _measure(task, data, _suggest(trial), data.train, data.validation)

    started = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    return study, time.perf_counter() - started


def finalists(study: Any, limit: float, top_k: int) -> list[Any]:
    """The ``top_k`` finalists: the most accurate distinct trials of the validation front
    within the limit, then of the next non-dominated layers, then the infeasible trials
    closest to the limit. Trials that measured the same count once (the lowest number)."""
    complete = [t for t in study.trials if t.state is pt.TrialState.COMPLETE]
    distinct = [
        min(g, key=lambda t: t.number) for g in pt.select.distinct(complete, metrics=METRICS)
    ]
    if not distinct:
        return []
    violation = [max(0.0, t.metrics[EO] - limit) for t in distinct]
    ranks = constrained_nondominated_sort(study.losses(distinct), violation)
    order = sorted(
        range(len(distinct)),
        key=lambda i: (
            ranks[i],
            violation[i],
            -distinct[i].metrics["accuracy"],
            distinct[i].number,
        ),
    )
    return [distinct[i] for i in order[:top_k]]


def _eo_difference(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> float:
    """The largest between-group gap in true-positive or false-positive rate (groups
    without positives, or without negatives, give no rate)."""
    gaps = []
    for label in (1, 0):
        rates = []
        for g in np.unique(group):
            rows = (group == g) & (y == label)
            if rows.any():
                rates.append(pred[rows].mean())
        gaps.append(max(rates) - min(rates) if rates else 0.0)
    return float(max(gaps))


def evaluate_once(task: Task, data: Any, params: dict[str, Any], seed: int) -> dict[str, float]:
    """Refit ``params`` on train, evaluate once on the test split: accuracy, EO difference,
    the bootstrap SD of the EO difference over the test rows and, for a subsample, the
    same model's accuracy and EO difference on :meth:`Task.fresh_rows`."""
    test = data.test_split()
    model = _model(params, data).fit(data.train.X, data.train.y)
    result = _score(task, model, params["threshold"], test)
    pred = (model.predict_proba(test.X)[:, 1] >= params["threshold"]).astype(int)
    group = task.group_of(test)
    rng = np.random.default_rng([seed, 7])
    draws = [
        _eo_difference(test.y[rows], pred[rows], group[rows])
        for rows in (rng.integers(0, len(test.y), len(test.y)) for _ in range(BOOTSTRAP))
    ]
    out = {"accuracy": result["accuracy"], "eo": result[EO], "eo_sd": float(np.std(draws))}
    fresh = task.fresh_rows(seed)
    if fresh is not None:
        more = _score(task, model, params["threshold"], fresh)
        out.update(fresh_accuracy=more["accuracy"], fresh_eo=more[EO], fresh_rows=len(fresh))
    return out


@dataclass(frozen=True)
class Rule:
    """How a contender picks: ``naive``, or paretune's re-evaluation with its settings."""

    name: str
    top_k: int = 0
    repeats: int = 0
    confidence: float | None = None

    def contender(self) -> Contender:
        """The rule as a harness contender: search, pick, test once."""
        settings = {"rule": "naive"}
        if self.top_k:
            settings = {
                "rule": "paretune", "top_k": self.top_k, "repeats": self.repeats,
                "confidence": self.confidence, "finalists": "top accuracy, distinct",
                "resplit": "train+validation, stratified label x group",
            }  # fmt: skip
        return Contender(self.name, settings, self.run, LIBRARIES)

    def run(self, task: Task, seed: int, budget: float) -> list[dict[str, Any]]:
        """One seed: the search, this rule's pick, its test evaluation (one record)."""
        warnings.simplefilter("ignore")
        logging.getLogger("paretune").setLevel(logging.ERROR)
        data = task.load(seed)
        study, search_seconds = search(task, data, seed, int(budget))
        record: dict[str, Any] = {
            "digest": _digest(study), "search_seconds": search_seconds, "search_fits": int(budget),
            "extra_fits": 0, "extra_seconds": 0.0, "chosen": None, "why_none": None,
            "believed_eo": None, "test": None,
        }  # fmt: skip
        limits = {EO: task.limit}
        started = time.perf_counter()
        try:
            if not self.top_k:
                chosen = study.select(
                    pt.select.EpsilonConstraint(maximize="accuracy", limits=limits)
                )
                record["believed_eo"] = chosen.metrics[EO]
            else:
                chosen = self._reevaluated(task, data, study, record)
        except pt.exceptions.NoSelectionError as error:
            chosen = None
            misses = ", ".join(f"{k} by {v:.3f}" for k, v in error.misses.items())
            record["why_none"] = (
                str(error)
                if error.closest is None
                else f"closest trial {error.closest} misses {misses}"
            )
        record["extra_seconds"] = time.perf_counter() - started if self.top_k else 0.0
        if chosen is not None:
            record["chosen"] = chosen.number
            record["test"] = evaluate_once(task, data, dict(chosen.params), seed)
        return [record]

    def _reevaluated(self, task: Task, data: Any, study: Any, record: dict[str, Any]) -> Any:
        """Re-evaluate the finalists on re-splits, then pick at the confidence level."""
        chosen = finalists(study, task.limit, self.top_k)
        if not chosen:
            raise pt.exceptions.NoSelectionError("no complete trial to re-evaluate")

        def fn(params: dict[str, Any], seed: int) -> dict[str, float]:
            fit, score = resplit(data, task, seed)
            return _measure(task, data, params, fit, score)

        result = study.reevaluate(
            fn, top_k=self.top_k, repeats=self.repeats, trials=chosen,
            confidence=self.confidence or 0.95,
        )  # fmt: skip
        record["extra_fits"] = sum(len(study.repeats(t.number)) for t in chosen) + len(
            result.failed
        )
        record["finalists"] = {
            t.number: {"validation": [t.metrics[m] for m in METRICS],
                       "repeats": [[r[m] for m in METRICS] for r in study.repeats(t.number)]}
            for t in chosen
        }  # fmt: skip
        rule = pt.select.EpsilonConstraint(
            maximize="accuracy", limits={EO: task.limit}, confidence=self.confidence
        )
        pick = study.select(rule, candidates=[t for t in chosen if t.number in result.summaries])
        record["believed_eo"] = result.summaries[pick.number].mean[EO]
        return pick


@dataclass(frozen=True)
class Summary:
    """One rule on one data set, over seeds.

    Attributes:
        seeds: Seeds run.
        picked: Seeds where the rule picked a trial.
        meets: Share of seeds whose pick meets the limit on test (no pick: a miss).
        accuracy: Test accuracy of each pick.
        eo: Test EO difference of each pick.
        relied_on: The EO difference each pick was chosen on (validation, or the repeats'
            mean).
        eo_sd: Bootstrap SD of each pick's test EO difference.
        fits: Extra model fits over the search's.
        seconds: Extra wall seconds over the search's.
        why_none: Why the rule picked nothing, per seed without a pick.
        fresh_meets: Share of seeds whose pick meets the limit on the fresh rows (no pick:
            a miss); NaN without fresh rows.
        fresh_accuracy: Accuracy of each pick on the fresh rows.
        fresh_eo: EO difference of each pick on the fresh rows.
    """

    seeds: int
    picked: int
    meets: float
    accuracy: list[float]
    eo: list[float]
    relied_on: list[float]
    eo_sd: list[float]
    fits: float
    seconds: float
    why_none: list[str]
    fresh_meets: float
    fresh_accuracy: list[float]
    fresh_eo: list[float]

    @classmethod
    def of(cls, records: Sequence[dict[str, Any]], limit: float) -> Summary:
        """The summary of one rule's records (one per seed)."""
        tested = [r["test"] for r in records if r["test"] is not None]
        meets = [r["test"] is not None and r["test"]["eo"] <= limit for r in records]
        fresh = [t for t in tested if "fresh_eo" in t]
        fresh_meets = [r["test"] is not None and r["test"].get("fresh_eo", 1.0) <= limit
                       for r in records]  # fmt: skip
        return cls(
            seeds=len(records),
            picked=len(tested),
            meets=float(np.mean(meets)) if meets else 0.0,
            accuracy=[t["accuracy"] for t in tested],
            eo=[t["eo"] for t in tested],
            relied_on=[r["believed_eo"] for r in records if r["test"] is not None],
            eo_sd=[t["eo_sd"] for t in tested],
            fits=sum(r["extra_fits"] for r in records) / sum(r["search_fits"] for r in records),
            seconds=sum(r["extra_seconds"] for r in records)
            / sum(r["search_seconds"] for r in records),
            why_none=[r["why_none"] for r in records if r["test"] is None],
            fresh_meets=float(np.mean(fresh_meets)) if fresh else float("nan"),
            fresh_accuracy=[t["fresh_accuracy"] for t in fresh],
            fresh_eo=[t["fresh_eo"] for t in fresh],
        )

    @property
    def median_accuracy(self) -> float:
        """Median test accuracy of the picks (NaN without one)."""
        return float(np.median(self.accuracy)) if self.accuracy else float("nan")


def _median(values: Sequence[float]) -> float:
    return float(np.median(values)) if values else float("nan")


def _cell(values: Sequence[float]) -> str:
    return median_iqr(values) if values else "-"


TABLE = Table(
    Column("rule", 10, align="<"), Column("picked", 6), Column("meets", 5, ".2f"),
    Column("test accuracy", 19), Column("test EO diff", 19), Column("relied on", 9, ".3f"),
    Column("test EO SD", 10, ".3f"), Column("same", 4), Column("extra fits", 10, ".0%"),
    Column("extra s", 7, ".0%"), indent="  ",
)  # fmt: skip
"""The per-rule table: the module docstring says what each column is."""


def print_task(
    task: Task, runs: list[Run], rules: list[Rule], seeds: int, n_trials: int
) -> dict[str, Summary]:
    """One data set's table, and the goal line of each paretune rule against naive."""
    data = task.load(0)
    print(
        f"\n{task.name}: train {len(data.train)}, validation {len(data.validation)}, test "
        f"{len(data.test_split())} rows; groups {task.groups}; EO limit {task.limit:g}; "
        f"{n_trials} trials; {seeds} seeds"
    )
    print(TABLE.header())
    records = {
        rule.name: {
            run.job.seed: run.history[0] for run in runs if run.job.contender.name == rule.name
        }
        for rule in rules
    }
    naive = records.get("naive")
    summaries: dict[str, Summary] = {}
    for rule in rules:
        mine = records[rule.name]
        s = summaries[rule.name] = Summary.of(list(mine.values()), task.limit)
        same = "-"
        if naive is not None and rule.name != "naive":
            pairs = [(mine[seed], naive[seed]) for seed in mine if seed in naive]
            if any(a["digest"] != b["digest"] for a, b in pairs):
                print(f"  warning: {rule.name}'s searches differ from naive's")
            same = f"{np.mean([a['chosen'] == b['chosen'] for a, b in pairs]):.2f}"
        print(TABLE.row(
            rule.name, f"{s.picked}/{s.seeds}", s.meets, _cell(s.accuracy), _cell(s.eo),
            _median(s.relied_on), _median(s.eo_sd), same, s.fits, s.seconds,
        ))  # fmt: skip
        if s.why_none:
            print(f"    no pick in {len(s.why_none)} seeds (misses): {s.why_none[0]}")
    fresh = [r.history[0]["test"].get("fresh_rows") for r in runs if r.history[0]["test"]]
    if fresh and fresh[0]:
        print(
            f"  the same picks on {fresh[0]} fresh rows (the whole data set's test split, "
            "disjoint from the subsample):"
        )
        for rule in rules:
            s = summaries[rule.name]
            print(
                f"  {rule.name:<10} meets {s.fresh_meets:.2f}, EO diff {_cell(s.fresh_eo)}, "
                f"accuracy {_cell(s.fresh_accuracy)}"
            )
    base = summaries.get("naive")
    for rule in rules:
        s = summaries[rule.name]
        if base is None or not rule.top_k:
            continue
        change = s.median_accuracy / base.median_accuracy - 1.0  # NaN without picks
        met = s.meets >= 0.9 and change >= -0.05 and max(s.fits, s.seconds) <= 0.3
        mine, theirs = records[rule.name], records["naive"]
        held = [seed for seed, r in mine.items() if r["test"] is not None]
        good = sum(mine[seed]["test"]["eo"] <= task.limit for seed in held)
        naive_good = sum(
            theirs[seed]["test"]["eo"] <= task.limit for seed in held if seed in theirs
        )
        print(
            f"  goal ({rule.name}): meets {s.meets:.0%} (naive {base.meets:.0%}; >= 90%), "
            f"accuracy {'n/a' if np.isnan(change) else format(change, '+.1%')} vs naive "
            f"(>= -5%), extra {s.fits:.0%} of fits, {s.seconds:.0%} of seconds (<= 30%): "
            f"{'met' if met else 'not met'}; its picks meet the limit in {good}/{len(held)} "
            f"(naive's on those seeds: {naive_good}/{len(held)})"
        )
    return summaries


def rules_of(args: Any) -> dict[str, Rule]:
    """Every rule by name: naive; paretune at ``--top-k``, ``--repeats`` and
    ``--confidence``; and two probes of the same compute. ``pt-c0.97``: confidence 0.97,
    which with three repeats makes the bound about a one-sided 90% prediction bound for
    one fresh measurement of the validation size (``t(0.97, 2) / sqrt(3)`` = 2.25 against
    ``t(0.9, 2) * sqrt(1 + 1/3)`` = 2.18 standard deviations), as the test split is;
    ``pt-k3r4``: three finalists with four re-splits each (a standard deviation from three
    degrees of freedom instead of two)."""
    rules = (
        Rule("naive"),
        Rule("paretune", args.top_k, args.repeats, args.confidence),
        Rule("pt-c0.97", 4, 3, 0.97),
        Rule("pt-k3r4", 3, 4, 0.9),
    )
    return {rule.name: rule for rule in rules}


def main() -> None:
    """Run every data set x rule x seed through the cache and print the tables."""
    parser = make_parser(__doc__)
    add_run_options(parser, BENCHMARK, seeds=10)
    parser.add_argument("--datasets", default=",".join(TASKS))
    parser.add_argument("--trials", type=int, default=40, help="trials per search (default 40)")
    parser.add_argument("--top-k", type=int, default=4, help="finalists re-evaluated (default 4)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per finalist (default 3)")
    parser.add_argument(
        "--confidence", type=float, default=0.9, help="one-sided level of the EO bound (0.9)"
    )
    parser.add_argument(
        "--rules", default="naive,paretune", help="naive, paretune, pt-c0.97, pt-k3r4"
    )
    args = parser.parse_args()
    tasks = [TASKS[name] for name in choose(parser, args.datasets, TASKS, "data sets")]
    known = rules_of(args)
    rules = [known[name] for name in choose(parser, args.rules, known, "rules")]
    contenders = {rule.name: rule.contender() for rule in rules}
    jobs = [
        Job(task, contenders[rule.name], seed, args.trials)
        for task in tasks
        for rule in rules
        for seed in range(args.seeds)
    ]
    started = time.perf_counter()
    runs = run_jobs(BENCHMARK, jobs, args.workers, cache_of(args))
    print(
        "Selection under noise: share of seeds whose pick meets the EO limit on the test "
        "split (no pick is a miss), median [IQR] test accuracy and EO difference of the "
        "picks, extra compute against the search"
    )
    for rule in rules:
        if rule.top_k:
            print(
                f"  {rule.name}: {rule.top_k} finalists x {rule.repeats} re-splits, "
                f"confidence {rule.confidence:g}"
            )
    for task in tasks:
        print_task(task, [r for r in runs if r.job.problem is task], rules, args.seeds, args.trials)
    print(f"\nWall time {time.perf_counter() - started:.0f} s")
    print(version_stamp(libraries_of(jobs)))


if __name__ == "__main__":
    main()
