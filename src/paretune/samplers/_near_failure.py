"""Whether a proposed configuration lies nearer a failed trial than a complete one.

Evolutionary samplers breed children around their parents without a model of where the
objective fails, so a region that crashed keeps receiving children as long as good parents
sit beside it. They ask :func:`nearest_is_failed` of each child and breed again when the
answer is yes: a nearest-neighbour vote between complete and failed trials, in the unit
encoding of :func:`~paretune.samplers._space.encode`.
"""

from __future__ import annotations

import numpy as np


def mean_distances(point: np.ndarray, rows: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """Root-mean-square distance from ``point`` to each of ``rows``, per parameter.

    A numerical parameter contributes its difference in the unit interval, a categorical
    one 1 when the choices differ and 0 when they agree. Parameters missing (NaN) on either
    side are left out of the mean; a row sharing no parameter with ``point`` is at infinity.

    Args:
        point: One encoded configuration (``d``).
        rows: Encoded configurations (``n x d``).
        categorical: Which of the ``d`` parameters are categorical.
    """
    if rows.shape[0] == 0:
        return np.zeros(0)
    gaps = np.abs(rows - point)
    present = ~np.isnan(gaps)
    gaps = np.where(present, gaps, 0.0)
    gaps[:, categorical] = (gaps[:, categorical] > 0).astype(np.float64)
    counts = present.sum(axis=1)
    squares = (gaps**2 * present).sum(axis=1)
    return np.where(counts > 0, np.sqrt(squares / np.maximum(counts, 1)), np.inf)


def nearest_is_failed(
    point: np.ndarray, complete: np.ndarray, failed: np.ndarray, categorical: np.ndarray
) -> bool:
    """Whether the configuration nearest to ``point`` failed (strictly nearer than any
    complete one).

    Args:
        point: The encoded proposal (``d``).
        complete: Encoded complete trials (``n x d``).
        failed: Encoded failed trials (``k x d``).
        categorical: Which of the ``d`` parameters are categorical.
    """
    if failed.shape[0] == 0:
        return False
    to_failure = float(mean_distances(point, failed, categorical).min())
    if not np.isfinite(to_failure):
        return False
    to_success = mean_distances(point, complete, categorical)
    return bool(to_success.size == 0 or to_failure < float(to_success.min()))
