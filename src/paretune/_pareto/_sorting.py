"""Non-dominated sorting, with and without constraints."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from numpy.typing import NDArray

from paretune._pareto._dominance import as_losses


def _first_front(unique: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Mask of the non-dominated rows among distinct rows."""
    n, m = unique.shape
    if m == 1:
        return np.asarray(unique[:, 0] == unique[:, 0].min())
    order = np.lexsort(unique.T[::-1])  # lexicographic: a dominator always comes first
    if m == 2:
        ys = unique[order, 1]
        best_before = np.concatenate([[np.inf], np.minimum.accumulate(ys[:-1])])
        mask = np.zeros(n, dtype=bool)
        mask[order] = ys < best_before
        return mask
    front: list[int] = []
    for i in order:
        if front:
            f = unique[front]
            if np.any(np.all(f <= unique[i], axis=1)):  # rows are distinct: <= means dominates
                continue
        front.append(int(i))
    mask = np.zeros(n, dtype=bool)
    mask[front] = True
    return mask


def nondominated_sort(losses: ArrayLike, stop_after: int | None = None) -> NDArray[np.int64]:
    """Rank rows into Pareto fronts: 0 for the non-dominated rows, 1 for the next, ...

    A row's rank is one more than the largest rank of any row dominating it. Fronts are
    peeled one at a time (a sort and a sweep for two objectives), so asking only for the
    best rows is cheap.

    Args:
        losses: ``n x m`` losses (smaller is better).
        stop_after: Stop once at least this many rows are ranked; the rest share the next
            rank. None ranks every row.

    Returns:
        An integer array of ``n`` ranks.
    """
    arr = as_losses(losses)
    n = arr.shape[0]
    ranks = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return ranks
    unique, inverse = np.unique(arr, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=unique.shape[0])
    unique_ranks = np.full(unique.shape[0], -1, dtype=np.int64)
    remaining = np.arange(unique.shape[0])
    rank, ranked = 0, 0
    while remaining.size:
        if stop_after is not None and ranked >= stop_after:
            unique_ranks[remaining] = rank
            break
        mask = _first_front(unique[remaining])
        members = remaining[mask]
        unique_ranks[members] = rank
        ranked += int(counts[members].sum())
        remaining = remaining[~mask]
        rank += 1
    ranks[:] = unique_ranks[inverse]
    return ranks


def constrained_nondominated_sort(
    losses: ArrayLike, violations: ArrayLike, stop_after: int | None = None
) -> NDArray[np.int64]:
    """Rank rows by constraint-domination.

    Feasible rows (violation ``<= 0``) are sorted into Pareto fronts first. Infeasible rows
    come after every feasible front, ordered by total violation: rows with equal violation
    share a rank.

    Args:
        losses: ``n x m`` losses (smaller is better).
        violations: ``n`` total positive constraint violations.
        stop_after: Stop ranking feasible rows once this many are ranked (see
            :func:`nondominated_sort`).

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
        feasible_ranks = nondominated_sort(arr[feasible], stop_after)
        ranks[feasible] = feasible_ranks
        offset = int(feasible_ranks.max()) + 1
    if (~feasible).any():
        _, dense = np.unique(viol[~feasible], return_inverse=True)
        ranks[~feasible] = offset + dense.reshape(-1)
    return ranks
