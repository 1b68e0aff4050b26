"""Folds stratified by label and sensitive group jointly, and the data they slice."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._warnings import warn
from paretune.evaluate import _inputs
from paretune.exceptions import EvaluationInputError
from paretune.exceptions import SmallGroupWarning

if TYPE_CHECKING:
    import pandas as pd


def resolve_data(data: Any, sensitive_features: Any) -> tuple[Any, np.ndarray, pd.DataFrame | None]:
    """``(X, y, sensitive)`` from a Split-like object or an ``(X, y)`` tuple.

    Args:
        data: An object with ``X`` and ``y`` (and optionally ``sensitive``), such as a
            :class:`paretune.datasets.Split`, or an ``(X, y)`` tuple.
        sensitive_features: Group labels per row; when given they replace ``data.sensitive``.

    Returns:
        The features as given, the labels as a 1-D array, and the sensitive features as a
        DataFrame of strings (None without groups).

    Raises:
        EvaluationInputError: When ``data`` is neither form, or lengths disagree.
    """
    if isinstance(data, tuple):
        if len(data) != 2:
            raise EvaluationInputError(
                f"data as a tuple must be (X, y), but has {len(data)} items; pass the groups "
                "as sensitive_features=... or pass a paretune.datasets.Split."
            )
        X, y = data
        groups = sensitive_features
    elif hasattr(data, "X") and hasattr(data, "y"):
        X, y = data.X, data.y
        groups = sensitive_features
        if groups is None:
            groups = getattr(data, "sensitive", None)
    else:
        raise EvaluationInputError(
            "data must be an (X, y) tuple or an object with X, y and sensitive attributes "
            f"(a paretune.datasets.Split), but got {type(data).__name__}."
        )
    n = _inputs.n_rows(X)
    return X, _inputs.labels(y, n), _inputs.sensitive_frame(groups, n)


def take(X: Any, rows: np.ndarray) -> Any:
    """The rows ``rows`` (positions) of a DataFrame, Series, array or sparse matrix.

    pandas objects keep their index, so the rows can be traced back to the full table.
    """
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    if hasattr(X, "shape"):
        return X[rows]
    return np.asarray(X)[rows]


def check_cv(cv: int, y: np.ndarray) -> None:
    """Raise unless ``cv`` folds fit ``y``: an integer >= 2, at most the rarest label's count.

    Raises:
        EvaluationInputError: Naming the count and the fix.
    """
    if isinstance(cv, bool) or not isinstance(cv, int | np.integer) or cv < 2:
        raise EvaluationInputError(f"cv must be an integer of at least 2 folds, but got {cv!r}.")
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise EvaluationInputError(
            f"y holds a single label ({classes[0].item()!r}), so no fold can score a classifier; "
            "pass rows of both labels."
        )
    rarest = int(np.argmin(counts))
    if cv > counts[rarest]:
        raise EvaluationInputError(
            f"cv={cv} folds need at least {cv} rows of every label, but label "
            f"{classes[rarest].item()!r} has {int(counts[rarest])}; lower cv to at most "
            f"{int(counts[rarest])} or pass more rows."
        )


def stratified_folds(
    y: Any, sensitive_features: Any = None, *, cv: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled folds stratified by label and sensitive group jointly.

    Rows are dealt into folds by scikit-learn's ``StratifiedKFold`` on the combination of
    label and group (the intersection of all sensitive features), so every test fold keeps
    about the whole data's share of each (label, group) cell. A cell with fewer than
    ``cv`` rows cannot reach every fold: such cells are pooled per label and stratified by
    label only (a pool still smaller than ``cv`` joins its label's largest cell), with a
    :class:`~paretune.exceptions.SmallGroupWarning` naming them.

    Args:
        y: Labels, one per row.
        sensitive_features: Group labels per row (as for
            :func:`~paretune.evaluate.classifier`); None stratifies by label only.
        cv: Number of folds, from 2 to the rarest label's count.
        seed: Seed of the shuffle; the same seed gives the same folds.

    Returns:
        ``cv`` pairs ``(train_rows, test_rows)`` of sorted row positions; every row is in
        exactly one test fold.

    Raises:
        EvaluationInputError: On a bad ``cv``, a single label, or misaligned groups.

    Examples:
        >>> import numpy as np
        >>> from paretune.evaluate import stratified_folds
        >>> y = np.array([0, 1] * 10); group = np.array(["a"] * 10 + ["b"] * 10)
        >>> folds = stratified_folds(y, group, cv=5, seed=0)
        >>> [len(test) for _, test in folds]
        [4, 4, 4, 4, 4]
    """
    from sklearn.model_selection import StratifiedKFold

    y_raw = _inputs.labels(y, len(np.asarray(y)))
    check_cv(cv, y_raw)
    sensitive = _inputs.sensitive_frame(sensitive_features, len(y_raw))
    key = _strata(y_raw, sensitive, int(cv))
    splitter = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=seed)
    return [
        (np.sort(train), np.sort(test)) for train, test in splitter.split(np.zeros(len(key)), key)
    ]


def _strata(y: np.ndarray, sensitive: pd.DataFrame | None, cv: int) -> np.ndarray:
    """One integer stratum per row: label x group, rare cells pooled per label."""
    labels, label_code = np.unique(y, return_inverse=True)
    label_code = np.asarray(label_code).ravel()
    if sensitive is None:
        return label_code
    group_code = sensitive.groupby(list(sensitive.columns), sort=True).ngroup().to_numpy()
    n_groups = int(group_code.max()) + 1
    key = label_code * n_groups + group_code
    cells, first, counts = np.unique(key, return_index=True, return_counts=True)
    rare = counts < cv
    if not rare.any():
        return key
    names = [
        f"y={labels[label_code[row]]} & {' & '.join(sensitive.iloc[row])} ({count} rows)"
        for row, count in zip(first[rare], counts[rare], strict=True)
    ]
    warn(
        f"Label x group cell(s) {', '.join(names)} have fewer rows than the {cv} folds, so "
        "some test folds lack them; they are stratified by label only. Merge rare groups or "
        "use fewer folds to avoid this.",
        SmallGroupWarning,
    )
    strata = key.copy()
    rare_rows = np.isin(key, cells[rare])
    for label in np.unique(label_code[rare_rows]):
        pool = rare_rows & (label_code == label)
        if pool.sum() >= cv:  # a stratum of its own: the label's rare cells together
            strata[pool] = len(labels) * n_groups + label
        else:  # still too few for every fold: join the label's largest cell
            own = cells // n_groups == label
            strata[pool] = cells[own][np.argmax(counts[own])]
    return strata


def warn_small_groups(fold_groups: list[dict[str, Any]], min_group_size: int) -> None:
    """One :class:`SmallGroupWarning` for all folds, naming each group whose smallest test
    fold has fewer than ``min_group_size`` rows (a fold without the group counts 0)."""
    seen = dict.fromkeys(
        (feature, group) for by in fold_groups for feature, table in by.items() for group in table
    )
    small = []
    for feature, group in seen:
        fewest = min(int(by.get(feature, {}).get(group, {}).get("count", 0)) for by in fold_groups)
        if fewest < min_group_size:
            small.append(f"{feature}={group} ({fewest} rows)")
    if small:
        warn(
            f"Fairness figures of the test folds rest on small groups: {', '.join(small)} in "
            f"the smallest fold; fewer than {min_group_size} rows give noisy disparities. Use "
            "fewer folds, merge groups, or lower min_group_size to silence this.",
            SmallGroupWarning,
        )
