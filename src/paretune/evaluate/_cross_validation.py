"""``cross_validate``: a classifier scored on stratified folds, summarised with intervals."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from paretune.evaluate._evaluators import _DEFAULT_FAIRNESS
from paretune.evaluate._evaluators import DEFAULT_CLASSIFIER_METRICS
from paretune.evaluate._evaluators import _check_names
from paretune.evaluate._evaluators import _requested
from paretune.evaluate._evaluators import classifier
from paretune.evaluate._fairness import CLASSIFIER_FAIRNESS
from paretune.evaluate._folds import resolve_data
from paretune.evaluate._folds import stratified_folds
from paretune.evaluate._folds import take
from paretune.evaluate._folds import warn_small_groups
from paretune.evaluate._intervals import _check_confidence
from paretune.evaluate._intervals import t_summary
from paretune.evaluate._latency import LATENCY_METRICS
from paretune.evaluate._latency import LatencyProtocol
from paretune.evaluate._predictive import CLASSIFIER_METRICS
from paretune.evaluate._result import Evaluation
from paretune.exceptions import EvaluationInputError


def model_factory(make_model: Callable[..., Any]) -> Callable[[int], Any]:
    """``seed -> unfitted model`` from a factory taking no argument or the seed.

    A factory with one required positional parameter is called with the seed; one with
    none (a lambda, or an estimator class such as ``LogisticRegression``) without it.

    Raises:
        TypeError: When ``make_model`` is not callable or requires more than one argument.
    """
    if not callable(make_model):
        raise TypeError(
            "make_model must be a callable returning an unfitted model, but got a "
            f"{type(make_model).__name__}; wrap it: make_model=lambda: <your estimator>."
        )
    try:
        parameters = inspect.signature(make_model).parameters.values()
    except (TypeError, ValueError):  # no signature to read (some builtins): call it bare
        return lambda seed: make_model()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [
        p.name for p in parameters if p.kind in positional and p.default is inspect.Parameter.empty
    ]
    if not required:
        return lambda seed: make_model()
    if len(required) == 1:
        return lambda seed: make_model(seed)
    raise TypeError(f"make_model must take no argument or one (the seed), but requires {required}.")


def check_metrics(names: Sequence[str], with_groups: bool) -> None:
    """Raise before any fitting when a name is unknown to :func:`classifier`, or a fairness
    metric is asked for without groups.

    Raises:
        EvaluationInputError: Naming the metrics and the fix.
    """
    known = [*CLASSIFIER_METRICS, *CLASSIFIER_FAIRNESS, *LATENCY_METRICS]
    _check_names(names, known, "classifier")
    fair = [n for n in names if n in CLASSIFIER_FAIRNESS]
    if fair and not with_groups:
        raise EvaluationInputError(
            f"Fairness metric(s) {fair} need groups: pass sensitive_features=... (one group "
            "label per row) or a Split whose sensitive table has them, or drop the metrics."
        )


def cross_validate(
    make_model: Callable[..., Any],
    data: Any,
    *,
    cv: int = 5,
    metrics: Sequence[str] | None = None,
    sensitive_features: Any = None,
    seed: int = 0,
    confidence: float = 0.95,
    latency: LatencyProtocol | None = None,
    threshold: float | None = None,
    min_group_size: int = 30,
    full_group_table: bool = True,
) -> Evaluation:
    """Score a classifier by stratified k-fold cross-validation, with intervals.

    The rows are split by :func:`stratified_folds` (label x sensitive group, shuffled with
    ``seed``). For each fold a fresh model from ``make_model`` is fitted on the other
    folds and scored on it by :func:`classifier` (fairness through fairlearn, as there).
    Latency figures are measured once, on the last fold's model and test rows, not per
    fold: they describe the model's cost, which the folds barely change, and each
    measurement takes about a second.

    Args:
        make_model: Returns an unfitted scikit-learn classifier (a whole pipeline), called
            once per fold. Either takes no argument (``lambda: LogisticRegression(C=c)``,
            or the class itself) or takes the seed (``lambda seed:
            RandomForestClassifier(random_state=seed)``), which is ``seed`` in every fold,
            as cloning one estimator would give.
        data: A :class:`paretune.datasets.Split` (or any object with ``X``, ``y`` and
            ``sensitive``), or an ``(X, y)`` tuple.
        cv: Number of folds, from 2 to the rarest label's count.
        metrics: Names as for :func:`classifier`; None gives its defaults (which include
            ``latency_p99_ms``, plus four fairness figures with groups).
        sensitive_features: Group labels per row; with a Split they replace
            ``data.sensitive``.
        seed: Seed of the fold shuffle, and the seed given to ``make_model``.
        confidence: Level of the Student-t interval of each mean over the folds.
        latency: Latency protocol for the one measurement.
        threshold: Predict positive when the positive-class probability is at least this.
        min_group_size: Groups with fewer rows than this in some test fold trigger one
            :class:`~paretune.exceptions.SmallGroupWarning` for the whole call.
        full_group_table: As for :func:`classifier`.

    Returns:
        An :class:`Evaluation` of the mean of each metric over the folds, plus
        ``<metric>_std`` (sample standard deviation over the folds); latency figures are
        the one measurement's, without ``_std``. ``intervals`` holds the Student-t
        interval of each mean (as :func:`repeat` computes it). ``details`` holds
        ``"folds"`` (each fold's metrics), ``"fold_by_group"`` (each fold's per-group
        table), ``"fold_sizes"`` (test rows per fold), ``"cv"``, ``"seed"``,
        ``"confidence"`` and, with latency figures, ``"latency"`` (the full report).

    Raises:
        EvaluationInputError: (a ``ValueError``) On ``cv`` below 2 or above the rarest
            label's count, a fairness metric without sensitive features, an unknown
            metric, misaligned inputs, or anything :func:`classifier` rejects.
        TypeError: When ``make_model`` is not a factory of no argument or of the seed.
        ValueError: When ``confidence`` is not in (0, 1).

    Examples:
        >>> import numpy as np, paretune as pt
        >>> from sklearn.linear_model import LogisticRegression
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(300, 2)); y = (X[:, 0] > 0).astype(int)
        >>> m = pt.evaluate.cross_validate(LogisticRegression, (X, y), cv=3,
        ...                                metrics=["accuracy"])
        >>> sorted(m), len(m.details["folds"]), m.intervals["accuracy"][0] <= m["accuracy"]
        (['accuracy', 'accuracy_std'], 3, True)
    """
    _check_confidence(confidence)
    build = model_factory(make_model)
    X, y, sensitive = resolve_data(data, sensitive_features)
    names = _requested(metrics, DEFAULT_CLASSIFIER_METRICS, _DEFAULT_FAIRNESS, sensitive)
    check_metrics(names, sensitive is not None)
    folds = stratified_folds(y, sensitive, cv=cv, seed=seed)
    timed = [n for n in names if n in LATENCY_METRICS]
    scored = [n for n in names if n not in LATENCY_METRICS]
    evaluations = []
    for k, (train, test) in enumerate(folds):
        model = build(seed)
        model.fit(take(X, train), y[train])
        evaluations.append(
            classifier(
                model,
                take(X, test),
                y[test],
                sensitive_features=None if sensitive is None else sensitive.iloc[test],
                metrics=scored + (timed if k == len(folds) - 1 else []),
                threshold=threshold,
                latency=latency,
                min_group_size=0,  # warned once below, not once per fold
                full_group_table=full_group_table,
            )
        )
    fold_metrics = [{n: e[n] for n in e if n not in timed} for e in evaluations]
    fold_groups = [e.by_group for e in evaluations]
    warn_small_groups(fold_groups, min_group_size)
    summary, intervals = t_summary(fold_metrics, confidence)
    last = evaluations[-1]
    summary.update({n: last[n] for n in timed})
    details: dict[str, Any] = {
        "folds": fold_metrics,
        "fold_by_group": fold_groups,
        "fold_sizes": [len(test) for _, test in folds],
        "cv": int(cv),
        "seed": seed,
        "confidence": confidence,
    }
    if "latency" in last.details:
        details["latency"] = last.details["latency"]
    return Evaluation(summary, intervals=intervals, details=details)
