"""Fairness figures from fairlearn's own metrics and ``MetricFrame``.

Nothing here re-derives a disparity by hand: each figure is the fairlearn function of the
same name, so numbers match what a user gets from fairlearn directly. With several
sensitive features the headline figures use their intersection (fairlearn's behaviour for a
multi-column ``sensitive_features``), and each single feature is reported too, under
``"<metric>[<feature>]"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.exceptions import SmallGroupWarning

if TYPE_CHECKING:
    import pandas as pd


CLASSIFIER_FAIRNESS = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "accuracy_difference",
    "worst_group_accuracy",
)
"""Fairness metric names :func:`paretune.evaluate.classifier` understands."""

REGRESSOR_FAIRNESS = ("mae_difference", "worst_group_mae")
"""Fairness metric names :func:`paretune.evaluate.regressor` understands."""


def _views(sensitive: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Feature name -> its column(s); the intersection as ``"a & b"`` when several."""
    views = {c: sensitive[[c]] for c in sensitive.columns}
    if sensitive.shape[1] > 1:
        views[" & ".join(sensitive.columns)] = sensitive
    return views


_RATES = ("accuracy", "selection_rate", "true_positive_rate", "false_positive_rate")

_NEEDS = {
    "demographic_parity_difference": ("selection_rate",),
    "demographic_parity_ratio": ("selection_rate",),
    "equalized_odds_difference": ("true_positive_rate", "false_positive_rate"),
    "equalized_odds_ratio": ("true_positive_rate", "false_positive_rate"),
    "equal_opportunity_difference": ("true_positive_rate",),
    "equal_opportunity_ratio": ("true_positive_rate",),
    "accuracy_difference": ("accuracy",),
    "worst_group_accuracy": ("accuracy",),
}


def figure_from_rates(
    name: str,
    difference: Callable[[str], float],
    ratio: Callable[[str], float],
    group_min: Callable[[str], float],
) -> float:
    """One fairness figure from its group rates, as fairlearn defines it.

    ``difference``/``ratio``/``group_min`` map a rate name (one of ``_RATES``) to the
    largest-minus-smallest group value, the smallest over the largest, and the smallest;
    the MetricFrame path and the bootstrap path each supply their own.
    """
    tpr, fpr = "true_positive_rate", "false_positive_rate"
    return float(
        {
            "demographic_parity_difference": lambda: difference("selection_rate"),
            "demographic_parity_ratio": lambda: ratio("selection_rate"),
            "equalized_odds_difference": lambda: max(difference(tpr), difference(fpr)),
            "equalized_odds_ratio": lambda: min(ratio(tpr), ratio(fpr)),
            "equal_opportunity_difference": lambda: difference(tpr),
            "equal_opportunity_ratio": lambda: ratio(tpr),
            "accuracy_difference": lambda: difference("accuracy"),
            "worst_group_accuracy": lambda: group_min("accuracy"),
        }[name]()
    )


def _derive(frame: Any, names: Sequence[str], suffix: str) -> dict[str, float]:
    """The figures ``names`` (keys ``name + suffix``) from one MetricFrame of group rates.

    Each of the frame's aggregates (``difference``, ``ratio``, ``group_min``) is computed
    only if a figure asks for it, and then once: each costs milliseconds of pandas work.
    """
    aggregates: dict[str, Any] = {}

    def aggregate(kind: str, rate: str) -> float:
        if kind not in aggregates:
            aggregates[kind] = getattr(frame, kind)()
        return float(aggregates[kind][rate])

    return {
        name + suffix: figure_from_rates(
            name,
            lambda r: aggregate("difference", r),
            lambda r: aggregate("ratio", r),
            lambda r: aggregate("group_min", r),
        )
        for name in names
    }


def classifier_fairness(
    y: np.ndarray,
    pred: np.ndarray,
    sensitive: pd.DataFrame,
    names: Sequence[str],
    *,
    full_table: bool = True,
    min_group_size: int = 30,
) -> tuple[dict[str, float], dict[str, dict[str, dict[str, float]]]]:
    """Fairness figures and the per-group table of 0/1 predictions against 0/1 labels.

    One fairlearn ``MetricFrame`` of group rates (accuracy, selection rate, TPR, FPR) per
    sensitive view gives every figure: e.g. the equalized-odds difference is the larger of
    the TPR and FPR differences between groups, exactly as fairlearn's own
    ``equalized_odds_difference`` computes it. These rates depend only on how many rows
    each (group, label, prediction) triple has, so the frame is given one row per distinct
    triple weighted by its count (fairlearn's ``sample_weight``): the same figures, bit for
    bit, from at most eight rows per group instead of thousands. fairlearn's cost also
    grows with each rate it holds, so ``full_table=False`` computes only the rates the
    figures need.

    Returns:
        ``(figures, by_group)``; ``by_group`` maps each feature (and the intersection
        ``"a & b"``) to group -> ``count`` and the rates computed.
    """
    from fairlearn import metrics as fm
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import accuracy_score

    wanted = set(_RATES) if full_table else {r for n in names for r in _NEEDS[n]}
    functions = {
        "accuracy": accuracy_score,
        "selection_rate": fm.selection_rate,
        "true_positive_rate": fm.true_positive_rate,
        "false_positive_rate": fm.false_positive_rate,
    }
    rates = {k: f for k, f in functions.items() if k in wanted}
    figures: dict[str, float] = {}
    groups: dict[str, dict[str, dict[str, float]]] = {}
    headline = " & ".join(sensitive.columns)
    for key, columns in _views(sensitive).items():
        rows, weights = _distinct_outcomes(y, pred, columns)
        frame = MetricFrame(
            metrics=rates,
            y_true=y[rows],
            y_pred=pred[rows],
            sensitive_features=_as_fairlearn(columns.iloc[rows]),
            sample_params={rate: {"sample_weight": weights} for rate in rates},
        )
        figures.update(_derive(frame, names, "" if key == headline else f"[{key}]"))
        groups[key] = _table(frame, columns)
    _warn_small(groups, min_group_size)
    return figures, groups


def add_group_coverage(
    groups: dict[str, dict[str, dict[str, float]]], covered: np.ndarray, sensitive: pd.DataFrame
) -> None:
    """Add each group's ``coverage`` (share of its rows not abstained) to ``groups``.

    ``groups`` is the per-group table of the covered rows; a group with no covered row
    enters it with ``count`` 0 and ``coverage`` 0.
    """
    import pandas as pd

    decided = pd.Series(covered.astype(float))
    for key, columns in _views(sensitive).items():
        shares = decided.groupby([columns[c] for c in columns.columns], observed=True).mean()
        table = groups.setdefault(key, {})
        for group, share in shares.items():
            table.setdefault(_label(group), {"count": 0.0})["coverage"] = float(share)


def _groups(columns: pd.DataFrame) -> Any:
    """``columns`` grouped by their value combinations: the groups every figure uses."""
    return columns.groupby(list(columns.columns), observed=True, dropna=False)


def _distinct_outcomes(
    y: np.ndarray, pred: np.ndarray, columns: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """One row index per distinct (group, label, prediction) triple, and its row count.

    ``y`` and ``pred`` hold 0/1; groups are the distinct value combinations of
    ``columns``.
    """
    group = _groups(columns).ngroup()
    key = group.to_numpy(dtype=np.int64) * 4 + y.astype(np.int64) * 2 + pred.astype(np.int64)
    _, rows, counts = np.unique(key, return_index=True, return_counts=True)
    return rows, counts.astype(np.float64)


def _label(group: Any) -> str:
    return " & ".join(map(str, group)) if isinstance(group, tuple) else str(group)


def _table(frame: Any, columns: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Group -> its row count and rates. Counts come from pandas, not from a MetricFrame
    metric: fairlearn's cost grows with each metric it holds, and a count is no disparity."""
    sizes = _groups(columns).size()
    counts = {_label(group): float(size) for group, size in sizes.items()}
    table: dict[str, dict[str, float]] = {}
    for group, row in frame.by_group.iterrows():
        label = _label(group)
        table[label] = {
            "count": counts[label],
            **{m: float(row[m]) for m in frame.by_group.columns},
        }
    return table


def _warn_small(groups: dict[str, dict[str, dict[str, float]]], min_group_size: int) -> None:
    small = [
        f"{key}={label} ({int(row['count'])} rows)"
        for key, table in groups.items()
        for label, row in table.items()
        if row["count"] < min_group_size
    ]
    if small:
        warnings.warn(
            f"Fairness figures rest on small groups: {', '.join(small)}; fewer than "
            f"{min_group_size} rows give noisy disparities. Merge groups, evaluate on more "
            "rows, or lower min_group_size to silence this.",
            SmallGroupWarning,
            stacklevel=4,
        )


def regressor_fairness(
    y: np.ndarray,
    pred: np.ndarray,
    sensitive: pd.DataFrame,
    names: Sequence[str],
    *,
    min_group_size: int = 30,
) -> tuple[dict[str, float], dict[str, dict[str, dict[str, float]]]]:
    """A regressor's fairness figures (MAE gap and worst group) and per-group MAE."""
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import mean_absolute_error

    figures: dict[str, float] = {}
    groups: dict[str, dict[str, dict[str, float]]] = {}
    headline = " & ".join(sensitive.columns)
    for key, columns in _views(sensitive).items():
        frame = MetricFrame(
            metrics={"mae": mean_absolute_error},
            y_true=y,
            y_pred=pred,
            sensitive_features=_as_fairlearn(columns),
        )
        suffix = "" if key == headline else f"[{key}]"
        for name in names:
            gap = name == "mae_difference"
            value = frame.difference()["mae"] if gap else frame.group_max()["mae"]
            figures[name + suffix] = float(value)
        groups[key] = _table(frame, columns)
    _warn_small(groups, min_group_size)
    return figures, groups


def _as_fairlearn(columns: pd.DataFrame) -> Any:
    return columns.iloc[:, 0].to_numpy() if columns.shape[1] == 1 else columns
