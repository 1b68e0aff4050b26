"""The final, explicit step: evaluate a study's Pareto set on the held-out test split."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from paretune.evaluate import _inputs
from paretune.evaluate._bootstrap import CountScorer
from paretune.evaluate._evaluators import classify
from paretune.evaluate._intervals import bootstrap_intervals
from paretune.evaluate._result import Evaluation

if TYPE_CHECKING:
    import pandas as pd

    from paretune.study import Study
    from paretune.trial import TrialRecord

TEST_EVALUATION_KEY = "test_evaluation"
"""Study user attribute under which :func:`test_front` stores its results."""


@dataclass(frozen=True)
class TestResult:
    """One Pareto-set trial's validation metrics beside its test metrics.

    Attributes:
        trial_number: The trial.
        params: Its parameters.
        validation: The metrics the study saw during search.
        test: Metrics on the test split, with bootstrap ``intervals``.
    """

    __test__ = False  # not a pytest test class despite its name

    trial_number: int
    params: dict[str, Any]
    validation: dict[str, float]
    test: Evaluation


@dataclass(frozen=True)
class TestReport:
    """:func:`test_front`'s results, one row per trial of the Pareto set."""

    __test__ = False

    results: tuple[TestResult, ...]
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """One row per trial: ``val_<m>``, ``test_<m>``, ``test_<m>_low``/``_high``."""
        import pandas as pd

        rows = []
        for r in self.results:
            row: dict[str, Any] = {"trial": r.trial_number}
            row.update({f"val_{k}": v for k, v in r.validation.items()})
            for key, value in r.test.items():
                row[f"test_{key}"] = value
                if key in r.test.intervals:
                    row[f"test_{key}_low"], row[f"test_{key}_high"] = r.test.intervals[key]
            rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self) -> list[dict[str, Any]]:
        """JSON-ready rows (what :func:`test_front` stores on the study)."""
        return [
            {
                "trial": r.trial_number,
                "params": r.params,
                "validation": r.validation,
                "test": dict(r.test),
                "intervals": {k: list(v) for k, v in r.test.intervals.items()},
                "confidence": self.confidence,
            }
            for r in self.results
        ]


def study_metrics(study: Study, *, with_groups: bool) -> list[str]:
    """The study's objective and constraint metrics that :func:`classifier` knows, in
    order; when there are none, its defaults (with the fairness ones if ``with_groups``)."""
    from paretune.evaluate._evaluators import _DEFAULT_FAIRNESS
    from paretune.evaluate._evaluators import DEFAULT_CLASSIFIER_METRICS
    from paretune.evaluate._fairness import CLASSIFIER_FAIRNESS
    from paretune.evaluate._latency import LATENCY_METRICS
    from paretune.evaluate._predictive import CLASSIFIER_METRICS

    known = {*CLASSIFIER_METRICS, *CLASSIFIER_FAIRNESS, *LATENCY_METRICS}
    declared = [o.name for o in study.objectives] + [c.metric for c in study.constraints]
    chosen = [m for m in dict.fromkeys(declared) if m in known]
    if chosen:
        return chosen
    return list(DEFAULT_CLASSIFIER_METRICS) + (list(_DEFAULT_FAIRNESS) if with_groups else [])


def test_front(
    study: Study,
    fit: Callable[[TrialRecord], Any],
    X_test: Any,
    y_test: Any,
    *,
    sensitive_features: Any = None,
    metrics: Sequence[str] | None = None,
    trials: Sequence[TrialRecord] | None = None,
    n_resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    store: bool = True,
) -> TestReport:
    """Evaluate the chosen Pareto set on test data, with bootstrap confidence intervals.

    Call it once, after the search: the test rows never reach the study's metrics or its
    sampler. Each trial's model comes from ``fit(record)`` (refit it, or load the trial's
    checkpoint); predictions are made once, and the rows are resampled within each
    sensitive group ``n_resamples`` times to give percentile intervals for every
    predictive, calibration and fairness figure (latency is measured once).

    Args:
        study: The finished study.
        fit: Trial record -> fitted classifier (the same kind of model the objective
            scored; it should apply any tuned decision threshold itself).
        X_test: Test features.
        y_test: Test labels.
        sensitive_features: Test group labels (as for :func:`classifier`).
        metrics: Names as for :func:`classifier`; by default the study's objective and
            constraint metrics that :func:`classifier` knows.
        trials: Which trials; default ``study.pareto_front()``.
        n_resamples: Bootstrap resamples.
        confidence: Interval level.
        seed: Bootstrap seed.
        store: Also store the rows on the study (user attribute ``"test_evaluation"``).

    Returns:
        A :class:`TestReport`.
    """
    from paretune.evaluate._fairness import CLASSIFIER_FAIRNESS
    from paretune.evaluate._predictive import CLASSIFIER_METRICS

    chosen = list(study.pareto_front() if trials is None else trials)
    if metrics is None:
        metrics = study_metrics(study, with_groups=sensitive_features is not None)
    n = _inputs.n_rows(X_test)
    y_raw = _inputs.labels(y_test, n, what="y_test")
    sensitive = _inputs.sensitive_frame(sensitive_features, n)
    strata = None if sensitive is None else sensitive.apply(" & ".join, axis=1).to_numpy()
    positive = _inputs.positive_label(y_raw)
    y01 = (y_raw == positive).astype(int)
    rescored = [m for m in metrics if m in CLASSIFIER_METRICS or m in CLASSIFIER_FAIRNESS]
    results = []
    for record in chosen:
        model = fit(record)
        point, pred, proba = classify(
            model, X_test, y_raw, sensitive_features=sensitive_features, metrics=list(metrics)
        )

        intervals = bootstrap_intervals(
            CountScorer(y01, pred, proba, sensitive, rescored),
            n,
            n_resamples=n_resamples,
            confidence=confidence,
            seed=seed,
            strata=strata,
        )
        test = Evaluation(
            point, by_group=point.by_group, intervals=intervals, details=point.details
        )
        results.append(TestResult(record.number, dict(record.params), dict(record.metrics), test))
    report = TestReport(tuple(results), confidence)
    if store:
        study.set_user_attr(TEST_EVALUATION_KEY, report.to_json())
    return report
