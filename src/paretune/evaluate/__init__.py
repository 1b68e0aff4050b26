"""The evaluation layer: fairness, robustness, latency and calibration of a fitted model.

One call turns a fitted model and validation data into a flat metrics dict that goes
straight into ``trial.report`` or ``study.tell``; fairness figures are fairlearn's own.
scikit-learn and fairlearn load on first use (``pip install 'paretune[eval]'``).

Examples:
    >>> import numpy as np, paretune as pt
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2)); y = (X[:, 0] > 0).astype(int)
    >>> m = pt.evaluate.classifier(LogisticRegression().fit(X, y), X, y, metrics=["accuracy"])
    >>> m["accuracy"] > 0.9
    True
"""

from paretune.evaluate._calibration import brier_score as brier_score
from paretune.evaluate._calibration import expected_calibration_error as expected_calibration_error
from paretune.evaluate._cross_validation import cross_validate as cross_validate
from paretune.evaluate._evaluators import DEFAULT_CLASSIFIER_METRICS as DEFAULT_CLASSIFIER_METRICS
from paretune.evaluate._evaluators import DEFAULT_REGRESSOR_METRICS as DEFAULT_REGRESSOR_METRICS
from paretune.evaluate._evaluators import classifier as classifier
from paretune.evaluate._evaluators import regressor as regressor
from paretune.evaluate._fairness import CLASSIFIER_FAIRNESS as CLASSIFIER_FAIRNESS
from paretune.evaluate._fairness import REGRESSOR_FAIRNESS as REGRESSOR_FAIRNESS
from paretune.evaluate._folds import stratified_folds as stratified_folds
from paretune.evaluate._intervals import repeat as repeat
from paretune.evaluate._latency import LATENCY_METRICS as LATENCY_METRICS
from paretune.evaluate._latency import LatencyProtocol as LatencyProtocol
from paretune.evaluate._latency import measure_latency as measure_latency
from paretune.evaluate._result import Evaluation as Evaluation
from paretune.evaluate._robustness import Robustness as Robustness
from paretune.evaluate._robustness import perturbations as perturbations

__all__ = [
    "CLASSIFIER_FAIRNESS",
    "DEFAULT_CLASSIFIER_METRICS",
    "DEFAULT_REGRESSOR_METRICS",
    "LATENCY_METRICS",
    "REGRESSOR_FAIRNESS",
    "Evaluation",
    "LatencyProtocol",
    "Robustness",
    "brier_score",
    "classifier",
    "cross_validate",
    "expected_calibration_error",
    "measure_latency",
    "perturbations",
    "regressor",
    "repeat",
    "stratified_folds",
]
