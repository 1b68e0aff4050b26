"""Calibration of predicted probabilities: expected calibration error and Brier score."""

from __future__ import annotations

import numpy as np


def expected_calibration_error(y: np.ndarray, proba: np.ndarray, *, n_bins: int = 15) -> float:
    """Binary expected calibration error with equal-width probability bins.

    ``ECE = sum_b (n_b / n) * |mean(y in b) - mean(p in b)|`` over bins ``b`` of the
    positive-class probability ``p`` (``[0, 1/n_bins), ..., [1 - 1/n_bins, 1]``).

    Args:
        y: 0/1 labels, shape ``n``.
        proba: Positive-class probabilities, shape ``n``.
        n_bins: Number of equal-width bins.

    Returns:
        The ECE, in ``[0, 1]``; 0 for perfectly calibrated probabilities.

    Examples:
        >>> import numpy as np
        >>> expected_calibration_error(np.array([0, 1, 1, 0]), np.array([0.0, 1.0, 1.0, 0.0]))
        0.0
    """
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, but got {n_bins}.")
    y = np.asarray(y, dtype=float)
    proba = np.asarray(proba, dtype=float)
    bins = np.minimum((proba * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += inside.mean() * abs(y[inside].mean() - proba[inside].mean())
    return float(total)


def brier_score(y: np.ndarray, proba: np.ndarray) -> float:
    """Mean squared difference between positive-class probability and the 0/1 label."""
    return float(np.mean((np.asarray(proba, dtype=float) - np.asarray(y, dtype=float)) ** 2))
