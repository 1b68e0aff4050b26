"""``cv_results_`` and ``pareto_front_`` from the study's finished trials."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.objectives import Direction
from paretune.pareto import constrained_nondominated_sort
from paretune.sklearn._objective import fold_mean
from paretune.sklearn._scoring import Scoring
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["cv_results", "front_summary"]


def _param_array(values: list[Any], present: list[bool]) -> np.ma.MaskedArray:
    """One ``param_<name>`` column: numbers get a numeric dtype, anything else object."""
    kept = [v for v, p in zip(values, present, strict=True) if p]
    dtype: Any = object
    if kept and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in kept):
        dtype = np.int64 if all(isinstance(v, int) for v in kept) else np.float64
    filled = [
        v if p else (0 if dtype is not object else None)
        for v, p in zip(values, present, strict=True)
    ]
    data = np.empty(len(values), dtype=dtype)
    data[:] = filled
    return np.ma.MaskedArray(data, mask=[not p for p in present])


def _rank(means: np.ndarray, direction: Direction) -> np.ndarray:
    """Rank 1 for the best mean; ties share the smallest rank; NaN ranks last."""
    from scipy.stats import rankdata

    if np.isnan(means).all():
        return np.ones(len(means), dtype=np.int32)
    losses = -means if direction is Direction.MAXIMIZE else means
    losses = np.where(np.isnan(losses), np.nanmax(losses) + 1.0, losses)
    return np.asarray(rankdata(losses, method="min"), dtype=np.int32)


def _comparable(record: TrialRecord, top: float | None) -> bool:
    if record.state is not TrialState.COMPLETE:
        return False
    return top is None or (record.budget is not None and bool(np.isclose(record.budget, top)))


def _pareto_ranks(study: Study, records: Sequence[TrialRecord]) -> np.ndarray:
    """Constraint-domination rank (1 = first front) among complete full-budget trials;
    every other row ranks after them all."""
    top = None if study.fidelity is None else study.fidelity.high
    rows = [i for i, r in enumerate(records) if _comparable(r, top)]
    ranks = np.ones(len(records), dtype=np.int32)
    if rows:
        chosen = [records[i] for i in rows]
        violations = [r.total_violation for r in chosen]
        sorted_ranks = constrained_nondominated_sort(study.losses(chosen), violations) + 1
        ranks[:] = int(sorted_ranks.max()) + 1
        ranks[rows] = sorted_ranks
    return ranks


def _fold_values(records: Sequence[TrialRecord], key: str, n_splits: int) -> np.ndarray:
    """``n_trials x n_splits`` values of ``split<k>_<key>`` (NaN where missing)."""
    return np.asarray(
        [[r.metrics.get(f"split{k}_{key}", np.nan) for k in range(n_splits)] for r in records],
        dtype=np.float64,
    ).reshape(len(records), n_splits)


def _store(results: dict[str, Any], key: str, values: np.ndarray, splits: bool) -> np.ndarray:
    if splits:
        for k in range(values.shape[1]):
            results[f"split{k}_{key}"] = values[:, k]
    means = np.asarray([fold_mean(row) for row in values], dtype=np.float64)
    results[f"mean_{key}"] = means
    results[f"std_{key}"] = np.asarray([np.std(row) for row in values], dtype=np.float64)
    return means


def cv_results(
    study: Study,
    records: Sequence[TrialRecord],
    *,
    scoring: Scoring,
    n_splits: int,
    param_names: Sequence[str],
    return_train_score: bool,
    front: Sequence[TrialRecord],
) -> dict[str, Any]:
    """The ``cv_results_`` dict of the finished trials ``records`` (one row each, in order).

    Keys as in scikit-learn's searches (``mean_fit_time``, ``std_fit_time``,
    ``mean_score_time``, ``std_score_time``, ``param_<name>``, ``params``,
    ``split<k>_test_<score>``, ``mean_test_<score>``, ``std_test_<score>``,
    ``rank_test_<score>``, and the ``train`` ones), plus ``trial_number``, ``state``,
    ``n_resources`` (the budget; with a fidelity), ``feasible``, ``pareto_rank`` and
    ``on_front``. A failed trial has NaN scores and times.
    """
    results: dict[str, Any] = {}
    for key in ("fit_time", "score_time"):
        _store(results, key, _fold_values(records, key, n_splits), splits=False)
    params = [dict(r.params) for r in records]
    for name in param_names:
        present = [name in p for p in params]
        results[f"param_{name}"] = _param_array([p.get(name) for p in params], present)
    results["params"] = params
    kinds = ("test", "train") if return_train_score else ("test",)
    for name, direction in scoring.directions.items():
        for kind in kinds:
            means = _store(
                results, f"{kind}_{name}", _fold_values(records, f"{kind}_{name}", n_splits), True
            )
            if kind == "test":
                results[f"rank_test_{name}"] = _rank(means, direction)
    results["trial_number"] = np.asarray([r.number for r in records], dtype=np.int64)
    results["state"] = np.asarray([r.state.value for r in records], dtype=object)
    if study.fidelity is not None:
        budgets = [np.nan if r.budget is None else r.budget for r in records]
        results["n_resources"] = np.asarray(budgets, dtype=np.float64)
        if study.fidelity.integer and not np.isnan(results["n_resources"]).any():
            results["n_resources"] = results["n_resources"].astype(np.int64)
    complete = [r.state is TrialState.COMPLETE and r.feasible for r in records]
    results["feasible"] = np.asarray(complete, dtype=bool)
    results["pareto_rank"] = _pareto_ranks(study, records)
    on_front = {r.number for r in front}
    results["on_front"] = np.asarray([r.number in on_front for r in records], dtype=bool)
    return results


def front_summary(results: dict[str, Any], scoring: Scoring) -> list[dict[str, Any]]:
    """``pareto_front_``: per row on the front, its index in ``cv_results_``, its params, the
    mean test score of each objective (by name) and the mean fit and score times."""
    rows = np.flatnonzero(results["on_front"])
    return [
        {
            "index": int(i),
            "params": dict(results["params"][i]),
            **{name: float(results[f"mean_test_{name}"][i]) for name in scoring.scorers},
            "fit_time": float(results["mean_fit_time"][i]),
            "score_time": float(results["mean_score_time"][i]),
        }
        for i in rows
    ]
