"""Confidence intervals: over repeated runs (Student t) and by bootstrap over rows."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import numpy as np

from paretune.evaluate._result import Evaluation


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), but got {confidence!r}.")


def repeat(
    evaluate_once: Callable[[int], Mapping[str, float]],
    seeds: Iterable[int] = range(5),
    *,
    confidence: float = 0.95,
) -> Evaluation:
    """Run an evaluation once per seed (or split) and summarise every metric.

    Args:
        evaluate_once: ``seed -> metrics``; typically trains with that seed (or on that
            split) and returns :func:`classifier`'s result.
        seeds: The seeds, at least two.
        confidence: Level of the Student-t interval of the mean.

    Returns:
        An :class:`Evaluation` of the means, plus ``<metric>_std`` (sample standard
        deviation); ``intervals`` holds ``mean +- t * std / sqrt(n)`` per metric and
        ``details["runs"]`` each run's metrics.

    Examples:
        >>> from paretune.evaluate import repeat
        >>> summary = repeat(lambda seed: {"accuracy": 0.8 + 0.01 * seed}, seeds=[0, 1, 2])
        >>> round(summary["accuracy"], 3), bool(summary.intervals["accuracy"][0] < 0.81)
        (0.81, True)
    """
    _check_confidence(confidence)
    runs = [dict(evaluate_once(seed)) for seed in seeds]
    if len(runs) < 2:
        raise ValueError(f"repeat needs at least two seeds for an interval, got {len(runs)}.")
    out, intervals = t_summary(runs, confidence)
    return Evaluation(out, intervals=intervals, details={"runs": runs, "confidence": confidence})


def t_summary(
    runs: list[dict[str, float]], confidence: float
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Mean, ``<metric>_std`` and Student-t interval of every metric all ``runs`` share.

    Args:
        runs: At least two metric dicts (one per seed, split or fold).
        confidence: Level of the interval of the mean.

    Returns:
        ``(summary, intervals)``: metric -> mean and ``<metric>_std`` -> sample standard
        deviation, in the first run's order; metric -> ``mean +- t * std / sqrt(n)``.
    """
    from scipy import stats

    common = [k for k in runs[0] if all(k in r for r in runs)]
    out: dict[str, float] = {}
    intervals: dict[str, tuple[float, float]] = {}
    t = float(stats.t.ppf((1 + confidence) / 2, df=len(runs) - 1))
    for key in common:
        values = np.array([r[key] for r in runs], dtype=float)
        mean, std = float(values.mean()), float(values.std(ddof=1))
        half = float(t * std / np.sqrt(len(values)))
        out[key] = mean
        out[f"{key}_std"] = std
        intervals[key] = (mean - half, mean + half)
    return out, intervals


def bootstrap_intervals(
    score: Callable[[np.ndarray], Mapping[str, float]],
    n: int,
    *,
    n_resamples: int,
    confidence: float,
    seed: int,
    strata: Any = None,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap intervals of ``score(row_indices)`` over resampled rows.

    Args:
        score: Row indices -> metrics computed on those rows.
        n: Number of rows.
        n_resamples: Number of bootstrap resamples.
        confidence: Interval level.
        seed: Seed of the resampling.
        strata: Optional group label per row; rows are resampled within each group so
            every group keeps its size (fairness figures stay defined).

    Returns:
        Metric -> (low, high).
    """
    _check_confidence(confidence)
    if n_resamples < 10:
        raise ValueError(f"n_resamples must be at least 10, but got {n_resamples}.")
    rng = np.random.default_rng(seed)
    blocks = (
        [np.arange(n)]
        if strata is None
        else [np.flatnonzero(strata == g) for g in np.unique(strata)]
    )
    draws: dict[str, list[float]] = {}
    for _ in range(n_resamples):
        rows = np.concatenate([rng.choice(b, size=len(b)) for b in blocks])
        for key, value in score(rows).items():
            draws.setdefault(key, []).append(value)
    alpha = (1 - confidence) / 2
    return {
        key: (float(np.nanquantile(v, alpha)), float(np.nanquantile(v, 1 - alpha)))
        for key, v in draws.items()
    }
