"""scikit-learn integration: :class:`ParetoSearchCV`, a search estimator whose result is a
Pareto front, and :func:`fairness_scorer`, scorers that take sensitive features through
metadata routing.

Needs scikit-learn and fairlearn (``pip install 'paretune[eval]'``); ``import
paretune.sklearn`` raises an ``ImportError`` saying so without them.

Examples:
    >>> import paretune as pt
    >>> from sklearn.linear_model import LogisticRegression
    >>> search = pt.sklearn.ParetoSearchCV(
    ...     LogisticRegression(),
    ...     {"C": pt.distributions.FloatDistribution(1e-3, 1e2, log=True)},
    ...     scoring={"accuracy": "accuracy", "eo_diff": pt.sklearn.fairness_scorer(
    ...         "equalized_odds_difference")},
    ... )
    >>> search.n_trials
    50
"""

try:
    import sklearn as _sklearn  # noqa: F401  (scikit-learn itself: imports are absolute)
except ImportError as _exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "paretune.sklearn needs scikit-learn and fairlearn: pip install 'paretune[eval]' "
        "(or, from a checkout, pip install -e '.[eval]')."
    ) from _exc

from paretune.sklearn._scoring import FairnessScorer as FairnessScorer
from paretune.sklearn._scoring import fairness_scorer as fairness_scorer
from paretune.sklearn._search import ParetoSearchCV as ParetoSearchCV

__all__ = ["FairnessScorer", "ParetoSearchCV", "fairness_scorer"]
