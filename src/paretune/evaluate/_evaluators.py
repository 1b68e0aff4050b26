"""``classifier`` and ``regressor``: one call from a fitted model to a flat metrics dict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.evaluate import _inputs
from paretune.evaluate._fairness import CLASSIFIER_FAIRNESS
from paretune.evaluate._fairness import REGRESSOR_FAIRNESS
from paretune.evaluate._fairness import add_group_coverage
from paretune.evaluate._fairness import classifier_fairness
from paretune.evaluate._fairness import regressor_fairness
from paretune.evaluate._latency import LATENCY_METRICS
from paretune.evaluate._latency import LatencyProtocol
from paretune.evaluate._latency import measure_latency
from paretune.evaluate._predictive import CLASSIFIER_METRICS
from paretune.evaluate._predictive import REGRESSOR_METRICS
from paretune.evaluate._result import Evaluation
from paretune.evaluate._robustness import Robustness
from paretune.evaluate._robustness import robustness_scores
from paretune.exceptions import EvaluationInputError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_CLASSIFIER_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "roc_auc",
    "log_loss",
    "f1",
    "expected_calibration_error",
    "brier_score",
    "latency_p99_ms",
)
"""What :func:`classifier` reports when ``metrics`` is None (plus fairness with groups)."""

DEFAULT_REGRESSOR_METRICS = ("rmse", "mae", "r2", "latency_p99_ms")
"""What :func:`regressor` reports when ``metrics`` is None (plus fairness with groups)."""

_DEFAULT_FAIRNESS = (
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equal_opportunity_difference",
    "worst_group_accuracy",
)


def _check_names(names: Sequence[str], known: Sequence[str], kind: str) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise EvaluationInputError(
            f"Unknown {kind} metric(s) {unknown}; choose from {sorted(known)}."
        )


def _requested(
    metrics: Sequence[str] | None,
    default: Sequence[str],
    fair: Sequence[str],
    sensitive: pd.DataFrame | None,
) -> list[str]:
    if metrics is not None:
        if isinstance(metrics, str):
            raise EvaluationInputError(
                f"metrics must be a list of names, but got the string {metrics!r}; "
                f"write metrics=[{metrics!r}]."
            )
        return list(dict.fromkeys(metrics))
    return list(default) + (list(fair) if sensitive is not None else [])


def _need_groups(names: Sequence[str], fairness: Sequence[str], sensitive: Any) -> None:
    asked = [n for n in names if n in fairness]
    if asked and sensitive is None:
        raise EvaluationInputError(
            f"Fairness metric(s) {asked} need sensitive_features=...: one group label per row."
        )


def classifier(
    model: Any,
    X: Any,
    y: Any,
    *,
    sensitive_features: Any = None,
    metrics: Sequence[str] | None = None,
    threshold: float | None = None,
    robustness: Robustness | None = None,
    latency: LatencyProtocol | None = None,
    min_group_size: int = 30,
    full_group_table: bool = True,
) -> Evaluation:
    """Evaluate a fitted binary classifier on validation data.

    Args:
        model: Fitted estimator with ``predict`` (and ``predict_proba`` for probability
            metrics); a whole pipeline, so latency and size cover what serving runs. When
            its ``predict``/``predict_proba`` (a Pipeline's: its last step's) takes
            ``sensitive_features``, as :class:`paretune.mitigation.GroupThresholds` does,
            the groups are passed to it. A model that can abstain (one with ``coverage``
            and ``abstain_label``, as :class:`paretune.mitigation.Abstain`) is scored on
            the rows it decides: every other figure leaves out the abstained rows, and
            ``coverage`` reports their complement.
        X: Validation features (array or DataFrame).
        y: Validation labels, two classes; the larger label (1 for 0/1) is positive.
        sensitive_features: Group labels per row: a Series, array, DataFrame or dict of
            several features (the headline figures then use their intersection and each
            feature is reported under ``"<metric>[<feature>]"``).
        metrics: Names to report. Predictive: ``accuracy``, ``balanced_accuracy``,
            ``roc_auc``, ``log_loss``, ``f1``, ``precision``, ``recall``. Calibration:
            ``expected_calibration_error``, ``brier_score``. Fairness (fairlearn):
            ``demographic_parity_difference``/``_ratio``, ``equalized_odds_difference``/
            ``_ratio``, ``equal_opportunity_difference``/``_ratio``,
            ``accuracy_difference``, ``worst_group_accuracy``. Latency: see
            :data:`~paretune.evaluate.LATENCY_METRICS`. Robustness:
            ``worst_case_accuracy`` (adds each perturbation's accuracy too, on the rows
            decided). Abstention: ``coverage``, the share of rows not abstained (1.0 for a
            model that never abstains). None gives :data:`DEFAULT_CLASSIFIER_METRICS` plus
            four fairness figures with groups, and ``coverage`` for a model that abstains.
        threshold: Predict positive when the positive-class probability is at least this;
            None uses ``model.predict`` (with a threshold nothing is abstained).
        robustness: Perturbations and slices; implies ``worst_case_accuracy``.
        latency: Latency protocol (default :class:`LatencyProtocol()`). Latency is
            timed before the evaluation's own predictions, which could leave a native
            thread pool spinning into the timed calls.
        min_group_size: Groups smaller than this trigger a
            :class:`~paretune.exceptions.SmallGroupWarning`.
        full_group_table: Compute every per-group rate for ``by_group``; False computes
            only those the requested figures need (fairlearn spends tens of milliseconds
            per rate, which adds up inside a search loop).

    Returns:
        An :class:`Evaluation`: the flat metrics, ``by_group`` (per-group counts, accuracy,
        TPR, FPR, selection rate; for a model that abstains, of the covered rows, plus
        each group's ``coverage``) and ``details`` (the full latency report).

    Raises:
        EvaluationInputError: Misaligned lengths, a sensitive feature with one group, NaN
            predictions, a model without ``predict_proba`` when a metric needs it, an
            unknown metric, a non-binary label, or a model that abstained on every row.

    Examples:
        >>> from sklearn.linear_model import LogisticRegression
        >>> import numpy as np, paretune as pt
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(400, 3)); y = (X[:, 0] > 0).astype(int)
        >>> group = np.where(rng.random(400) < 0.5, "a", "b")
        >>> model = LogisticRegression().fit(X, y)
        >>> m = pt.evaluate.classifier(model, X, y, sensitive_features=group,
        ...                            metrics=["accuracy", "equalized_odds_difference"])
        >>> sorted(m)
        ['accuracy', 'equalized_odds_difference']
    """
    evaluation, _, _ = classify(
        model,
        X,
        y,
        sensitive_features=sensitive_features,
        metrics=metrics,
        threshold=threshold,
        robustness=robustness,
        latency=latency,
        min_group_size=min_group_size,
        full_group_table=full_group_table,
    )
    return evaluation


def classify(
    model: Any,
    X: Any,
    y: Any,
    *,
    sensitive_features: Any = None,
    metrics: Sequence[str] | None = None,
    threshold: float | None = None,
    robustness: Robustness | None = None,
    latency: LatencyProtocol | None = None,
    min_group_size: int = 30,
    full_group_table: bool = True,
) -> tuple[Evaluation, np.ndarray, np.ndarray | None]:
    """:func:`classifier`, also returning the 0/1 predictions and positive-class scores.

    For callers that score the same predictions again (the test-set bootstrap), so the
    model predicts once. The scores are None unless a metric or ``threshold`` needed them.
    Rows a model abstained on are 0 in the returned predictions.
    """
    n = _inputs.n_rows(X)
    y_raw = _inputs.labels(y, n)
    sensitive = _inputs.sensitive_frame(sensitive_features, n)
    names = _requested(metrics, DEFAULT_CLASSIFIER_METRICS, _DEFAULT_FAIRNESS, sensitive)
    abstains, abstain_label = _inputs.abstain_label(model)
    if metrics is None and abstains:
        names.append("coverage")
    if robustness is not None and "worst_case_accuracy" not in names:
        names.append("worst_case_accuracy")
    known = [
        *CLASSIFIER_METRICS,
        *CLASSIFIER_FAIRNESS,
        *LATENCY_METRICS,
        "worst_case_accuracy",
        "coverage",
    ]
    _check_names(names, known, "classifier")
    _need_groups(names, CLASSIFIER_FAIRNESS, sensitive)
    positive = _inputs.positive_label(y_raw)
    y01 = (y_raw == positive).astype(int)
    proba_needed = [
        n for n in names if n in CLASSIFIER_METRICS and CLASSIFIER_METRICS[n].needs_proba
    ]
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise EvaluationInputError(f"threshold must be in [0, 1], but got {threshold!r}.")
    timed, details = _latency_first(model, X, names, latency)

    def groups_for(method: str, features: Any) -> dict[str, Any]:
        # The rows' groups for a model that takes them; not for a slice of the rows.
        if _inputs.n_rows(features) != n:
            return {}
        return _inputs.group_params(model, method, sensitive_features)

    def predict01(features: Any) -> np.ndarray:
        """0/1 predictions, and -1 where the model abstained."""
        if threshold is not None:
            p = _inputs.scores(
                model, features, needed_by="threshold", **groups_for("predict_proba", features)
            )
            return np.asarray(p >= threshold, dtype=int)
        raw = np.asarray(model.predict(features, **groups_for("predict", features)))
        _inputs.finite(raw, "predict")
        out = np.asarray(raw == positive, dtype=int)
        if abstains:
            out[np.asarray(raw == abstain_label, dtype=bool)] = -1
        return out

    proba = None
    if proba_needed or threshold is not None:
        proba = _inputs.scores(
            model,
            X,
            needed_by=(proba_needed or ["threshold"])[0],
            **groups_for("predict_proba", X),
        )
    if threshold is not None and proba is not None:
        pred = (proba >= threshold).astype(int)
    else:
        pred = predict01(X)
    covered = pred >= 0
    if not covered.any():
        raise EvaluationInputError(
            f"{type(model).__name__} abstained on all {n} rows, so no metric can be "
            "computed; lower its abstention threshold."
        )
    rows = slice(None) if covered.all() else covered  # abstained rows leave every figure
    out: dict[str, float] = {"coverage": float(covered.mean())} if "coverage" in names else {}
    out.update(
        {
            n: float(CLASSIFIER_METRICS[n].compute(y01[rows], pred[rows], _rows(proba, rows)))
            for n in names
            if n in CLASSIFIER_METRICS
        }
    )
    groups: dict[str, Any] = {}
    if sensitive is not None:
        fair = [n for n in names if n in CLASSIFIER_FAIRNESS]
        figures, groups = classifier_fairness(
            y01[rows],
            pred[rows],
            sensitive if covered.all() else sensitive[covered].reset_index(drop=True),
            fair,
            full_table=full_group_table,
            min_group_size=min_group_size,
        )
        out.update(figures)
        if abstains:
            add_group_coverage(groups, covered, sensitive)
    if "worst_case_accuracy" in names:
        out.update(
            robustness_scores(
                X,
                y01,
                predict01,
                _covered_accuracy,
                robustness or Robustness(),
                name="accuracy",
                higher_is_better=True,
            )
        )
    out.update(timed)
    return Evaluation(out, by_group=groups, details=details), np.maximum(pred, 0), proba


def _rows(values: np.ndarray | None, rows: Any) -> np.ndarray | None:
    return None if values is None else values[rows]


def _covered_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    """Accuracy on the rows the model decided (``pred`` is -1 where it abstained)."""
    decided = pred >= 0
    return float(np.mean(y[decided] == pred[decided])) if decided.any() else 0.0


def regressor(
    model: Any,
    X: Any,
    y: Any,
    *,
    sensitive_features: Any = None,
    metrics: Sequence[str] | None = None,
    robustness: Robustness | None = None,
    latency: LatencyProtocol | None = None,
    min_group_size: int = 30,
) -> Evaluation:
    """Evaluate a fitted regressor on validation data.

    Args:
        model: Fitted estimator with ``predict``.
        X: Validation features.
        y: Validation targets.
        sensitive_features: Group labels per row (as in :func:`classifier`).
        metrics: ``rmse``, ``mae``, ``r2``; fairness ``mae_difference`` (largest gap in
            MAE between groups) and ``worst_group_mae``; latency names; robustness
            ``worst_case_rmse``. None gives :data:`DEFAULT_REGRESSOR_METRICS` plus both
            fairness figures with groups.
        robustness: Perturbations and slices; implies ``worst_case_rmse``.
        latency: Latency protocol.
        min_group_size: Groups smaller than this trigger a ``SmallGroupWarning``.

    Returns:
        An :class:`Evaluation` with per-group counts and MAE in ``by_group``.

    Raises:
        EvaluationInputError: As for :func:`classifier`.
    """
    n = _inputs.n_rows(X)
    y_true = _inputs.labels(y, n).astype(float)
    sensitive = _inputs.sensitive_frame(sensitive_features, n)
    names = _requested(metrics, DEFAULT_REGRESSOR_METRICS, REGRESSOR_FAIRNESS, sensitive)
    if robustness is not None and "worst_case_rmse" not in names:
        names.append("worst_case_rmse")
    known = [*REGRESSOR_METRICS, *REGRESSOR_FAIRNESS, *LATENCY_METRICS, "worst_case_rmse"]
    _check_names(names, known, "regressor")
    _need_groups(names, REGRESSOR_FAIRNESS, sensitive)
    timed, details = _latency_first(model, X, names, latency)

    def predict(features: Any) -> np.ndarray:
        values = np.asarray(model.predict(features), dtype=float)
        _inputs.finite(values, "predict")
        return values

    pred = predict(X)
    out = {m: float(REGRESSOR_METRICS[m](y_true, pred)) for m in names if m in REGRESSOR_METRICS}
    groups: dict[str, Any] = {}
    if sensitive is not None:
        fair = [m for m in names if m in REGRESSOR_FAIRNESS]
        figures, groups = regressor_fairness(
            y_true, pred, sensitive, fair, min_group_size=min_group_size
        )
        out.update(figures)
    if "worst_case_rmse" in names:
        out.update(
            robustness_scores(
                X,
                y_true,
                predict,
                REGRESSOR_METRICS["rmse"],
                robustness or Robustness(),
                name="rmse",
                higher_is_better=False,
            )
        )
    out.update(timed)
    return Evaluation(out, by_group=groups, details=details)


def _latency_first(
    model: Any, X: Any, names: Sequence[str], protocol: LatencyProtocol | None
) -> tuple[dict[str, float], dict[str, Any]]:
    """The latency figures asked for, and the details holding their full report.

    Measured before the evaluation's own predictions: a batch prediction can leave a
    native thread pool spinning for about 0.1 s (OpenBLAS), which the protocol's settle
    step would then wait out, or, with ``settle_seconds=0``, time through.
    """
    asked = [n for n in names if n in LATENCY_METRICS]
    if not asked:
        return {}, {}
    if "peak_memory_mb" in asked and not (protocol and protocol.measure_memory):
        protocol = LatencyProtocol(
            **{**(protocol or LatencyProtocol()).__dict__, "measure_memory": True}
        )
    report = measure_latency(model, X, protocol, only=asked)
    return {n: report[n] for n in asked}, {"latency": report}
