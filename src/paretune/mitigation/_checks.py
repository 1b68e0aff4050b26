"""Checks the mitigation estimators share: sensitive features, binary targets, fairlearn noise."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

import numpy as np

from paretune.exceptions import MitigationInputError

_PIPELINE_HINT = (
    " Inside a Pipeline, pass it to the step: pipeline.fit(X, y, <step>__sensitive_features=A), "
    "or with sklearn.set_config(enable_metadata_routing=True) call "
    "set_fit_request(sensitive_features=True) on the step and pipeline.fit(X, y, "
    "sensitive_features=A); pt.mitigation.fit(model, X, y, sensitive_features=A) does either."
)


def n_rows(X: Any) -> int:
    """Number of rows of a feature table (array, DataFrame or list)."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def group_keys(sensitive_features: Any, n: int, *, who: str) -> np.ndarray:
    """One group key per row: the value as a string, ``"a & b"`` for several columns.

    Args:
        sensitive_features: A Series, 1-D or 2-D array, list, DataFrame, or a dict of
            column name -> values.
        n: Rows of ``X``.
        who: ``"Class.method"``, for the messages.

    Returns:
        An object array of ``n`` strings. Keys are strings so that groups given as numbers
        at fit and as strings later (or the other way round) still match.

    Raises:
        MitigationInputError: None, a length other than ``n``, missing values, or a shape
            that holds no column.
    """
    import pandas as pd

    if sensitive_features is None:
        raise MitigationInputError(
            f"{who} needs sensitive_features=...: one group label per row of X (a Series, "
            f"array, DataFrame, or dict of columns).{_PIPELINE_HINT if who.endswith('fit') else ''}"
        )
    if isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features.reset_index(drop=True)
    elif isinstance(sensitive_features, pd.Series):
        frame = sensitive_features.reset_index(drop=True).to_frame()
    elif isinstance(sensitive_features, Mapping):
        frame = pd.DataFrame({str(k): np.asarray(v) for k, v in sensitive_features.items()})
    else:
        values = np.asarray(sensitive_features, dtype=object)
        if values.ndim not in (1, 2):
            raise MitigationInputError(
                f"{who}: sensitive_features must be 1-D or 2-D, but has shape {values.shape}."
            )
        frame = pd.DataFrame(values.reshape(len(values), -1))
    if frame.shape[1] == 0:
        raise MitigationInputError(f"{who}: sensitive_features has no column.")
    if len(frame) != n:
        raise MitigationInputError(
            f"{who}: sensitive_features has {len(frame)} rows but X has {n}; pass one group "
            "label per row of X."
        )
    if frame.isna().to_numpy().any():
        raise MitigationInputError(
            f"{who}: sensitive_features has {int(frame.isna().to_numpy().sum())} missing "
            "value(s); give every row a group (e.g. 'unknown') or drop those rows."
        )
    keys = frame.iloc[:, 0].astype(str)
    for column in list(frame.columns)[1:]:
        keys = keys + " & " + frame[column].astype(str)
    return np.asarray(keys.to_numpy(), dtype=object)


def require_groups(keys: np.ndarray, *, who: str) -> np.ndarray:
    """The distinct groups of ``keys`` (sorted); an error when there is only one."""
    groups = np.unique(keys)
    if len(groups) < 2:
        raise MitigationInputError(
            f"{who} got a single group ({groups[0]!r}) in sensitive_features: a fairness "
            "constraint compares groups, so it needs rows from at least two. Check the "
            "sensitive column (and any row filtering before it), or fit without mitigation."
        )
    return groups


def known_groups(keys: np.ndarray, groups: np.ndarray, *, who: str) -> None:
    """Raise when ``keys`` holds a group the estimator did not see while fitting."""
    unseen = sorted(set(keys.tolist()) - set(groups.tolist()))
    if unseen:
        raise MitigationInputError(
            f"{who}: group(s) {unseen} were not in the data the estimator was fitted on "
            f"(it knows {groups.tolist()}); a per-group rule has nothing to apply to them."
        )


def binary_target(y: Any, *, who: str) -> tuple[np.ndarray, np.ndarray]:
    """``(classes, y01)``: the two sorted labels and ``y`` as 0/1 (1 for ``classes[1]``).

    Raises:
        MitigationInputError: ``y`` is not 1-D or does not hold exactly two labels.
    """
    values = np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1:
        raise MitigationInputError(f"{who}: y must be one-dimensional, got shape {values.shape}.")
    classes = np.unique(values)
    if len(classes) != 2:
        raise MitigationInputError(
            f"{who} needs a binary target, but y has {len(classes)} class(es) "
            f"{classes.tolist()[:10]}; fairness constraints here compare one positive class "
            "with the rest, so encode the target as two classes."
        )
    return classes, (values == classes[1]).astype(int)


@contextlib.contextmanager
def fairlearn_quiet() -> Iterator[None]:
    """Silence deprecation warnings that fairlearn's own code triggers in pandas or numpy.

    fairlearn 0.15 uses pandas idioms that pandas 3 deprecates (``Series.at`` enlarging a
    series); the warnings point at fairlearn's lines, which a user of this package cannot
    change. Warnings attributed to any other module pass through.
    """
    with warnings.catch_warnings():
        for category in (DeprecationWarning, FutureWarning):
            warnings.filterwarnings("ignore", category=category, module=r"fairlearn(\.|$)")
        yield
