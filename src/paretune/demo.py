"""The quick-start demo behind ``paretune demo``: a fair, fast income classifier for Adult.

It tunes a choice of model family (histogram gradient boosting, logistic regression or a
small MLP, each with its own knobs and a decision threshold) on UCI Adult for validation
accuracy against the equalized-odds difference between sexes, under a p99 single-row
prediction-latency limit. The study has a ``data_fraction`` fidelity, so the default
multi-fidelity scheduler (Hyperband brackets with model-based proposals) screens
configurations on a ninth or a third of the rows (a rung that costs too much for what it
saves is dropped) and trains only the promising ones on all of them. Metrics come from
:func:`paretune.evaluate.classifier`. After the search, and only then, the Pareto set is
evaluated on the held-out test split with bootstrap intervals.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from paretune._threads import native_thread_limit
from paretune.analysis import test_front
from paretune.constraints import Constraint
from paretune.datasets import Dataset
from paretune.datasets import load_adult
from paretune.evaluate import LatencyProtocol
from paretune.evaluate import classifier
from paretune.exceptions import NoFeasibleTrialWarning
from paretune.fidelity import Fidelity
from paretune.study import Study
from paretune.study import create_study
from paretune.trial import Trial
from paretune.trial import TrialRecord
from paretune.trial import TrialState

DEMO_STUDY_NAME = "demo-adult"
"""The name of the study the demo writes."""

LATENCY_LIMIT_MS = 3.0
"""The demo's hard constraint: p99 single-row prediction latency, in milliseconds."""

METRICS = ("accuracy", "equalized_odds_difference", "latency_p99_ms")
"""What every trial measures on the validation split."""

_LATENCY = LatencyProtocol(single_repeats=100, batch_repeats=3, max_seconds=0.3)
_INSTALL_HINT = (
    "The demo needs scikit-learn and fairlearn: pip install 'paretune[eval]' "
    "(or, from a checkout, pip install -e '.[eval]')."
)


class _Encoded:
    """The data set's features encoded once (fitted on train), with a seeded row order."""

    def __init__(self, data: Dataset, seed: int) -> None:
        self.data = data
        self.preprocessor = data.preprocessor().fit(data.train.X)
        order = np.random.default_rng(seed).permutation(len(data.train))
        self.x_train = self.preprocessor.transform(data.train.X)[order]
        self.y_train = data.train.y[order]
        self.x_val = self.preprocessor.transform(data.validation.X)


def build_model(params: dict[str, Any], seed: int) -> Any:
    """The unfitted model a trial's parameters describe (threshold included)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from paretune._thresholded import ThresholdedClassifier

    family = params["model"]
    if family == "hgb":
        model: Any = HistGradientBoostingClassifier(
            learning_rate=params["learning_rate"],
            max_iter=params["max_iter"],
            max_leaf_nodes=params["max_leaf_nodes"],
            l2_regularization=params["l2"],
            early_stopping=False,
            random_state=seed,
        )
    elif family == "logreg":
        model = LogisticRegression(C=params["C"], max_iter=200)
    else:
        model = MLPClassifier(
            hidden_layer_sizes=(params["hidden"],),
            alpha=params["alpha"],
            learning_rate_init=params["lr"],
            max_iter=params["epochs"],
            random_state=seed,
        )
    return ThresholdedClassifier(model, threshold=params["threshold"])


def _suggest(trial: Trial) -> dict[str, Any]:
    p: dict[str, Any] = {"model": trial.suggest_categorical("model", ["hgb", "logreg", "mlp"])}
    if p["model"] == "hgb":
        p["learning_rate"] = trial.suggest_float("learning_rate", 0.02, 0.5, log=True)
        p["max_iter"] = trial.suggest_int("max_iter", 10, 200, log=True)
        p["max_leaf_nodes"] = trial.suggest_int("max_leaf_nodes", 4, 64, log=True)
        p["l2"] = trial.suggest_float("l2", 1e-6, 10.0, log=True)
    elif p["model"] == "logreg":
        p["C"] = trial.suggest_float("C", 1e-3, 100.0, log=True)
    else:
        p["hidden"] = trial.suggest_int("hidden", 8, 64, log=True)
        p["alpha"] = trial.suggest_float("alpha", 1e-5, 1e-1, log=True)
        p["lr"] = trial.suggest_float("lr", 1e-3, 3e-2, log=True)
        p["epochs"] = trial.suggest_int("epochs", 5, 20)
    p["threshold"] = trial.suggest_float("threshold", 0.2, 0.8)
    return p


def _one_blas_thread() -> Any:
    """A context with BLAS limited to one thread, for the demo's training and evaluation.

    On the demo's matrices (thousands of rows, about a hundred columns) a second BLAS
    thread costs more in synchronisation than it saves. One thread also leaves no BLAS
    worker spinning, so the latency protocol's settle step has nothing to wait for.
    Boosting keeps its OpenMP threads.
    """
    return native_thread_limit(1, user_api="blas")


def _fit(data: _Encoded, params: dict[str, Any], budget: float, seed: int) -> Any:
    """Train on the first ``budget`` share of the rows, with one BLAS thread."""
    from sklearn.exceptions import ConvergenceWarning

    rows = max(200, round(budget * len(data.y_train)))
    model = build_model(params, seed)
    with warnings.catch_warnings(), _one_blas_thread():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.x_train[:rows], data.y_train[:rows])
    return model


def evaluate_on_validation(data: _Encoded, model: Any) -> dict[str, float]:
    """The demo's per-trial evaluation (:data:`METRICS`), with one BLAS thread."""
    with _one_blas_thread():
        return classifier(
            model,
            data.x_val,
            data.data.validation.y,
            sensitive_features=data.data.validation.sensitive,
            metrics=list(METRICS),
            latency=_LATENCY,
            full_group_table=False,
        )


def make_objective(
    data: _Encoded, seed: int, fitted: dict[int, Any]
) -> Callable[[Trial], dict[str, float]]:
    """The demo's objective: train at the trial's data fraction, then evaluate."""

    def objective(trial: Trial) -> dict[str, float]:
        params = _suggest(trial)
        budget = 1.0 if trial.budget is None else float(trial.budget)
        model = _fit(data, params, budget, seed)
        if budget >= 1.0:
            fitted[trial.number] = model  # reused by the test-set step, no refit
        return evaluate_on_validation(data, model)

    return objective


def _progress(echo: Callable[[str], None], started: float) -> Callable[[Study, TrialRecord], None]:
    def report(study: Study, record: TrialRecord) -> None:
        elapsed = time.perf_counter() - started
        head = f"  [{elapsed:5.1f} s] trial {record.number:>3} {record.params.get('model', '?'):>6}"
        budget = f"rows {record.budget:.2f}" if record.budget is not None else ""
        if record.state is not TrialState.COMPLETE:
            echo(f"{head} {budget}  {record.state.value}: {record.fail_reason or ''}"[:110])
            return
        m = record.metrics
        flag = "" if record.feasible else "  (too slow)"
        echo(
            f"{head} {budget}  accuracy {m['accuracy']:.4f}  EO diff "
            f"{m['equalized_odds_difference']:.4f}  p99 {m['latency_p99_ms']:.2f} ms{flag}"
        )

    return report


def run_demo(
    *,
    storage: str,
    seconds: float = 90.0,
    n_trials: int | None = None,
    seed: int = 0,
    max_rows: int | None = None,
    max_latency_ms: float = LATENCY_LIMIT_MS,
    echo: Callable[[str], None] = print,
    report: str | os.PathLike[str] | None = None,
) -> Study:
    """Run the demo study, print its Pareto front and the front's test-set evaluation.

    Args:
        storage: Database URL for the study.
        seconds: Search time (no new trial starts after it).
        n_trials: Optional cap on trials in this call (the study accumulates across calls).
        seed: Seed for the row order, the models and the sampler.
        max_rows: Use a stratified subsample of Adult (for a quick try).
        max_latency_ms: The p99 single-row latency limit (a loaded or slow machine may
            need more than the default 3 ms).
        echo: Where to print.
        report: Where to write the study's HTML report at the end (None: no report).

    Returns:
        The study.
    """
    try:
        import fairlearn  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    started = time.perf_counter()
    data = _Encoded(load_adult(max_rows=max_rows), seed)
    study = create_study(
        study_name=DEMO_STUDY_NAME,
        objectives={"accuracy": "maximize", "equalized_odds_difference": "minimize"},
        constraints={
            "latency_p99_ms": Constraint(
                "latency_p99_ms", "<=", max_latency_ms, fidelity_behaviour="independent"
            )
        },
        fidelity=Fidelity("data_fraction", 1 / 9, 1.0),
        storage=storage,
        seed=seed,
        load_if_exists=True,
    )
    echo(
        f"Adult: {len(data.y_train)} training and {len(data.x_val)} validation rows "
        f"(test rows held out). Tuning hgb / logreg / mlp for accuracy vs equalized-odds "
        f"difference (sex), p99 latency <= {max_latency_ms:g} ms, for {seconds:g} s "
        f"with the multi-fidelity default (data fraction 1/9, 1/3, 1) ..."
    )
    fitted: dict[int, Any] = {}
    study.optimize(
        make_objective(data, seed, fitted),
        n_trials=n_trials,
        timeout=seconds,
        callbacks=[_progress(echo, started)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoFeasibleTrialWarning)  # said below, in context
        front = sorted(study.pareto_front(), key=lambda t: (-t.metrics["accuracy"], t.number))
    finished = study.get_trials([TrialState.COMPLETE])
    front, alike = distinct_points(front)
    echo(
        f"\nSearch done in {time.perf_counter() - started:.0f} s: {len(finished)} trials "
        f"complete, {sum(1 for t in finished if t.budget == 1.0)} on all rows. "
        f"Pareto front on validation ({len(front)} points):"
    )
    echo(f"  {'trial':>5}  {'model':>6}  {'accuracy':>8}  {'EO diff':>7}  {'p99 ms':>6}")
    for t in front:
        m = t.metrics
        same = alike[t.number]
        more = f"  (also trials {', '.join(map(str, same))}: same figures)" if same else ""
        echo(
            f"  {t.number:>5}  {t.params['model']:>6}  {m['accuracy']:>8.4f}  "
            f"{m['equalized_odds_difference']:>7.4f}  {m['latency_p99_ms']:>6.2f}{more}"
        )
    if not front and finished:
        fastest = min(t.metrics.get("latency_p99_ms", float("inf")) for t in finished)
        echo(
            f"  (none: no complete trial met p99 <= {max_latency_ms:g} ms on this machine; "
            f"the fastest measured {fastest:.2f} ms. A busy machine times slower: rerun "
            "with --max-latency-ms set above that, and a new --storage.)"
        )
    _echo_calibration(study, echo)
    if front:
        _echo_test(study, front, data, fitted, seed, echo)
    echo(f"\nStored in {storage} as study {study.name!r}.")
    if report is not None:
        try:
            written = study.report(report)
        except ImportError as exc:  # the plot extra is missing: say so, the rest stands
            echo(f"No report written: {exc}")
        else:
            echo(f"Report (open it in a browser, no network needed): {written}")
    return study


def distinct_points(
    front: list[TrialRecord],
) -> tuple[list[TrialRecord], dict[int, list[int]]]:
    """One trial per distinct (accuracy, EO difference) point of the front, in order.

    Trials with the same figures (typically constant predictors, all with an EO difference
    of 0) are one point of the front: the first of them stands for the rest, which the
    returned dict lists by the representative's number.
    """
    kept: list[TrialRecord] = []
    alike: dict[int, list[int]] = {}
    seen: dict[tuple[float, float], int] = {}
    for t in front:
        point = (t.metrics["accuracy"], t.metrics["equalized_odds_difference"])
        if point in seen:
            alike[seen[point]].append(t.number)
            continue
        seen[point] = t.number
        alike[t.number] = []
        kept.append(t)
    return kept, alike


def _echo_calibration(study: Study, echo: Callable[[str], None]) -> None:
    report = study.fidelity_report(warn=False)
    judged = [r for r in report.rungs if r.n_pairs >= 2]
    if not judged:
        return
    echo("Do cheap rungs predict the full data? (Kendall tau with the top rung)")
    for r in judged:
        taus = ", ".join(f"{k} {v:+.2f}" for k, v in r.kendall.items())
        echo(f"  data fraction {r.budget:.2f}: {taus} over {r.n_pairs} configurations")


def _echo_test(
    study: Study,
    front: list[TrialRecord],
    data: _Encoded,
    fitted: dict[int, Any],
    seed: int,
    echo: Callable[[str], None],
) -> None:
    test = data.data.test_split()
    x_test = data.preprocessor.transform(test.X)

    def fit(record: TrialRecord) -> Any:
        if record.number not in fitted:  # a front trial from an earlier run
            fitted[record.number] = _fit(data, dict(record.params), 1.0, seed)
        return fitted[record.number]

    report = test_front(
        study,
        fit,
        x_test,
        test.y,
        sensitive_features=test.sensitive,
        metrics=["accuracy", "equalized_odds_difference"],
        trials=front,
        n_resamples=200,
        seed=seed,
    )
    echo(
        f"\nThe front on the held-out test split ({len(test)} rows; 95% bootstrap intervals, "
        "resampled within each sex):"
    )
    echo(f"  {'trial':>5}  {'accuracy':>24}  {'EO diff':>24}")
    for r in report.results:
        cells = []
        for key in ("accuracy", "equalized_odds_difference"):
            low, high = r.test.intervals[key]
            cells.append(f"{r.test[key]:.4f} [{low:.4f}, {high:.4f}]")
        echo(f"  {r.trial_number:>5}  {cells[0]:>24}  {cells[1]:>24}")
