"""scikit-learn's estimator checks on a small search.

Every check of ``parametrize_with_checks`` runs; none is expected to fail. One is skipped
by scikit-learn itself, not by us: ``check_array_api_input`` runs only with the
``SCIPY_ARRAY_API=1`` environment variable and an array-API library, and the search
delegates array handling to its estimator anyway.
"""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from paretune.distributions import FloatDistribution
from paretune.samplers import RandomSampler
from paretune.sklearn import ParetoSearchCV


class _Random(RandomSampler):
    """RandomSampler with a stable repr, so that the test ids do not change between runs."""

    def __repr__(self) -> str:
        return f"RandomSampler(seed={self.seed})"


SMALL = ParetoSearchCV(
    LogisticRegression(),
    {"C": FloatDistribution(0.1, 10.0, log=True)},
    scoring={"accuracy": "accuracy"},
    n_trials=3,
    cv=2,
    sampler=_Random(seed=0),
)


@parametrize_with_checks([SMALL], expected_failed_checks=lambda estimator: {})
def test_scikit_learn_estimator_checks(estimator: Any, check: Any) -> None:
    check(estimator)
