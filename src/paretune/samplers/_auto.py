"""paretune's default sampler: picks a configuration for the study it serves."""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING
from typing import Any

from paretune.distributions import Distribution
from paretune.samplers._base import BaseSampler
from paretune.samplers._tpe.sampler import TPESampler

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["AutoSampler"]


class AutoSampler(BaseSampler):
    """The default (``sampler=None``): a Sobol start, then the TPE that suits the study.

    The choice follows ``benchmarks/samplers.py`` (results in ``benchmarks/RESULTS.md``):

    * one or two objectives: multivariate TPE (joint kernels over the common parameters),
      which led on the ZDT, constrained (BNH, SRN, TNK) and mixed conditional problems;
    * three or more objectives: TPE with one kernel density per parameter, which led on
      DTLZ2, where joint kernels in many dimensions stay too wide for the budget.

    Both start with a 10-trial scrambled Sobol design and rank trials by
    constraint-domination with hypervolume-weighted good sets.

    Args:
        seed: Seed for the chosen sampler.
    """

    def __init__(self, *, seed: int | None = None) -> None:
        self.seed = secrets.randbits(31) if seed is None else int(seed)
        self._chosen: dict[str, BaseSampler] = {}
        self._lock = threading.Lock()

    def choose(self, study: Study) -> BaseSampler:
        """The sampler used for ``study`` (created on first use)."""
        with self._lock:
            sampler = self._chosen.get(study.name)
            if sampler is None:
                sampler = TPESampler(seed=self.seed, multivariate=len(study.objectives) < 3)
                self._chosen[study.name] = sampler
            return sampler

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        with self._lock:
            self.seed = int(seed)
            for sampler in self._chosen.values():
                sampler.reseed_rng(seed)

    def before_trial(self, study: Study, trial: TrialRecord) -> None:
        """Delegate to the chosen sampler."""
        self.choose(study).before_trial(study, trial)

    def after_trial(self, study: Study, trial: TrialRecord) -> None:
        """Delegate to the chosen sampler."""
        self.choose(study).after_trial(study, trial)

    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """Delegate to the chosen sampler."""
        return self.choose(study).infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Delegate to the chosen sampler."""
        return self.choose(study).sample_relative(study, trial, search_space)

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Delegate to the chosen sampler."""
        return self.choose(study).sample_independent(study, trial, name, distribution)
