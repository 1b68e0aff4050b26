"""Pick the best rows by constraint-domination, ties broken by hypervolume contribution.

Shared by the samplers (TPE's good set, NSGA-II's survivors) and the schedulers (who is
promoted from a rung). Rows are ranked by :func:`constrained_nondominated_sort`: feasible
rows by Pareto front, then infeasible ones by total violation. The selection is filled
front by front; in the front that does not fit whole, the rows that add most hypervolume
(normalised objectives) are kept — computed greedily for fronts up to
:data:`EXACT_TIE_BREAK_LIMIT`, and by crowding distance for larger ones, where repeated
hypervolume contributions get too costly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from paretune._hypervolume._exact import hypervolume_contributions
from paretune._pareto._crowding import crowding_distance
from paretune._pareto._sorting import constrained_nondominated_sort

EXACT_TIE_BREAK_LIMIT = 40
"""Largest tie front whose members are chosen by exact hypervolume contribution."""


def normalise(losses: np.ndarray) -> np.ndarray:
    """Scale each objective to ``[0, 1]`` over the given rows (constant columns to 0)."""
    low = losses.min(axis=0)
    span = losses.max(axis=0) - low
    span[span <= 0] = 1.0
    return np.asarray((losses - low) / span)


TieBreak = Callable[[np.ndarray, np.ndarray, int], np.ndarray]
"""``(selected mask, members of the partly admitted front, room) -> chosen members``."""


def select_best(
    losses: np.ndarray, violations: np.ndarray, k: int, tie_break: TieBreak | None = None
) -> np.ndarray:
    """Indices of the ``k`` best rows by constraint-domination, ties by hypervolume.

    Args:
        losses: ``n x m`` losses.
        violations: ``n`` total violations.
        k: How many to keep (``0 <= k <= n``).
        tie_break: Chooses ``room`` rows of the front that does not fit whole, given the
            rows selected so far; None uses hypervolume contribution (crowding distance for
            infeasible or large fronts).

    Returns:
        A boolean mask with ``k`` True entries.
    """
    n = losses.shape[0]
    mask = np.zeros(n, dtype=bool)
    if k <= 0 or n == 0:
        return mask
    if k >= n:
        mask[:] = True
        return mask
    ranks = constrained_nondominated_sort(losses, violations, stop_after=k)
    scaled = normalise(losses)
    for rank in np.unique(ranks):
        members = np.flatnonzero(ranks == rank)
        room = k - int(mask.sum())
        if members.size <= room:
            mask[members] = True
            if members.size == room:
                break
            continue
        if tie_break is not None and violations[members].max() <= 0:
            mask[tie_break(mask.copy(), members, room)] = True
        else:
            mask[members[_tie_break(scaled[members], violations[members], room)]] = True
        break
    return mask


def _tie_break(scaled: np.ndarray, violations: np.ndarray, room: int) -> np.ndarray:
    """Positions of the ``room`` members of one rank to keep."""
    if violations.max() > 0:  # an infeasible rank: equal violation, keep the most spread out
        order = np.argsort(-crowding_distance(scaled), kind="stable")
        return order[:room]
    if scaled.shape[0] > EXACT_TIE_BREAK_LIMIT or scaled.shape[1] == 1:
        order = np.argsort(-crowding_distance(scaled), kind="stable")
        return order[:room]
    reference = np.full(scaled.shape[1], 1.1)
    remaining = list(range(scaled.shape[0]))
    # Drop the least-contributing member until the rest fit (greedy hypervolume subset).
    while len(remaining) > room:
        contributions = hypervolume_contributions(scaled[remaining], reference)
        del remaining[int(np.argmin(contributions))]
    return np.asarray(remaining, dtype=np.int64)
