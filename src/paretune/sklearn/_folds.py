"""The search's folds, and the resource a multi-fidelity search trains less of."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from paretune.distributions import Distribution
from paretune.fidelity import Fidelity

__all__ = ["Resource", "make_folds", "resolve_resource"]

Folds = list[tuple[np.ndarray, np.ndarray]]
"""``(train_rows, test_rows)`` per fold, as row positions."""

_ETA_POWER = 27
"""The default smallest budget is the full one over ``3**3``: four rungs of eta 3."""


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def make_folds(
    cv: Any,
    X: Any,
    y: Any,
    *,
    classifier: bool,
    split_params: Mapping[str, Any],
    sensitive: Any,
    seed: int,
) -> Folds:
    """The folds of a search.

    A classifier with an integer (or None) ``cv`` and ``sensitive_features`` given to
    ``fit`` gets :func:`paretune.evaluate.stratified_folds`: shuffled with ``seed`` and
    stratified by label and group jointly, so every test fold holds each group's positives
    and negatives and per-fold fairness figures exist. Anything else goes through
    scikit-learn's ``check_cv`` (``StratifiedKFold`` for classifiers, ``KFold`` otherwise,
    or the splitter or iterable given).

    Raises:
        ValueError: When the splitter yields no fold or scikit-learn rejects ``cv``.
    """
    from sklearn.model_selection import check_cv
    from sklearn.utils.multiclass import type_of_target

    from paretune.evaluate import stratified_folds

    n_splits = 5 if cv is None else cv
    if (
        sensitive is not None
        and classifier
        and _is_int(n_splits)
        and y is not None
        and type_of_target(y) in ("binary", "multiclass")
    ):
        return stratified_folds(np.asarray(y), sensitive, cv=int(n_splits), seed=seed)
    splitter = check_cv(cv, y, classifier=classifier)
    folds = [
        (np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
        for train, test in splitter.split(X, y, **split_params)
    ]
    if not folds:
        raise ValueError(f"The cross-validation {cv!r} yielded no fold; pass cv=5 or a splitter.")
    return folds


@dataclass(frozen=True)
class Resource:
    """What a trial at a lower budget trains less of.

    Attributes:
        fidelity: The study's fidelity.
        param: The estimator parameter set to the budget (``max_iter``), or None for
            ``n_samples``: the first ``budget`` rows of a fixed, label-stratified order of
            each training fold (so a larger budget trains on a superset).
    """

    fidelity: Fidelity
    param: str | None

    def train_rows(self, order: np.ndarray, budget: float | None) -> np.ndarray:
        """The training rows at ``budget`` given a fold's nested ``order``."""
        if self.param is not None or budget is None:
            return np.sort(order)
        return np.sort(order[: max(1, min(len(order), int(budget)))])


def resolve_resource(
    resource: Any,
    estimator: Any,
    space: Mapping[str, Distribution],
    folds: Folds,
    y: Any,
    classifier: bool,
) -> Resource | None:
    """The :class:`Resource` a ``resource`` setting asks for.

    ``"n_samples"`` runs from ``max(full / 27, 10 per class)`` rows (10 for a regressor) to
    the largest training fold; a parameter name such as ``"max_iter"`` from ``full / 27``
    (at least 1) to the estimator's current value; a :class:`~paretune.fidelity.Fidelity`
    named ``"n_samples"`` or after a parameter gives its own bounds.

    Raises:
        ValueError: On a parameter the estimator lacks or that is also searched, a
            current value that is not an integer above 1, or too few rows.
        TypeError: When ``resource`` is neither None, a string nor a Fidelity.
    """
    if resource is None:
        return None
    if isinstance(resource, Fidelity):
        name, fidelity = resource.name, resource
    elif isinstance(resource, str) and resource:
        name, fidelity = resource, None
    else:
        raise TypeError(
            "`resource` must be None, 'n_samples', an estimator parameter such as 'max_iter', "
            f"or a pt.Fidelity, got {resource!r}."
        )
    if name == "n_samples":
        if fidelity is None:
            high = max(len(train) for train, _ in folds)
            per_class = 10 * (len(np.unique(np.asarray(y))) if classifier else 1)
            low = max(math.ceil(high / _ETA_POWER), per_class)
            if low >= high:
                raise ValueError(
                    f"resource='n_samples' needs training folds well above {low} rows, but the "
                    f"largest has {high}; use resource=None or pt.Fidelity('n_samples', low, "
                    "high) with bounds of your choice."
                )
            fidelity = Fidelity("n_samples", low, high)
        return Resource(fidelity, None)
    params = estimator.get_params(deep=True)
    if name not in params:
        raise ValueError(
            f"resource={name!r} is not a parameter of {type(estimator).__name__}; use "
            "'n_samples' or one of its iteration parameters (e.g. 'max_iter')."
        )
    if name in space:
        raise ValueError(
            f"{name!r} is both the resource and a searched parameter; drop it from "
            "param_distributions (the scheduler sets it)."
        )
    if fidelity is None:
        high = params[name]
        if not _is_int(high) or high < 2:
            raise ValueError(
                f"resource={name!r} takes its full budget from the estimator's {name}, which is "
                f"{high!r}; set it to an integer above 1 or pass pt.Fidelity({name!r}, low, "
                "high)."
            )
        fidelity = Fidelity(name, max(1, math.ceil(high / _ETA_POWER)), int(high))
    return Resource(fidelity, name)


def nested_order(train: np.ndarray, y: Any, classifier: bool, seed: int) -> np.ndarray:
    """A seeded order of ``train`` whose every prefix keeps about the fold's label shares
    (for a classifier); a plain permutation otherwise."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(train)
    if not classifier or y is None:
        return order
    labels = np.asarray(y)[order]
    keys = np.empty(len(order))
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        keys[where] = (np.arange(len(where)) + 0.5) / len(where)
    return order[np.argsort(keys, kind="stable")]
