"""Dominance and constraint-domination between loss vectors (smaller is better)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from numpy.typing import NDArray


def as_losses(losses: ArrayLike) -> NDArray[np.float64]:
    """Return ``losses`` as a finite ``n x m`` float array.

    Raises:
        ValueError: If the array is not two-dimensional or holds NaN.
    """
    arr = np.asarray(losses, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"Expected an `n x m` array of losses, got shape {arr.shape}.")
    if np.isnan(arr).any():
        raise ValueError("Losses must not contain NaN.")
    return arr


def dominates(a: ArrayLike, b: ArrayLike) -> bool:
    """Whether loss vector ``a`` Pareto-dominates ``b``.

    ``a`` dominates ``b`` when it is no worse in every objective and strictly better in at
    least one.
    """
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(np.all(x <= y) and np.any(x < y))


def constraint_dominates(
    a: ArrayLike, violation_a: float, b: ArrayLike, violation_b: float
) -> bool:
    """Deb's constraint-domination between two candidates.

    A feasible candidate (total violation ``<= 0``) beats an infeasible one; of two infeasible
    ones the smaller total violation wins; two feasible ones compare by Pareto dominance.

    Args:
        a: Loss vector of the first candidate.
        violation_a: Its total positive constraint violation.
        b: Loss vector of the second candidate.
        violation_b: Its total positive constraint violation.

    Returns:
        Whether the first candidate constraint-dominates the second.
    """
    feasible_a, feasible_b = violation_a <= 0.0, violation_b <= 0.0
    if feasible_a and feasible_b:
        return dominates(a, b)
    if feasible_a != feasible_b:
        return feasible_a
    return violation_a < violation_b


def dominance_matrix(losses: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Return the ``n x n`` matrix whose entry ``[i, j]`` says row ``i`` dominates row ``j``."""
    n = losses.shape[0]
    out = np.zeros((n, n), dtype=bool)
    chunk = max(1, 4_000_000 // max(1, n * losses.shape[1]))
    for start in range(0, n, chunk):
        block = losses[start : start + chunk, None, :]
        no_worse = np.all(block <= losses[None, :, :], axis=2)
        better = np.any(block < losses[None, :, :], axis=2)
        out[start : start + chunk] = no_worse & better
    return out


def is_pareto_efficient(losses: ArrayLike) -> NDArray[np.bool_]:
    """Mask of the rows that no other row dominates (duplicates are all kept).

    Args:
        losses: ``n x m`` losses.

    Returns:
        A boolean array of length ``n``.
    """
    arr = as_losses(losses)
    n = arr.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    if n <= 64:
        return np.asarray(~dominance_matrix(arr).any(axis=0))
    # A row can only be dominated by rows before it in lexicographic order, and if by any,
    # then by an efficient one: compare each row with the efficient rows found so far.
    order = np.lexsort(arr.T[::-1])
    mask = np.zeros(n, dtype=bool)
    kept = np.empty_like(arr)
    size = 0
    for i in order:
        row = arr[i]
        front = kept[:size]
        if size and np.any(np.all(front <= row, axis=1) & np.any(front < row, axis=1)):
            continue
        kept[size] = row
        size += 1
        mask[i] = True
    return mask
