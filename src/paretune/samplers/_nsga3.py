"""NSGA-III: NSGA-II with reference-direction niching for three or more objectives."""

from __future__ import annotations

import itertools
import math

import numpy as np

from paretune._seeding import derive_seed
from paretune.samplers._nsga2 import NSGAIISampler
from paretune.samplers._split import select_best

__all__ = ["NSGAIIISampler", "reference_directions"]


def reference_directions(n_objectives: int, divisions: int) -> np.ndarray:
    """Das and Dennis's evenly spaced points on the unit simplex.

    Args:
        n_objectives: Dimension ``m``.
        divisions: Steps per axis ``p``; gives ``C(m + p - 1, p)`` points.

    Returns:
        ``C(m + p - 1, p) x m`` non-negative rows summing to 1.
    """
    points = []
    for bars in itertools.combinations(range(divisions + n_objectives - 1), n_objectives - 1):
        edges = (-1, *bars, divisions + n_objectives - 1)
        points.append([edges[i + 1] - edges[i] - 1 for i in range(n_objectives)])
    return np.asarray(points, dtype=np.float64) / divisions


def _default_divisions(n_objectives: int, population_size: int) -> int:
    """The most divisions whose direction count does not exceed the population."""
    p = 1
    while math.comb(n_objectives + p, p + 1) <= population_size:
        p += 1
    return p


class NSGAIIISampler(NSGAIISampler):
    """NSGA-III (Deb and Jain, 2014) with Deb's constraint-domination.

    Everything is as in :class:`NSGAIISampler` (breeding away from failed trials included)
    except how the last, partly admitted front is thinned: objectives are translated by
    the ideal point and scaled by the spread of the candidates, each candidate is
    associated with the nearest of a set of reference directions (Das-Dennis points on the
    simplex), and survivors are picked so that every direction gets as even a share as
    possible. This keeps spread on fronts of three or more objectives, where crowding
    distance stops working.

    Args:
        seed: Seed; the same seed and history give the same proposals in any process.
        population_size: Trials per generation.
        divisions: Das-Dennis divisions per axis; None picks the most that give no more
            directions than ``population_size``.
        reference_points: Explicit directions (``k x m``, non-negative), overriding
            ``divisions``; e.g. to focus on the accurate end of a front.
        **kwargs: Passed to :class:`NSGAIISampler` (crossover and mutation settings).
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        population_size: int = 20,
        divisions: int | None = None,
        reference_points: np.ndarray | None = None,
        **kwargs: float | None,
    ) -> None:
        super().__init__(seed=seed, population_size=population_size, **kwargs)  # type: ignore[arg-type]
        self.divisions = divisions
        self.reference_points = None if reference_points is None else np.asarray(reference_points)

    def _directions(self, n_objectives: int) -> np.ndarray:
        if self.reference_points is not None:
            refs = np.asarray(self.reference_points, dtype=np.float64)
        else:
            p = self.divisions or _default_divisions(n_objectives, self.population_size)
            refs = reference_directions(n_objectives, p)
        norms = np.linalg.norm(refs, axis=1, keepdims=True)
        return np.asarray(refs / np.where(norms > 0, norms, 1.0))

    def _elite(
        self, losses: np.ndarray, violations: np.ndarray, k: int, generation: int
    ) -> np.ndarray:
        rng = np.random.default_rng(derive_seed(self.seed, "nsga3", generation))

        def niching(selected: np.ndarray, members: np.ndarray, room: int) -> np.ndarray:
            return self._niche(losses, selected, members, room, rng)

        return select_best(losses, violations, k, tie_break=niching)

    def _niche(
        self,
        losses: np.ndarray,
        selected: np.ndarray,
        last: np.ndarray,
        room: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Pick ``room`` members of the last front, filling the emptiest niches first."""
        pool = np.concatenate([np.flatnonzero(selected), last])
        ideal = losses[pool].min(axis=0)
        span = losses[pool].max(axis=0) - ideal
        span[span <= 0] = 1.0
        scaled = (losses[pool] - ideal) / span
        dirs = self._directions(losses.shape[1])
        projections = scaled @ dirs.T
        distances = np.sqrt(
            np.maximum((scaled**2).sum(axis=1, keepdims=True) - projections**2, 0.0)
        )
        niche = distances.argmin(axis=1)
        dist = distances[np.arange(len(pool)), niche]
        n_selected = int(selected.sum())
        counts = np.bincount(niche[:n_selected], minlength=len(dirs))
        candidates = list(range(n_selected, len(pool)))
        chosen: list[int] = []
        open_niches = np.ones(len(dirs), dtype=bool)
        while len(chosen) < room:
            eligible = np.flatnonzero(open_niches)
            lowest = counts[eligible].min()
            j = int(rng.choice(eligible[counts[eligible] == lowest]))
            members = [c for c in candidates if niche[c] == j]
            if not members:
                open_niches[j] = False
                continue
            pick = (
                min(members, key=lambda c: dist[c]) if counts[j] == 0 else int(rng.choice(members))
            )
            chosen.append(pick)
            candidates.remove(pick)
            counts[j] += 1
        return np.asarray(pool[chosen], dtype=np.int64)
