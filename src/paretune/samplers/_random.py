"""Uniform random search."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING
from typing import Any

from paretune._seeding import uniform
from paretune.distributions import Distribution
from paretune.samplers._base import BaseSampler

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["RandomSampler"]


class RandomSampler(BaseSampler):
    """Samples every parameter independently and uniformly (in the log for log scales).

    Each value is a uniform number determined by ``(seed, trial number, parameter name)``,
    so a trial's values depend neither on the order of suggestions nor on which process runs
    it: the same seed gives the same study, sequentially or with many workers.

    Args:
        seed: The seed; None draws one from the operating system.
    """

    def __init__(self, *, seed: int | None = None) -> None:
        self.seed = secrets.randbits(31) if seed is None else int(seed)

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        self.seed = int(seed)

    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """Random search samples nothing jointly."""
        return {}

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Random search samples nothing jointly."""
        return {}

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Draw one uniform value for ``name``."""
        u = uniform(self.seed, trial.number, name)
        return distribution.from_unit(u)
