"""Scorers as objectives: parsing ``scoring``, and fairness scorers that take groups.

A scorer is called as ``scorer(estimator, X, y, **metadata)`` and returns one number, as in
scikit-learn. Its direction comes from its ``greater_is_better`` attribute when it has one
(the scorers of :func:`fairness_scorer` do); every other scorer follows scikit-learn's
convention that greater is better, including the ``neg_*`` scorers, which return negated
losses.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from paretune.evaluate import CLASSIFIER_FAIRNESS
from paretune.objectives import Direction

__all__ = ["RESERVED", "FairnessScorer", "Scoring", "fairness_scorer", "parse_scoring"]

Scorer = Callable[..., Any]
"""``scorer(estimator, X, y, **metadata) -> float``."""

RESERVED = ("fit_time", "score_time")
"""Metric names every trial reports (means over the folds); no scorer may take them."""


class FairnessScorer:
    """A fairness figure of a fitted binary classifier on the rows it is scored on.

    Made by :func:`fairness_scorer`. Called as ``scorer(estimator, X, y,
    sensitive_features=groups)``, it predicts ``X`` and returns the figure computed by
    fairlearn (through :func:`paretune.evaluate.classifier`) for the groups of those rows.
    It asks scikit-learn's metadata routing for ``sensitive_features`` in its ``score``
    method, so a search routes the groups of each test fold to it.

    Attributes:
        metric: The fairness figure's name.
        threshold: Predict the positive class when its probability is at least this;
            None uses the estimator's ``predict``.
        greater_is_better: False for differences (minimised), True for ratios and
            ``worst_group_accuracy`` (maximised).
    """

    def __init__(self, metric: str, *, threshold: float | None = None) -> None:
        if metric not in CLASSIFIER_FAIRNESS:
            raise ValueError(
                f"Unknown fairness metric {metric!r}; choose from {list(CLASSIFIER_FAIRNESS)}."
            )
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ValueError(f"`threshold` must lie in [0, 1] or be None, got {threshold!r}.")
        self.metric = metric
        self.threshold = threshold
        self._alias: bool | str | None = True

    @property
    def greater_is_better(self) -> bool:
        """Whether larger values are fairer (ratios, worst-group accuracy)."""
        return not self.metric.endswith("_difference")

    def __call__(
        self, estimator: Any, X: Any, y_true: Any, *, sensitive_features: Any = None
    ) -> float:
        """The figure for ``estimator`` on ``(X, y_true)`` and the rows' groups.

        Raises:
            ValueError: Without ``sensitive_features`` (the message says how to pass them),
                or on anything :func:`paretune.evaluate.classifier` rejects.
        """
        from paretune.evaluate import classifier

        if sensitive_features is None:
            raise ValueError(
                f"The fairness scorer for {self.metric!r} needs the rows' groups: pass "
                "sensitive_features=... to the search's fit (ParetoSearchCV routes it to the "
                "scorer fold by fold), or to the scorer itself."
            )
        evaluation = classifier(
            estimator,
            X,
            y_true,
            sensitive_features=sensitive_features,
            metrics=[self.metric],
            threshold=self.threshold,
            min_group_size=0,
            full_group_table=False,
        )
        return float(evaluation[self.metric])

    def set_score_request(self, *, sensitive_features: bool | str | None = True) -> FairnessScorer:
        """Say which metadata of the caller's ``fit`` holds the groups.

        Unlike scikit-learn's own scorers, this works whether or not metadata routing is
        enabled.

        Args:
            sensitive_features: True (the default request) takes the metadata named
                ``sensitive_features``; a string takes metadata of that name instead (say
                ``"race"``); False or None turn the request off.

        Returns:
            The scorer itself.
        """
        self._alias = sensitive_features
        return self

    def get_metadata_routing(self) -> Any:
        """The scorer's request: ``sensitive_features`` (or its alias) in ``score``."""
        from sklearn.utils.metadata_routing import MetadataRequest

        request = MetadataRequest(owner=self)
        request.score.add_request(param="sensitive_features", alias=self._alias)
        return request

    def _routing_repr(self) -> str:
        return repr(self)

    def __repr__(self) -> str:
        extra = "" if self.threshold is None else f", threshold={self.threshold!r}"
        return f"fairness_scorer({self.metric!r}{extra})"


def fairness_scorer(metric: str, *, threshold: float | None = None) -> FairnessScorer:
    """A scorer for a fairness figure that takes the groups through metadata routing.

    Put it in ``ParetoSearchCV(scoring={...})`` and pass the groups to ``fit``: ``search.fit(X,
    y, sensitive_features=groups)``. The search cuts ``groups`` with the folds, so each
    fold's figure is computed on that fold's test rows and their own groups. The same scorer
    works in scikit-learn's searches and ``cross_validate`` once metadata routing is
    enabled (``sklearn.set_config(enable_metadata_routing=True)``); note that those treat
    every score as greater-is-better when ranking.

    Args:
        metric: One of :data:`paretune.evaluate.CLASSIFIER_FAIRNESS`, e.g.
            ``"equalized_odds_difference"``. Differences are minimised; ratios and
            ``worst_group_accuracy`` are maximised.
        threshold: Predict the positive class when its probability is at least this;
            None uses the estimator's ``predict``.

    Returns:
        The scorer.

    Raises:
        ValueError: On an unknown metric or a threshold outside ``[0, 1]``.

    Examples:
        >>> from paretune.sklearn import fairness_scorer
        >>> scorer = fairness_scorer("equalized_odds_difference")
        >>> scorer.greater_is_better
        False
    """
    return FairnessScorer(metric, threshold=threshold)


@dataclass(frozen=True)
class Scoring:
    """The parsed ``scoring`` of a search.

    Attributes:
        scorers: Objective name -> scorer, in the order given.
        directions: Objective name -> its direction.
        multimetric: True when ``scoring`` was a dict or list (results are keyed by the
            given names); False for one scorer (keyed ``"score"``).
    """

    scorers: dict[str, Scorer]
    directions: dict[str, Direction]
    multimetric: bool

    @property
    def first(self) -> str:
        """The name of the first scorer (``best_score_`` and ``score`` use it)."""
        return next(iter(self.scorers))


def _direction(scorer: Scorer) -> Direction:
    better = getattr(scorer, "greater_is_better", True)
    return Direction.MAXIMIZE if better else Direction.MINIMIZE


def _one(name: str, value: Any, estimator: Any) -> Scorer:
    from sklearn.metrics import check_scoring
    from sklearn.metrics import get_scorer

    if isinstance(value, str):
        return get_scorer(value)  # type: ignore[no-any-return]
    if value is None:
        return check_scoring(estimator)  # type: ignore[no-any-return]
    if callable(value):
        scorer: Scorer = value
        return scorer
    raise TypeError(
        f"The scorer for {name!r} must be a scorer name such as 'accuracy' or a callable "
        f"scorer(estimator, X, y), got {value!r}."
    )


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"Scorer names must be non-empty strings, got {name!r}.")
    if name in RESERVED:
        raise ValueError(
            f"The scorer name {name!r} is reserved: every trial reports {list(RESERVED)} "
            "(means over the folds); name the scorer differently."
        )
    return name


def parse_scoring(scoring: Any, estimator: Any) -> Scoring:
    """Turn ``scoring`` into named scorers with directions.

    Args:
        scoring: A dict name -> scorer name or callable; a list of scorer names; one scorer
            name or callable (named ``"score"``); or None (the estimator's own ``score``).
        estimator: The search's estimator, for None.

    Returns:
        The parsed :class:`Scoring`.

    Raises:
        ValueError: On an unknown scorer name, an empty or duplicated list, or a reserved
            or empty objective name.
        TypeError: On a scorer that is neither a name nor callable.
    """
    if isinstance(scoring, Mapping):
        if not scoring:
            raise ValueError("`scoring` must name at least one scorer, got an empty dict.")
        scorers = {_check_name(k): _one(k, v, estimator) for k, v in scoring.items()}
        multimetric = True
    elif isinstance(scoring, (list, tuple, set, frozenset)):
        names = list(scoring)
        if not names or len(set(names)) != len(names):
            raise ValueError(f"A list `scoring` must hold distinct scorer names, got {scoring!r}.")
        if not all(isinstance(n, str) for n in names):
            raise ValueError(
                f"A list `scoring` must hold scorer names; use a dict name -> scorer for "
                f"callables, got {scoring!r}."
            )
        scorers = {_check_name(n): _one(n, n, estimator) for n in names}
        multimetric = True
    else:
        scorers = {"score": _one("score", scoring, estimator)}
        multimetric = False
    directions = {name: _direction(s) for name, s in scorers.items()}
    return Scoring(scorers, directions, multimetric)
