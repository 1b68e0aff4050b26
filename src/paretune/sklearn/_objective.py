"""One trial of the search: suggest a configuration, fit and score it on every fold."""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np

from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.distributions import FloatDistribution
from paretune.distributions import IntDistribution
from paretune.sklearn._folds import Folds
from paretune.sklearn._folds import Resource
from paretune.sklearn._routing import Routed
from paretune.sklearn._routing import fold_rows
from paretune.sklearn._scoring import Scoring
from paretune.trial import Trial

__all__ = ["CVObjective", "FitFailures", "check_space", "fold_mean", "suggest"]


def fold_mean(values: Sequence[float]) -> float:
    """The mean over folds, computed one way everywhere (objective and ``cv_results_``)."""
    return float(np.mean(np.asarray(values, dtype=np.float64)))


def check_space(space: Any, estimator: Any) -> dict[str, Distribution]:
    """``param_distributions`` as name -> distribution; a list or tuple is categorical.

    Raises:
        ValueError: On an empty space or a name the estimator lacks (the message lists its
            parameters).
        TypeError: On a value that is neither a paretune distribution nor a list of choices.
    """
    if not isinstance(space, Mapping) or not space:
        raise ValueError(
            "`param_distributions` must be a non-empty dict of parameter name -> "
            "distribution, such as {'C': pt.distributions.FloatDistribution(1e-3, 1e2, "
            f"log=True)}}, got {space!r}."
        )
    valid = estimator.get_params(deep=True)
    parsed: dict[str, Distribution] = {}
    for name, dist in space.items():
        if name not in valid:
            raise ValueError(
                f"{name!r} is not a parameter of {type(estimator).__name__}; choose from "
                f"{sorted(valid)}."
            )
        if isinstance(dist, (list, tuple)):
            dist = CategoricalDistribution(tuple(dist))
        if not isinstance(dist, (FloatDistribution, IntDistribution, CategoricalDistribution)):
            raise TypeError(
                f"The distribution of {name!r} must be a paretune distribution "
                "(pt.distributions.FloatDistribution, IntDistribution or "
                f"CategoricalDistribution) or a list of choices, got {dist!r}."
            )
        parsed[name] = dist
    return parsed


def suggest(trial: Trial, space: Mapping[str, Distribution]) -> dict[str, Any]:
    """Suggest every parameter of ``space`` through ``trial``, in order."""
    params: dict[str, Any] = {}
    for name, dist in space.items():
        if isinstance(dist, FloatDistribution):
            params[name] = trial.suggest_float(
                name, dist.low, dist.high, log=dist.log, step=dist.step
            )
        elif isinstance(dist, IntDistribution):
            params[name] = trial.suggest_int(
                name, dist.low, dist.high, log=dist.log, step=dist.step
            )
        else:
            params[name] = trial.suggest_categorical(name, dist.choices)
    return params


@dataclass
class FitFailures:
    """Failed fits that ``error_score`` replaced by a number, counted by error (threads
    share one)."""

    fits: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, failed: str | None) -> None:
        """Count one fit, failed with ``failed`` (its one-line description) or not."""
        with self.lock:
            self.fits += 1
            if failed is not None:
                self.errors[failed] += 1


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass
class CVObjective:
    """The objective ``study.optimize`` runs: metrics of one configuration over the folds.

    Each trial reports, per objective ``name``, the mean test score over the folds under
    ``name``, each fold's under ``split<k>_test_<name>`` (and ``split<k>_train_<name>``
    with train scores), and the mean and per-fold ``fit_time`` and ``score_time``.

    A fit or score that raises fails the trial (the exception propagates) unless
    ``error_score`` is a number, which then stands for every score of that fold.
    """

    estimator: Any
    space: Mapping[str, Distribution]
    X: Any
    y: Any
    folds: Folds
    scoring: Scoring
    routed: Routed
    error_score: Any
    return_train_score: bool
    resource: Resource | None
    orders: list[np.ndarray]
    failures: FitFailures = field(default_factory=FitFailures)

    @property
    def _numeric_error_score(self) -> bool:
        score = self.error_score
        return not isinstance(score, str) and not (isinstance(score, float) and math.isnan(score))

    def __call__(self, trial: Trial) -> dict[str, float]:
        """Fit and score the trial's configuration on every fold."""
        params = suggest(trial, self.space)
        budget = trial.budget
        folds = [self._fold(k, params, budget) for k in range(len(self.folds))]
        metrics: dict[str, float] = {}
        for key in folds[0]:
            for k, fold in enumerate(folds):
                metrics[f"split{k}_{key}"] = fold[key]
        for name in self.scoring.scorers:
            metrics[name] = fold_mean([f[f"test_{name}"] for f in folds])
        for key in ("fit_time", "score_time"):
            metrics[key] = fold_mean([f[key] for f in folds])
        objectives = set(self.scoring.scorers)
        return {k: v for k, v in metrics.items() if k in objectives or math.isfinite(v)}

    def _fold(self, k: int, params: Mapping[str, Any], budget: float | None) -> dict[str, float]:
        from sklearn.base import clone
        from sklearn.utils import _safe_indexing

        train, test = self.folds[k]
        settings = dict(params)
        if self.resource is not None:
            if self.resource.param is None:
                train = self.resource.train_rows(self.orders[k], budget)
            else:
                settings[self.resource.param] = budget
        n = len(self.X) if not hasattr(self.X, "shape") else int(self.X.shape[0])
        y_train = None if self.y is None else _safe_indexing(self.y, train)
        started = time.perf_counter()
        try:
            model = clone(self.estimator).set_params(**settings)
            model.fit(
                _safe_indexing(self.X, train), y_train, **fold_rows(self.routed.fit, train, n)
            )
            fit_time = time.perf_counter() - started
            scored = time.perf_counter()
            out = self._scores(model, test, n, "test")
            score_time = time.perf_counter() - scored
            if self.return_train_score:
                out.update(self._scores(model, train, n, "train"))
        except Exception as exc:
            if not self._numeric_error_score:
                raise
            self.failures.count(_describe(exc))
            fit_time, score_time = time.perf_counter() - started, 0.0
            value = float(self.error_score)
            kinds = ("test", "train") if self.return_train_score else ("test",)
            out = {f"{kind}_{name}": value for kind in kinds for name in self.scoring.scorers}
        else:
            self.failures.count(None)
        return {**out, "fit_time": fit_time, "score_time": score_time}

    def _scores(self, model: Any, rows: np.ndarray, n: int, kind: str) -> dict[str, float]:
        from sklearn.utils import _safe_indexing

        X = _safe_indexing(self.X, rows)
        y = None if self.y is None else _safe_indexing(self.y, rows)
        return {
            f"{kind}_{name}": float(
                scorer(model, X, y, **fold_rows(self.routed.score[name], rows, n))
            )
            for name, scorer in self.scoring.scorers.items()
        }
