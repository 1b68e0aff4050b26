"""The Pearson chi-squared divergence between the top trials' density and all trials'.

Both densities are estimated on one axis, the same way, and compared as
``D = integral of (p_top - p_all)**2 / p_all``: 0 when the top trials spread over the
parameter as all trials do, large when they crowd into a small part of it. Each density is
mixed with a uniform one of weight ``1 / (k + 1)`` (``k`` top trials), as if one more top
trial and one more trial sat everywhere at once; this keeps ``p_all`` away from zero and,
being equal in both, adds no divergence of its own.
"""

from __future__ import annotations

import math

import numpy as np

GRID_POINTS = 256
"""Points of the grid on ``[0, 1]`` the numerical densities are evaluated at."""
MIN_BANDWIDTH = 0.02
"""The narrowest kernel, as a share of the axis: a floor for samples with no spread."""

_GRID = (np.arange(GRID_POINTS) + 0.5) / GRID_POINTS


def bandwidth(values: np.ndarray) -> float:
    """Silverman's rule of thumb for a Gaussian kernel, ``0.9 * min(sd, IQR / 1.34) *
    n ** -0.2``, floored at :data:`MIN_BANDWIDTH` (and at it when the values do not vary).

    Args:
        values: The sample, positions in ``[0, 1]``, at least one.

    Returns:
        The kernel's standard deviation, in axis units.
    """
    spread = float(np.std(values))
    q1, q3 = np.percentile(values, [25.0, 75.0])
    iqr = float(q3 - q1) / 1.34
    if iqr > 0.0:
        spread = min(spread, iqr)
    width: float = 0.9 * spread * len(values) ** -0.2
    return max(width, MIN_BANDWIDTH)


def _kde(values: np.ndarray, prior: float) -> np.ndarray:
    """A Gaussian kernel density of ``values`` on ``[0, 1]``, each kernel cut at the ends
    and renormalised, mixed with the uniform density at weight ``prior``; on the grid."""
    h = bandwidth(values)
    kernels = np.exp(-0.5 * ((_GRID[None, :] - values[:, None]) / h) ** 2)
    kernels /= kernels.mean(axis=1, keepdims=True)  # each integrates to 1 over the axis
    density: np.ndarray = (1.0 - prior) * kernels.mean(axis=0) + prior
    return density


def _prior(n_top: int) -> float:
    return 1.0 / (n_top + 1.0)


def continuous_divergence(values: np.ndarray, top: np.ndarray) -> float:
    """The divergence for a numerical parameter.

    Args:
        values: Every trial's value as a position in ``[0, 1]``, shape ``n``.
        top: Boolean mask of the top trials, shape ``n``, at least one True.

    Returns:
        ``D >= 0``; 0 when the values do not vary.
    """
    if np.ptp(values) == 0.0:
        return 0.0
    prior = _prior(int(top.sum()))
    p_all = _kde(values, prior)
    p_top = _kde(values[top], prior)
    return float(np.mean((p_top - p_all) ** 2 / p_all))


def level_divergence(codes: np.ndarray, top: np.ndarray, n_levels: int) -> float:
    """The divergence for a parameter with a few levels (categorical choices, or a short
    integer range), from the levels' frequencies.

    Args:
        codes: Every trial's level as an index in ``[0, n_levels)``, shape ``n``.
        top: Boolean mask of the top trials, shape ``n``, at least one True.
        n_levels: How many levels the parameter has, observed or not.

    Returns:
        ``D >= 0``; 0 when every trial has the same level.
    """
    if np.ptp(codes) == 0:
        return 0.0
    prior = _prior(int(top.sum()))
    uniform = prior / n_levels
    p_all = (1.0 - prior) * np.bincount(codes, minlength=n_levels) / codes.size + uniform
    p_top = (1.0 - prior) * np.bincount(codes[top], minlength=n_levels) / top.sum() + uniform
    return float(np.sum((p_top - p_all) ** 2 / p_all))


def top_mask(losses: np.ndarray, quantile: float) -> np.ndarray:
    """The trials whose loss is within the best ``quantile`` share (at least two).

    Tied trials are kept or left out together: when trials tie at the cut, the cut goes
    above or below all of them, whichever keeps the count nearer to the share (below only
    if some trial is strictly better).

    Args:
        losses: One loss per trial (smaller is better), shape ``n``.
        quantile: The share of trials to keep, in ``(0, 1)``.

    Returns:
        A boolean mask, shape ``n``; all True when every loss is the same.
    """
    n_top = min(max(2, math.ceil(quantile * losses.size - 1e-9)), losses.size)
    cutoff = np.partition(losses, n_top - 1)[n_top - 1]
    upto = np.asarray(losses <= cutoff)
    below = np.asarray(losses < cutoff)
    n_upto, n_below = int(upto.sum()), int(below.sum())
    if n_below > 0 and (n_upto == losses.size or n_top - n_below < n_upto - n_top):
        return below
    return upto
