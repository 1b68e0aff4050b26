"""Differentiable surrogates of group-fairness gaps, for :class:`FairMLPClassifier`.

Each surrogate maps predicted probabilities to a non-negative scalar tensor that the
penalty can differentiate. PyTorch is imported inside the functions, not with the module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["SURROGATES", "group_gap"]


def group_gap(p: Any, groups: Any, n_groups: int) -> Any:
    """Largest minus smallest mean of ``p`` over the groups with rows.

    Args:
        p: Values, a float tensor of shape ``n``.
        groups: Each row's group index in ``[0, n_groups)``, an int64 tensor of shape ``n``.
        n_groups: Number of groups.

    Returns:
        A scalar tensor, differentiable in ``p``; 0 when fewer than two groups have rows.
    """
    import torch

    counts = torch.bincount(groups, minlength=n_groups)
    present = counts > 0
    if int(present.sum()) < 2:
        return p.new_zeros(())
    means = p.new_zeros(n_groups).index_add(0, groups, p)[present] / counts[present]
    return means.max() - means.min()


def _demographic_parity(p: Any, y: Any, groups: Any, n_groups: int) -> Any:
    return group_gap(p, groups, n_groups)


def _equalized_odds(p: Any, y: Any, groups: Any, n_groups: int) -> Any:
    import torch

    gaps = [group_gap(p[y == label], groups[y == label], n_groups) for label in (0.0, 1.0)]
    return torch.maximum(gaps[0], gaps[1])


SURROGATES: dict[str, Callable[[Any, Any, Any, int], Any]] = {
    "demographic_parity": _demographic_parity,
    "equalized_odds": _equalized_odds,
}
"""Constraint name -> ``g(p, y, groups, n_groups)``, from positive-class probabilities ``p``
and 0/1 float labels ``y``.

``demographic_parity``: the largest gap between groups in the mean predicted probability.
``equalized_odds``: the larger of that gap among the positives (``y == 1``) and among the
negatives. They are the probability versions of fairlearn's differences of the same names,
which count hard predictions: a small ``g`` does not guarantee a small hard-prediction gap.
"""
