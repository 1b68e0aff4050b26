"""Crowding distance within one front (NSGA-II's diversity measure)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from numpy.typing import NDArray

from paretune._pareto._dominance import as_losses


def crowding_distance(losses: ArrayLike) -> NDArray[np.float64]:
    """Crowding distance of each row of one front.

    For every objective the rows are sorted; the two extremes get infinity and every other
    row adds the gap between its neighbours divided by the objective's range. Objectives with
    zero range add nothing.

    Args:
        losses: ``n x m`` losses of the rows of one front.

    Returns:
        ``n`` distances; larger means more isolated (more worth keeping).
    """
    arr = as_losses(losses)
    n, m = arr.shape
    distance = np.zeros(n, dtype=np.float64)
    if n <= 2:
        distance[:] = np.inf
        return distance
    for j in range(m):
        order = np.argsort(arr[:, j], kind="stable")
        column = arr[order, j]
        span = column[-1] - column[0]
        distance[order[0]] = np.inf
        distance[order[-1]] = np.inf
        if span <= 0.0 or not np.isfinite(span):
            continue
        distance[order[1:-1]] += (column[2:] - column[:-2]) / span
    return distance
