"""Scrambled Sobol quasi-random search."""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.distributions import Distribution
from paretune.samplers._base import BaseSampler
from paretune.samplers._random import RandomSampler

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["SobolSampler"]


class SobolSampler(BaseSampler):
    """Fills the search space evenly with a scrambled Sobol sequence (``scipy.stats.qmc``).

    The Sobol dimensions are the parameters of the study's first complete trial, sorted by
    name; trial ``n`` takes point ``n`` of the sequence, so the design does not depend on
    which worker runs which trial. A parameter of that space that a trial does not suggest
    (a conditional branch not taken) simply leaves its coordinate unused. Parameters outside
    the space, and every parameter of trials that start before any trial completed, are
    drawn uniformly at random with the same seed.

    Args:
        seed: Seeds the scrambling and the random fallback; None draws one.
        scramble: Use Owen-scrambled points (recommended); False gives the plain sequence.
    """

    def __init__(self, *, seed: int | None = None, scramble: bool = True) -> None:
        self.seed = secrets.randbits(31) if seed is None else int(seed)
        self.scramble = scramble
        self._fallback = RandomSampler(seed=self.seed)
        self._spaces: dict[str, dict[str, Distribution]] = {}  # by study name
        self._engine: Any = None
        self._lock = threading.Lock()

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on (restarts the sequence's scrambling)."""
        with self._lock:
            self.seed = int(seed)
            self._fallback.reseed_rng(seed)
            self._engine = None

    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """The parameters of the first complete trial, fixed from then on."""
        space = self._spaces.get(study.name)
        if space is None:
            complete = study.trials_for_sampler()
            if not complete:
                return {}
            first = min(complete, key=lambda t: t.number)
            space = {k: first.distributions[k] for k in sorted(first.distributions)}
            self._spaces[study.name] = space
        return dict(space)

    def _point(self, index: int, dim: int) -> np.ndarray:
        from scipy.stats import qmc

        with self._lock:
            if self._engine is None or self._engine.d != dim:
                self._engine = qmc.Sobol(d=dim, scramble=self.scramble, seed=self.seed)
            engine = self._engine
            if engine.num_generated > index:
                engine.reset()
            if index > engine.num_generated:
                engine.fast_forward(index - engine.num_generated)
            return np.asarray(engine.random(1)[0])

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Map point ``trial.number`` of the sequence onto the space."""
        if not search_space:
            return {}
        point = self._point(trial.number, len(search_space))
        pairs = zip(search_space.items(), point, strict=True)
        return {name: dist.from_unit(float(u)) for (name, dist), u in pairs}

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Uniform random draw, seeded by (seed, trial number, name)."""
        return self._fallback.sample_independent(study, trial, name, distribution)
