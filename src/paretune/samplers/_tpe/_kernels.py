"""Sizes and weights for TPE's densities: the good set, kernel-width floors, and the
weights of the good trials on a multi-objective front."""

from __future__ import annotations

import math

import numpy as np

from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.distributions import FloatDistribution
from paretune.pareto import hypervolume_contributions

__all__ = ["contribution_weights", "default_gamma", "dimension_info"]


def default_gamma(n: int) -> int:
    """Size of the good set for ``n`` complete trials: 15% of them, between 1 and 25."""
    return max(1, min(math.ceil(0.15 * n), 25))


def dimension_info(space: dict[str, Distribution]) -> tuple[np.ndarray, np.ndarray]:
    """Per parameter of ``space``: its number of choices (0 if numerical) and its smallest
    kernel width (half a cell for integers and stepped floats)."""
    n_choices = np.zeros(len(space), dtype=np.int64)
    min_bw = np.zeros(len(space))
    for j, dist in enumerate(space.values()):
        if isinstance(dist, CategoricalDistribution):
            n_choices[j] = len(dist.choices)
        elif isinstance(dist, FloatDistribution) and dist.step is None:
            min_bw[j] = 1e-3
        else:  # integer or stepped float: half of one cell of the unit interval
            if isinstance(dist, FloatDistribution):
                cells = round((dist.high - dist.low) / (dist.step or 1.0)) + 1
            else:
                cells = (dist.high - dist.low) // dist.step + 1
            min_bw[j] = 0.5 / max(int(cells), 1)
    return n_choices, min_bw


def contribution_weights(scaled_good: np.ndarray) -> np.ndarray:
    """Hypervolume contribution of each good trial (normalised losses), scaled to max 1."""
    contributions = hypervolume_contributions(scaled_good, np.full(scaled_good.shape[1], 1.1))
    top = contributions.max()
    if top <= 0:
        return np.ones(len(scaled_good))
    return np.asarray(np.maximum(contributions / top, 0.05))
