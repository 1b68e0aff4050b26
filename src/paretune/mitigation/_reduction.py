"""``Reduction``: fairlearn's exponentiated-gradient and grid-search reductions for any
scikit-learn classifier, a ``Pipeline`` included."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.base import MetaEstimatorMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from paretune.exceptions import MitigationInputError
from paretune.mitigation._checks import binary_target
from paretune.mitigation._checks import fairlearn_quiet
from paretune.mitigation._checks import group_keys
from paretune.mitigation._checks import n_rows
from paretune.mitigation._checks import require_groups
from paretune.mitigation._options import OptionsEstimator
from paretune.mitigation._weights import check_sample_weight
from paretune.mitigation._weights import weighted_learner

CONSTRAINTS = ("demographic_parity", "equalized_odds", "equal_opportunity", "error_rate_parity")
"""Fairness constraints :class:`Reduction` enforces (fairlearn's ``DemographicParity``,
``EqualizedOdds``, ``TruePositiveRateParity`` and ``ErrorRateParity``)."""

_MOMENTS = {
    "demographic_parity": "DemographicParity",
    "equalized_odds": "EqualizedOdds",
    "equal_opportunity": "TruePositiveRateParity",
    "error_rate_parity": "ErrorRateParity",
}

REDUCTION_METHODS = ("exponentiated_gradient", "grid_search")
"""The fairlearn reductions :class:`Reduction` runs."""


def _proba_available(self: Reduction) -> bool:
    return self.method == "exponentiated_gradient" or hasattr(self.estimator, "predict_proba")


class Reduction(ClassifierMixin, MetaEstimatorMixin, OptionsEstimator):  # type: ignore[misc]
    """A binary classifier trained under a fairness constraint by a fairlearn reduction.

    The reduction fits the estimator again and again on reweighted, relabelled rows. With
    ``method="exponentiated_gradient"`` the result is a *randomised* classifier: a mixture
    of the fitted models, each row's label drawn from the mixture. With
    ``method="grid_search"`` it is one of the models, picked as described under ``eps``.

    A ``Pipeline`` works as the estimator: fairlearn's weights go to its last step (whose
    ``fit`` must take ``sample_weight``) and the other steps are fitted unweighted, as
    ``Pipeline.fit`` would fit them. fairlearn's own reductions refuse a pipeline.

    Args:
        estimator: An unfitted scikit-learn classifier whose ``fit`` takes
            ``sample_weight``, or a ``Pipeline`` whose last step's does.
        constraint: One of :data:`CONSTRAINTS`: ``"demographic_parity"`` (equal selection
            rates), ``"equalized_odds"`` (equal true- and false-positive rates),
            ``"equal_opportunity"`` (equal true-positive rates) or ``"error_rate_parity"``.
        eps: The constraint's bound: how far each group's rate may sit from the overall
            rate on the training rows (fairlearn's definition; the between-group difference
            :func:`paretune.evaluate.classifier` reports can be larger). With exponentiated
            gradient it is fairlearn's ``difference_bound`` and also its ``eps``, so smaller
            values tighten both the constraint and the multipliers' bound. With grid search
            it picks, among the grid's models, the most accurate one whose training
            disparity (its largest constraint violation, fairlearn's ``gammas_``) is at most
            ``eps``, or the least disparate one when none is; None keeps fairlearn's own
            choice (its ``constraint_weight`` trade-off).
        method: ``"exponentiated_gradient"`` or ``"grid_search"``.
        random_state: Seed of the exponentiated-gradient draws in :meth:`predict`: an int
            gives the same labels for the same ``X`` on every call (a row's draw depends on
            its position in ``X``); None draws afresh each call; a ``RandomState`` is
            advanced by each call. Grid search predicts deterministically.
        **options: Passed to fairlearn's ``ExponentiatedGradient`` (``max_iter``, ``nu``,
            ``eta0``, ``run_linprog_step``) or ``GridSearch`` (``grid_size``,
            ``grid_limit``, ``constraint_weight``, ...). They are parameters like the others:
            ``get_params``, ``set_params`` and ``clone`` keep them.

    Attributes:
        classes_: The two labels, sorted; ``classes_[1]`` is the positive class.
        mitigator_: The fitted fairlearn ``ExponentiatedGradient`` or ``GridSearch`` (it
            saw ``y`` as 0/1, 1 for ``classes_[1]``).
        best_index_: Grid search only: the index in ``mitigator_.predictors_`` of the model
            that predicts.

    Raises:
        MitigationInputError: From :meth:`fit`; see there.

    Examples:
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from paretune.mitigation import Reduction
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> X = np.c_[rng.normal(size=400), group == "a"]
        >>> y = (X[:, 0] + X[:, 1] + rng.normal(scale=0.5, size=400) > 0.5).astype(int)
        >>> model = Reduction(LogisticRegression(), eps=0.05, random_state=0)
        >>> model.fit(X, y, sensitive_features=group).predict(X[:5]).shape
        (5,)
    """

    def __init__(
        self,
        estimator: Any,
        *,
        constraint: str = "equalized_odds",
        eps: float | None = 0.02,
        method: str = "exponentiated_gradient",
        random_state: Any = None,
        **options: Any,
    ) -> None:
        self.estimator = estimator
        self.constraint = constraint
        self.eps = eps
        self.method = method
        self.random_state = random_state
        self._keep_options(options)

    def _check_settings(self) -> None:
        if self.constraint not in CONSTRAINTS:
            raise MitigationInputError(
                f"Reduction's constraint must be one of {list(CONSTRAINTS)}, got "
                f"{self.constraint!r}."
            )
        if self.method not in REDUCTION_METHODS:
            raise MitigationInputError(
                f"Reduction's method must be one of {list(REDUCTION_METHODS)}, got {self.method!r}."
            )
        grid_default = self.eps is None and self.method == "grid_search"
        if not grid_default and not (isinstance(self.eps, (int, float)) and self.eps > 0):
            raise MitigationInputError(
                f"Reduction's eps must be a positive number (None only with "
                f"method='grid_search'), got {self.eps!r}."
            )

    def fit(self, X: Any, y: Any, *, sensitive_features: Any = None) -> Reduction:
        """Run the reduction on the training rows.

        Args:
            X: Training features (whatever the estimator takes, e.g. a DataFrame for a
                pipeline that starts with a ``ColumnTransformer``).
            y: Binary labels.
            sensitive_features: Group labels per row: a Series, array, DataFrame or dict
                of columns (several columns constrain their intersection).

        Returns:
            The fitted estimator.

        Raises:
            MitigationInputError: No sensitive features or a single group, a target
                without exactly two classes, an estimator whose ``fit`` takes no
                ``sample_weight``, an unknown constraint, method or option, or a bad
                ``eps``.
        """
        from fairlearn import reductions

        self._check_settings()
        groups = group_keys(sensitive_features, n_rows(X), who="Reduction.fit")
        require_groups(groups, who="Reduction.fit")
        classes, y01 = binary_target(y, who="Reduction")
        check_sample_weight(self.estimator, who="Reduction")
        moment = getattr(reductions, _MOMENTS[self.constraint])
        learner = weighted_learner(self.estimator)
        if self.method == "exponentiated_gradient":
            options = self._checked_options(
                reductions.ExponentiatedGradient,
                ("estimator", "constraints", "eps", "sample_weight_name"),
            )
            mitigator = reductions.ExponentiatedGradient(
                learner, moment(difference_bound=self.eps), eps=self.eps, **options
            )
        else:
            options = self._checked_options(
                reductions.GridSearch, ("estimator", "constraints", "sample_weight_name")
            )
            mitigator = reductions.GridSearch(learner, moment(), **options)
        with fairlearn_quiet():
            mitigator.fit(X, y01, sensitive_features=groups)
        self.mitigator_ = mitigator
        self.classes_ = classes
        if self.method == "grid_search":
            self.best_index_ = self._pick(mitigator)
        return self

    def _pick(self, grid: Any) -> int:
        """The grid model that predicts (see ``eps``)."""
        if self.eps is None:
            return int(grid.best_idx_)
        errors = np.asarray(grid.objectives_, dtype=float)
        violations = grid.gammas_.max(axis=0).to_numpy(dtype=float)
        within = np.flatnonzero(violations <= self.eps)
        if len(within):
            return int(within[np.argmin(errors[within])])
        return int(np.argmin(violations))

    def _positive_share(self, X: Any) -> np.ndarray:
        """Per row, the probability that the randomised classifier predicts positive."""
        weights = self.mitigator_.weights_
        share = np.zeros(n_rows(X))
        for index, weight in weights.items():
            if weight > 0:
                share += weight * np.asarray(self.mitigator_.predictors_.loc[index].predict(X))
        return np.clip(share, 0.0, 1.0)

    def predict(self, X: Any) -> np.ndarray:
        """Labels from ``classes_``: drawn from the mixture (exponentiated gradient, see
        ``random_state``) or the picked model's (grid search)."""
        check_is_fitted(self)
        if self.method == "grid_search":
            positive = np.asarray(self.mitigator_.predictors_[self.best_index_].predict(X))
        else:
            share = self._positive_share(X)
            draws = check_random_state(self.random_state).rand(len(share))
            positive = share >= draws
        labels: np.ndarray = self.classes_[positive.astype(np.intp)]
        return labels

    @available_if(_proba_available)  # type: ignore[untyped-decorator]
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape `n x 2`, columns in ``classes_`` order.

        Exponentiated gradient: the probability that :meth:`predict` returns each class,
        i.e. the weighted share of the mixture's models that predict it. It is what the
        randomised classifier does, not a calibrated probability of the label, and often
        exactly 0 or 1. Grid search: the picked model's ``predict_proba`` (available when
        the estimator has one).
        """
        check_is_fitted(self)
        if self.method == "grid_search":
            model = self.mitigator_.predictors_[self.best_index_]
            raw = np.asarray(model.predict_proba(X), dtype=float)
            proba = np.zeros((raw.shape[0], 2))
            for column, label in enumerate(model.classes_):
                proba[:, int(label)] = raw[:, column]
            return proba
        share = self._positive_share(X)
        return np.column_stack([1.0 - share, share])
