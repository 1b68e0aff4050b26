"""Exact hypervolume of a set of loss vectors below a reference point.

The hypervolume of a set ``S`` (all objectives minimised) is the volume of the region that
some point of ``S`` dominates and that dominates the reference point ``r``. Points that do
not strictly beat ``r`` in every objective add nothing and are dropped.

* 2 objectives: a sort and a sweep, ``O(n log n)``.
* 3 objectives: a sweep over the third objective with 2-D slices, ``O(n^2 log n)``.
* more: the WFG algorithm (While, Bradstreet and Barone, 2012), which sums exclusive
  contributions and recurses on "limited" sets; exact for any number of objectives.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from numpy.typing import NDArray


def _prepare(
    points: ArrayLike, reference: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate inputs; return the points strictly inside the reference box, and the box."""
    ref = np.asarray(reference, dtype=np.float64).reshape(-1)
    pts = np.asarray(points, dtype=np.float64)
    if pts.size == 0:
        return np.zeros((0, ref.size)), ref
    if pts.ndim == 1:
        pts = pts.reshape(1, -1)
    if pts.ndim != 2 or pts.shape[1] != ref.size:
        raise ValueError(
            f"Points of shape {pts.shape} do not match a reference point of length {ref.size}."
        )
    if np.isnan(pts).any() or np.isnan(ref).any():
        raise ValueError("Hypervolume inputs must not contain NaN.")
    if not np.isfinite(ref).all():
        raise ValueError(f"The reference point must be finite, got {ref.tolist()}.")
    return pts[np.all(pts < ref, axis=1)], ref


def _hv2d(pts: NDArray[np.float64], ref: NDArray[np.float64]) -> float:
    if pts.shape[0] == 0:
        return 0.0
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    volume = 0.0
    best_y = ref[1]
    for x, y in pts[order]:
        if y < best_y:
            volume += (ref[0] - x) * (best_y - y)
            best_y = y
    return float(volume)


def _hv3d(pts: NDArray[np.float64], ref: NDArray[np.float64]) -> float:
    if pts.shape[0] == 0:
        return 0.0
    order = np.argsort(pts[:, 2], kind="stable")
    pts = pts[order]
    volume = 0.0
    n = pts.shape[0]
    for i in range(n):
        top = pts[i + 1, 2] if i + 1 < n else ref[2]
        height = top - pts[i, 2]
        if height > 0.0:
            volume += _hv2d(pts[: i + 1, :2], ref[:2]) * height
    return float(volume)


def _nondominated(pts: NDArray[np.float64]) -> NDArray[np.float64]:
    if pts.shape[0] <= 1:
        return pts
    pts = np.unique(pts, axis=0)
    no_worse = np.all(pts[:, None, :] <= pts[None, :, :], axis=2)
    better = np.any(pts[:, None, :] < pts[None, :, :], axis=2)
    dominated = (no_worse & better).any(axis=0)
    return np.asarray(pts[~dominated], dtype=np.float64)


def _wfg(pts: NDArray[np.float64], ref: NDArray[np.float64]) -> float:
    m = ref.size
    if pts.shape[0] == 0:
        return 0.0
    if m == 1:
        return float(ref[0] - pts[:, 0].min())
    if m == 2:
        return _hv2d(pts, ref)
    if m == 3:
        return _hv3d(pts, ref)
    pts = pts[np.argsort(-pts[:, -1], kind="stable")]  # worst last objective first
    volume = 0.0
    for i in range(pts.shape[0]):
        volume += _exclusive(pts[i], pts[i + 1 :], ref)
    return volume


def _exclusive(
    point: NDArray[np.float64], others: NDArray[np.float64], ref: NDArray[np.float64]
) -> float:
    inclusive = float(np.prod(ref - point))
    if others.shape[0] == 0:
        return inclusive
    limited = _nondominated(np.maximum(others, point))
    limited = limited[np.all(limited < ref, axis=1)]
    return inclusive - _wfg(limited, ref)


def _contributions_2d(pts: NDArray[np.float64], ref: NDArray[np.float64]) -> NDArray[np.float64]:
    """Exclusive contributions in 2-D: the rectangle between each front point's neighbours."""
    out = np.zeros(pts.shape[0])
    if pts.shape[0] == 0:
        return out
    order = np.lexsort((pts[:, 1], pts[:, 0]))  # by x, then y
    best_y = np.inf
    front: list[int] = []
    for i in order:  # keep strictly improving y: the non-dominated, non-duplicate points
        if pts[i, 1] < best_y:
            front.append(int(i))
            best_y = pts[i, 1]
    xs, ys = pts[front, 0], pts[front, 1]
    next_x = np.append(xs[1:], ref[0])
    prev_y = np.insert(ys[:-1], 0, ref[1])
    contrib = (next_x - xs) * (prev_y - ys)
    for k, i in enumerate(front):
        duplicated = np.sum(np.all(pts == pts[i], axis=1)) > 1
        out[i] = 0.0 if duplicated else contrib[k]
    return out


def hypervolume(points: ArrayLike, reference: ArrayLike) -> float:
    """Exact hypervolume dominated by ``points`` and bounded by ``reference``.

    Args:
        points: ``n x m`` loss vectors (every objective minimised).
        reference: ``m`` reference point; only points strictly below it in every objective
            count.

    Returns:
        The hypervolume (0 for an empty set).

    Raises:
        ValueError: On mismatched shapes, NaN, or a non-finite reference point.
    """
    pts, ref = _prepare(points, reference)
    if ref.size <= 3:  # the sweeps skip dominated points by themselves
        return _wfg(pts, ref)
    return _wfg(_nondominated(pts), ref)


def hypervolume_contributions(points: ArrayLike, reference: ArrayLike) -> NDArray[np.float64]:
    """Each point's exclusive contribution: the hypervolume lost if it alone were removed.

    Args:
        points: ``n x m`` loss vectors (every objective minimised).
        reference: ``m`` reference point.

    Returns:
        ``n`` contributions; dominated points, exact duplicates and points outside the
        reference box contribute 0.
    """
    _, ref = _prepare(points, reference)  # validates
    pts = np.asarray(points, dtype=np.float64).reshape(-1, ref.size)
    out = np.zeros(pts.shape[0], dtype=np.float64)
    inside = np.all(pts < ref, axis=1)
    if ref.size == 2:
        out[inside] = _contributions_2d(pts[inside], ref)
        return out
    for i in np.flatnonzero(inside):
        others = pts[inside & (np.arange(pts.shape[0]) != i)]
        out[i] = max(_exclusive(pts[i], others, ref), 0.0)
    return out
