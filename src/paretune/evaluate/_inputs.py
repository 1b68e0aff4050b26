"""Input checks shared by the evaluators: lengths, labels, groups, model outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.exceptions import EvaluationInputError

if TYPE_CHECKING:
    import pandas as pd


def n_rows(X: Any) -> int:
    """Number of rows of a feature table (array, DataFrame or list)."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def labels(y: Any, n: int, *, what: str = "y") -> np.ndarray:
    """``y`` as a 1-D array of ``n`` values, or an error naming the mismatch."""
    values = np.asarray(y)
    if values.ndim != 1:
        raise EvaluationInputError(f"{what} must be one-dimensional, but has shape {values.shape}.")
    if len(values) != n:
        raise EvaluationInputError(
            f"{what} has {len(values)} rows but X has {n}; pass labels aligned with X."
        )
    return values


def sensitive_frame(sensitive_features: Any, n: int) -> pd.DataFrame | None:
    """Sensitive features as a DataFrame of strings with ``n`` rows, one column each.

    Accepts a Series, DataFrame, 1-D/2-D array, or a dict name -> values. Each column must
    hold at least two groups. None, or a DataFrame without columns, means no groups (None).
    """
    import pandas as pd

    if sensitive_features is None:
        return None
    if isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features.reset_index(drop=True)
    elif isinstance(sensitive_features, pd.Series):
        frame = sensitive_features.reset_index(drop=True).to_frame(
            sensitive_features.name if sensitive_features.name is not None else "sensitive"
        )
    elif isinstance(sensitive_features, dict):
        frame = pd.DataFrame({k: np.asarray(v) for k, v in sensitive_features.items()})
    else:
        arr = np.asarray(sensitive_features)
        if arr.ndim == 1:
            frame = pd.DataFrame({"sensitive": arr})
        elif arr.ndim == 2:
            frame = pd.DataFrame(arr, columns=[f"sensitive_{i}" for i in range(arr.shape[1])])
        else:
            raise EvaluationInputError(
                f"sensitive_features must be 1-D or 2-D, but has shape {arr.shape}."
            )
    if frame.shape[1] == 0:
        return None
    if len(frame) != n:
        raise EvaluationInputError(
            f"sensitive_features has {len(frame)} rows but X has {n}; pass one value per row."
        )
    missing = [f"{c!r} ({int(k)} rows)" for c, k in frame.isna().sum().items() if k]
    if missing:
        raise EvaluationInputError(
            f"Sensitive feature(s) {', '.join(missing)} have missing values; fairness needs a "
            "group for every row: fill them with an explicit group (e.g. 'unknown') or drop "
            "those rows."
        )
    frame = frame.astype(str)
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        groups = frame[column].nunique()
        if groups < 2:
            raise EvaluationInputError(
                f"Sensitive feature {column!r} has a single group "
                f"({frame[column].iloc[0]!r}) in these rows, so no disparity can be measured; "
                "evaluate on rows that contain at least two groups."
            )
    return frame


def positive_label(y: np.ndarray) -> Any:
    """The label treated as positive: 1 for 0/1 labels, else the larger of two labels."""
    classes = np.unique(y)
    if len(classes) > 2:
        raise EvaluationInputError(
            f"Fairness and threshold metrics need a binary label, but y has {len(classes)} "
            "classes; evaluate one class against the rest."
        )
    return classes[-1]


def scores(model: Any, X: Any, *, needed_by: str, **params: Any) -> np.ndarray:
    """Positive-class probabilities from ``predict_proba(X, **params)``, or an error naming
    the metric."""
    if not hasattr(model, "predict_proba"):
        raise EvaluationInputError(
            f"Metric {needed_by!r} needs predicted probabilities, but "
            f"{type(model).__name__} has no predict_proba. Wrap the model in "
            "sklearn.calibration.CalibratedClassifierCV or drop the metric."
        )
    proba = np.asarray(model.predict_proba(X, **params), dtype=float)
    if proba.ndim != 2 or proba.shape[1] < 2:
        raise EvaluationInputError(
            f"predict_proba returned shape {proba.shape}; expected (n_rows, n_classes)."
        )
    finite(proba, "predict_proba")
    return proba[:, -1] if proba.shape[1] == 2 else proba


def finite(values: np.ndarray, what: str) -> None:
    """Raise when model outputs hold NaN or infinity."""
    if values.dtype.kind in "fc" and not np.all(np.isfinite(values)):
        bad = int(np.sum(~np.isfinite(values)))
        raise EvaluationInputError(
            f"{what} returned {bad} NaN or infinite value(s); check the model's inputs "
            "(missing values the model cannot handle?) and its training."
        )


def _final_step(model: Any) -> tuple[Any, list[str]]:
    """A Pipeline's last step (followed through nested pipelines) and the step names on
    the way; the model itself and ``[]`` for anything else."""
    from sklearn.pipeline import Pipeline

    path = []
    while isinstance(model, Pipeline):
        name, model = model.steps[-1]
        path.append(name)
    return model, path


def group_params(model: Any, method: str, sensitive_features: Any) -> dict[str, Any]:
    """Keyword arguments handing the groups to ``model.<method>``; {} when it takes none.

    A model takes them when its method (a Pipeline's: its last step's) has a
    ``sensitive_features`` parameter, as the estimators of :mod:`paretune.mitigation` and
    fairlearn's ``ThresholdOptimizer`` do. Through a Pipeline's ``fit`` they go as
    ``<step>__sensitive_features``, unless scikit-learn's metadata routing is enabled (the
    step must then have requested them).
    """
    from inspect import signature

    import pandas as pd
    from sklearn import get_config

    if sensitive_features is None:
        return {}
    final, path = _final_step(model)
    function = getattr(final, method, None)
    try:
        takes = function is not None and "sensitive_features" in signature(function).parameters
    except (TypeError, ValueError):  # a callable without a signature
        takes = False
    if not takes:
        return {}
    if isinstance(sensitive_features, dict):
        sensitive_features = pd.DataFrame(sensitive_features)
    routed = get_config().get("enable_metadata_routing", False)
    if method == "fit" and path and not routed:
        return {"__".join([*path, "sensitive_features"]): sensitive_features}
    return {"sensitive_features": sensitive_features}


def abstain_label(model: Any) -> tuple[bool, Any]:
    """``(True, label)`` when the model can abstain, i.e. it (a Pipeline's last step) has
    ``coverage`` and ``abstain_label``, as :class:`paretune.mitigation.Abstain` does;
    ``(False, None)`` otherwise."""
    final, _ = _final_step(model)
    if callable(getattr(final, "coverage", None)) and hasattr(final, "abstain_label"):
        return True, final.abstain_label
    return False, None
