"""``GroupThresholds``: per-group decision thresholds through fairlearn's ``ThresholdOptimizer``."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.base import MetaEstimatorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from paretune.exceptions import MitigationInputError
from paretune.mitigation._checks import binary_target
from paretune.mitigation._checks import fairlearn_quiet
from paretune.mitigation._checks import group_keys
from paretune.mitigation._checks import known_groups
from paretune.mitigation._checks import n_rows
from paretune.mitigation._checks import require_groups
from paretune.mitigation._options import OptionsEstimator

THRESHOLD_CONSTRAINTS = {
    "demographic_parity": "demographic_parity",
    "equalized_odds": "equalized_odds",
    "equal_opportunity": "true_positive_rate_parity",
    "true_positive_rate_parity": "true_positive_rate_parity",
    "false_positive_rate_parity": "false_positive_rate_parity",
    "true_negative_rate_parity": "true_negative_rate_parity",
    "false_negative_rate_parity": "false_negative_rate_parity",
}
"""Constraint names :class:`GroupThresholds` takes -> fairlearn's ``ThresholdOptimizer`` name."""


class GroupThresholds(ClassifierMixin, MetaEstimatorMixin, OptionsEstimator):  # type: ignore[misc]
    """A binary classifier that applies one decision threshold per group to a model's scores.

    fairlearn's ``ThresholdOptimizer`` picks, for each group, the threshold on the model's
    scores (``predict_proba``, else ``decision_function``, else ``predict``) that maximises
    ``objective`` on the fit data subject to ``constraint``. Where the constraint needs a
    point between two thresholds, rows of that group are decided at random between them,
    so :meth:`predict` is randomised (see ``random_state``). The group of each row must be
    known when predicting: :meth:`predict` needs ``sensitive_features``.

    There is no ``predict_proba``: the decisions are thresholds, not probabilities.

    Args:
        estimator: A scikit-learn classifier, fitted when ``prefit=True`` (then ``fit``
            only chooses the thresholds, ideally on rows the model was not trained on).
        constraint: ``"demographic_parity"``, ``"equalized_odds"``,
            ``"equal_opportunity"`` (equal true-positive rates), or one of fairlearn's
            names in :data:`THRESHOLD_CONSTRAINTS`. Error-rate parity is not available here:
            use :class:`~paretune.mitigation.Reduction`.
        objective: What the thresholds maximise: ``"accuracy_score"``,
            ``"balanced_accuracy_score"`` (the only two with equalized odds), or for the
            other constraints also ``"selection_rate"``, ``"true_positive_rate"``,
            ``"true_negative_rate"``.
        prefit: Whether ``estimator`` is already fitted.
        random_state: Seed of the draws between two thresholds: an int gives the same
            labels for the same rows on every call, None draws afresh.
        **options: Passed to ``ThresholdOptimizer`` (``grid_size``, ``flip``,
            ``predict_method``, ``tol``); kept by ``get_params``, ``set_params``, ``clone``.

    Attributes:
        classes_: The two labels, sorted; ``classes_[1]`` is the positive class.
        groups_: The groups seen while fitting (as strings, ``"a & b"`` for several columns).
        optimizer_: The fitted ``ThresholdOptimizer`` (it saw ``y`` as 0/1).

    Examples:
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from paretune.mitigation import GroupThresholds
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> X = np.c_[rng.normal(size=400), group == "a"]
        >>> y = (X[:, 0] + X[:, 1] + rng.normal(scale=0.5, size=400) > 0.5).astype(int)
        >>> model = GroupThresholds(LogisticRegression(), random_state=0)
        >>> model = model.fit(X, y, sensitive_features=group)
        >>> model.predict(X[:3], sensitive_features=group[:3]).tolist()
        [0, 0, 1]
    """

    def __init__(
        self,
        estimator: Any,
        *,
        constraint: str = "equalized_odds",
        objective: str = "accuracy_score",
        prefit: bool = False,
        random_state: Any = None,
        **options: Any,
    ) -> None:
        self.estimator = estimator
        self.constraint = constraint
        self.objective = objective
        self.prefit = prefit
        self.random_state = random_state
        self._keep_options(options)

    def fit(self, X: Any, y: Any, *, sensitive_features: Any = None) -> GroupThresholds:
        """Fit the estimator (unless ``prefit``) and choose each group's thresholds.

        Args:
            X: Training features.
            y: Binary labels.
            sensitive_features: Group labels per row (Series, array, DataFrame or dict).

        Returns:
            The fitted estimator.

        Raises:
            MitigationInputError: No sensitive features or a single group, a target
                without two classes, an unknown constraint or option, or ``prefit=True``
                with an unfitted estimator.
        """
        from fairlearn.postprocessing import ThresholdOptimizer

        if self.constraint not in THRESHOLD_CONSTRAINTS:
            extra = (
                " ThresholdOptimizer cannot equalise error rates; use "
                "Reduction(constraint='error_rate_parity')."
                if self.constraint == "error_rate_parity"
                else ""
            )
            raise MitigationInputError(
                f"GroupThresholds' constraint must be one of {sorted(THRESHOLD_CONSTRAINTS)}, "
                f"got {self.constraint!r}.{extra}"
            )
        groups = group_keys(sensitive_features, n_rows(X), who="GroupThresholds.fit")
        seen = require_groups(groups, who="GroupThresholds.fit")
        classes, y01 = binary_target(y, who="GroupThresholds")
        if self.prefit:
            try:
                check_is_fitted(self.estimator)
            except NotFittedError:
                raise MitigationInputError(
                    "GroupThresholds(prefit=True) needs a fitted estimator; fit it first, or "
                    "pass prefit=False to fit it here."
                ) from None
        options = self._checked_options(
            ThresholdOptimizer, ("estimator", "constraints", "objective", "prefit")
        )
        optimizer = ThresholdOptimizer(
            estimator=self.estimator,
            constraints=THRESHOLD_CONSTRAINTS[self.constraint],
            objective=self.objective,
            prefit=self.prefit,
            **options,
        )
        with fairlearn_quiet():
            optimizer.fit(X, y01, sensitive_features=groups)
        self.optimizer_ = optimizer
        self.classes_ = classes
        self.groups_ = seen
        return self

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        """Labels from ``classes_``, each row decided by its group's threshold.

        Args:
            X: Features.
            sensitive_features: The rows' groups, as given to :meth:`fit`.

        Returns:
            One label per row.

        Raises:
            MitigationInputError: No sensitive features, or a group not seen in ``fit``.
        """
        check_is_fitted(self)
        keys = group_keys(sensitive_features, n_rows(X), who="GroupThresholds.predict")
        known_groups(keys, self.groups_, who="GroupThresholds.predict")
        with fairlearn_quiet():
            positive = self.optimizer_.predict(
                X, sensitive_features=keys, random_state=self.random_state
            )
        labels: np.ndarray = self.classes_[np.asarray(positive, dtype=np.intp)]
        return labels

    def score(
        self, X: Any, y: Any, sample_weight: Any = None, *, sensitive_features: Any = None
    ) -> float:
        """Accuracy of :meth:`predict` on ``X`` against ``y`` (groups are needed here too)."""
        from sklearn.metrics import accuracy_score

        pred = self.predict(X, sensitive_features=sensitive_features)
        return float(accuracy_score(y, pred, sample_weight=sample_weight))
