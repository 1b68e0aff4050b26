"""``Abstain``: a reject-option classifier that declines to decide where the model is unsure."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.base import ClassifierMixin
from sklearn.base import MetaEstimatorMixin
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from paretune.exceptions import MitigationInputError
from paretune.mitigation._checks import group_keys
from paretune.mitigation._checks import known_groups
from paretune.mitigation._checks import n_rows
from paretune.mitigation._checks import require_groups


class Abstain(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):  # type: ignore[misc]
    """A binary classifier that abstains where its model's probability is close to 0.5.

    With ``p`` the model's probability of ``classes_[1]``, a row's *margin* is
    ``|p - 0.5|``. A row is *covered* (decided as the model decides) when its margin is at
    least its threshold, and *abstained* otherwise: :meth:`predict` then returns
    ``abstain_label``.

    ``per_group=False``: every row's threshold is ``threshold``.

    ``per_group=True``: ``threshold`` fixes how many rows are decided, and each group gets
    its own threshold so that it keeps that same share. On the fit data, the share ``c`` of
    rows whose margin reaches ``threshold`` is the target coverage (:attr:`coverage_`);
    group ``g``'s threshold is the ``1 - c`` quantile of its own margins there, so each
    group abstains on its own least certain rows, about ``1 - c`` of them (to within one row
    per group, exactly where margins tie). Without it, a group the model is less sure about
    would bear most of the abstentions. :meth:`predict` then needs ``sensitive_features``.

    :func:`paretune.evaluate.classifier` recognises the abstentions: it reports
    ``coverage`` and computes the other metrics on the covered rows only. scikit-learn's
    ``score`` (inherited) counts an abstention as a wrong answer.

    Args:
        estimator: An unfitted scikit-learn classifier with ``predict_proba``.
        threshold: Margin below which the model abstains, in ``[0, 0.5]``; 0 never
            abstains, larger values abstain more.
        per_group: Give each group its own threshold, as above.
        abstain_label: What :meth:`predict` returns for an abstained row; must not be one
            of the classes.

    Attributes:
        estimator_: The fitted model.
        classes_: The model's two classes.
        coverage_: Share of the fit rows covered by ``threshold``.
        thresholds_: ``per_group=True`` only: group -> its threshold.

    Examples:
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from paretune.mitigation import Abstain
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(300, 2)); y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
        >>> model = Abstain(LogisticRegression(), threshold=0.2).fit(X, y)
        >>> bool(-1 in model.predict(X)), 0 < model.coverage(X) < 1
        (True, True)
    """

    estimator_: Any
    classes_: np.ndarray
    coverage_: float
    thresholds_: dict[str, float]

    def __init__(
        self,
        estimator: Any,
        *,
        threshold: float = 0.1,
        per_group: bool = False,
        abstain_label: Any = -1,
    ) -> None:
        self.estimator = estimator
        self.threshold = threshold
        self.per_group = per_group
        self.abstain_label = abstain_label

    def fit(self, X: Any, y: Any, *, sensitive_features: Any = None) -> Abstain:
        """Fit a clone of the estimator and, with ``per_group``, each group's threshold.

        Args:
            X: Training features.
            y: Binary labels.
            sensitive_features: Group labels per row; needed with ``per_group=True``,
                ignored otherwise.

        Returns:
            The fitted estimator.

        Raises:
            MitigationInputError: A threshold outside ``[0, 0.5]``, an estimator without
                ``predict_proba``, a target without two classes, an ``abstain_label`` that
                is a class, or with ``per_group=True`` no sensitive features or one group.
        """
        threshold = self.threshold
        if not isinstance(threshold, Real) or not 0.0 <= float(threshold) <= 0.5:
            raise MitigationInputError(
                f"Abstain's threshold is a margin |p - 0.5| and must be in [0, 0.5], got "
                f"{threshold!r}."
            )
        if not hasattr(self.estimator, "predict_proba"):
            raise MitigationInputError(
                f"Abstain needs the model's probabilities, but {type(self.estimator).__name__} "
                "has no predict_proba; wrap it in sklearn.calibration.CalibratedClassifierCV."
            )
        groups = None
        if self.per_group:
            groups = group_keys(sensitive_features, n_rows(X), who="Abstain.fit")
            require_groups(groups, who="Abstain(per_group=True).fit")
        estimator = clone(self.estimator).fit(X, y)
        classes = np.asarray(estimator.classes_)
        if len(classes) != 2:
            raise MitigationInputError(
                f"Abstain needs a binary target, but the model found {len(classes)} classes."
            )
        if any(_same(label, self.abstain_label) for label in classes):
            raise MitigationInputError(
                f"Abstain's abstain_label {self.abstain_label!r} is one of the classes "
                f"{classes.tolist()}; pick a label the target never takes."
            )
        self.estimator_ = estimator
        self.classes_ = classes
        margin = self._margin(X)
        self.coverage_ = float(np.mean(margin >= threshold))
        if groups is not None:
            self.thresholds_ = {
                str(g): self._group_threshold(margin[groups == g]) for g in np.unique(groups)
            }
        return self

    def _group_threshold(self, margin: np.ndarray) -> float:
        if self.threshold == 0:
            return 0.0
        share = 1.0 - self.coverage_
        return float(np.quantile(margin.astype(np.float64), share, method="inverted_cdf"))

    def _margin(self, X: Any) -> np.ndarray:
        proba = np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)
        return np.abs(proba[:, 1] - 0.5)

    def covered(self, X: Any, sensitive_features: Any = None) -> np.ndarray:
        """Per row, whether the model decides it (True) or abstains (False).

        Args:
            X: Features.
            sensitive_features: The rows' groups; needed with ``per_group=True``.

        Returns:
            A boolean array, one entry per row.

        Raises:
            MitigationInputError: With ``per_group=True``, no sensitive features or a group
                not seen in ``fit``.
        """
        import pandas as pd

        check_is_fitted(self)
        margin = self._margin(X)
        if not self.per_group:
            return np.asarray(margin >= self.threshold)
        keys = group_keys(sensitive_features, len(margin), who="Abstain(per_group=True)")
        known_groups(keys, np.asarray(sorted(self.thresholds_), dtype=object), who="Abstain")
        limits = pd.Series(keys).map(self.thresholds_).to_numpy(dtype=float)
        return np.asarray(margin >= limits)

    def coverage(self, X: Any, sensitive_features: Any = None) -> float:
        """Share of the rows of ``X`` not abstained, in ``[0, 1]``."""
        return float(np.mean(self.covered(X, sensitive_features)))

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        """The model's label where covered, ``abstain_label`` elsewhere.

        The array has the classes' dtype when ``abstain_label`` fits it (numbers with
        numbers), else dtype object.
        """
        covered = self.covered(X, sensitive_features)
        labels = np.asarray(self.estimator_.predict(X))
        marker = np.asarray(self.abstain_label)
        numeric = labels.dtype.kind in "iufb" and marker.dtype.kind in "iuf"
        out = labels.astype(np.result_type(labels, marker) if numeric else object)
        out[~covered] = self.abstain_label
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """The model's class probabilities (abstention does not change them)."""
        check_is_fitted(self)
        return np.asarray(self.estimator_.predict_proba(X))


def _same(label: Any, other: Any) -> bool:
    try:
        return bool(label == other)
    except (TypeError, ValueError):
        return False
