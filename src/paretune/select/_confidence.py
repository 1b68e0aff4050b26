"""One-sided Student-t confidence bounds over re-evaluation repeats."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["MIN_REPEATS", "mean_and_bound"]

MIN_REPEATS = 2
"""Fewest repeats that give a standard deviation, hence a confidence bound."""


def mean_and_bound(values: Sequence[float], confidence: float, upper: bool) -> tuple[float, float]:
    """The mean of ``values`` and its one-sided Student-t confidence bound.

    The bound is ``mean + t * s / sqrt(n)`` (upper) or ``mean - t * s / sqrt(n)`` (lower),
    with ``s`` the sample standard deviation and ``t`` the ``confidence`` quantile of
    Student's t with ``n - 1`` degrees of freedom.

    Args:
        values: At least :data:`MIN_REPEATS` measurements.
        confidence: The one-sided level, in ``(0, 1)``.
        upper: Whether to return the upper bound (else the lower one).

    Returns:
        ``(mean, bound)``.

    Raises:
        ValueError: With fewer than :data:`MIN_REPEATS` values.
    """
    from scipy import stats

    n = len(values)
    if n < MIN_REPEATS:
        raise ValueError(f"A confidence bound needs at least {MIN_REPEATS} values, got {n}.")
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf(confidence, n - 1)) * sd / math.sqrt(n)
    return mean, mean + half if upper else mean - half
