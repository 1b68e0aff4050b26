"""Non-dominated sorting, with and without constraints."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from numpy.typing import NDArray

from paretune._pareto._dominance import as_losses
from paretune._pareto._dominance import dominance_matrix


def nondominated_sort(losses: ArrayLike) -> NDArray[np.int64]:
    """Rank rows into Pareto fronts: 0 for the non-dominated rows, 1 for the next, ...

    A row's rank is one more than the largest rank of any row dominating it.

    Args:
        losses: ``n x m`` losses (smaller is better).

    Returns:
        An integer array of ``n`` ranks.
    """
    arr = as_losses(losses)
    n = arr.shape[0]
    ranks = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return ranks
    dom = dominance_matrix(arr)
    dominated_by = dom.sum(axis=0)
    front = np.flatnonzero(dominated_by == 0)
    rank = 0
    while front.size:
        ranks[front] = rank
        dominated_by = dominated_by - dom[front].sum(axis=0)
        dominated_by[ranks >= 0] = -1
        front = np.flatnonzero(dominated_by == 0)
        rank += 1
    return ranks


def constrained_nondominated_sort(losses: ArrayLike, violations: ArrayLike) -> NDArray[np.int64]:
    """Rank rows by constraint-domination.

    Feasible rows (violation ``<= 0``) are sorted into Pareto fronts first. Infeasible rows
    come after every feasible front, ordered by total violation: rows with equal violation
    share a rank.

    Args:
        losses: ``n x m`` losses (smaller is better).
        violations: ``n`` total positive constraint violations.

    Returns:
        An integer array of ``n`` ranks.
    """
    arr = as_losses(losses)
    viol = np.asarray(violations, dtype=np.float64).reshape(-1)
    if viol.shape[0] != arr.shape[0]:
        raise ValueError(
            f"Got {arr.shape[0]} loss rows but {viol.shape[0]} violations; pass one per row."
        )
    ranks = np.empty(arr.shape[0], dtype=np.int64)
    feasible = viol <= 0.0
    offset = 0
    if feasible.any():
        feasible_ranks = nondominated_sort(arr[feasible])
        ranks[feasible] = feasible_ranks
        offset = int(feasible_ranks.max()) + 1
    if (~feasible).any():
        _, dense = np.unique(viol[~feasible], return_inverse=True)
        ranks[~feasible] = offset + dense.reshape(-1)
    return ranks
