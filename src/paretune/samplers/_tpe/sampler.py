"""Tree-structured Parzen estimator for several objectives and constraints."""

from __future__ import annotations

import math
import secrets
import threading
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._seeding import derive_seed
from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.distributions import FloatDistribution
from paretune.samplers._base import BaseSampler
from paretune.samplers._sobol import SobolSampler
from paretune.samplers._space import decode
from paretune.samplers._space import encode
from paretune.samplers._space import intersection_space
from paretune.samplers._split import losses_and_violations
from paretune.samplers._split import select_best
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["TPESampler", "default_gamma"]


def default_gamma(n: int) -> int:
    """Size of the good set for ``n`` complete trials: 15% of them, between 1 and 25."""
    return max(1, min(math.ceil(0.15 * n), 25))


def _dimension_info(space: dict[str, Distribution]) -> tuple[np.ndarray, np.ndarray]:
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


class TPESampler(BaseSampler):
    """Multivariate TPE that ranks trials by constraint-domination and Pareto fronts.

    After ``n_startup_trials`` complete trials (sampled by a scrambled Sobol design), each
    new trial splits the complete trials into a *good* set and the rest: feasible before
    infeasible, then by non-dominated front, with the front that does not fit whole ordered
    by hypervolume contribution (see :mod:`paretune.samplers._split`). Two Parzen estimators
    are fitted, ``l`` on the good set and ``g`` on the rest, over the parameters every
    complete trial has (jointly); ``n_ei_candidates`` points are drawn from ``l`` and the one
    with the largest ``l(x) / g(x)`` is proposed. Conditional parameters, present only in
    some trials, get the same treatment one at a time over the trials that have them.

    Args:
        seed: Seed; the same seed and history give the same proposals in any process.
        n_startup_trials: Complete trials sampled by Sobol before the model is used.
        n_ei_candidates: Candidates drawn from ``l`` per proposal.
        gamma: Maps the number of complete trials to the size of the good set.
        prior_weight: Weight of the prior kernel relative to one observation.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        gamma: Any = default_gamma,
        prior_weight: float = 1.0,
    ) -> None:
        if n_startup_trials < 0 or n_ei_candidates < 1:
            raise ValueError(
                f"`n_startup_trials` must be >= 0 and `n_ei_candidates` >= 1, got "
                f"{n_startup_trials} and {n_ei_candidates}."
            )
        self.seed = secrets.randbits(31) if seed is None else int(seed)
        self.n_startup_trials = n_startup_trials
        self.n_ei_candidates = n_ei_candidates
        self.gamma = gamma
        self.prior_weight = prior_weight
        self._startup = SobolSampler(seed=self.seed)
        self._splits: dict[tuple[str, int], tuple[list[TrialRecord], np.ndarray]] = {}
        self._lock = threading.Lock()

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        self.seed = int(seed)
        self._startup.reseed_rng(seed)

    # ---- the good/bad split, computed once per trial -------------------------------------
    def _split(self, study: Study, trial: TrialRecord) -> tuple[list[TrialRecord], np.ndarray]:
        key = (study.name, trial.number)
        with self._lock:
            if key in self._splits:
                return self._splits[key]
        complete = study.get_trials(states=(TrialState.COMPLETE,))
        if len(complete) < max(self.n_startup_trials, 2):
            split: tuple[list[TrialRecord], np.ndarray] = (complete, np.zeros(0, dtype=bool))
        else:
            losses, violations = losses_and_violations(study, complete)
            good = select_best(losses, violations, int(self.gamma(len(complete))))
            split = (complete, good)
        with self._lock:
            self._splits[key] = split
        return split

    def after_trial(self, study: Study, trial: TrialRecord) -> None:
        """Forget the trial's cached split."""
        with self._lock:
            self._splits.pop((study.name, trial.number), None)

    # ---- sampling ------------------------------------------------------------------------
    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """The parameters every complete trial has, once the model is in use."""
        complete, good = self._split(study, trial)
        if good.size == 0:
            return self._startup.infer_relative_search_space(study, trial)
        return intersection_space(complete)

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Jointly propose the parameters of ``search_space``."""
        complete, good = self._split(study, trial)
        if good.size == 0:
            return self._startup.sample_relative(study, trial, search_space)
        rng = np.random.default_rng(derive_seed(self.seed, "tpe", trial.number))
        return self._propose(rng, complete, good, search_space)

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Propose one (conditional) parameter from the trials that have it."""
        complete, good = self._split(study, trial)
        if good.size == 0:
            return self._startup.sample_independent(study, trial, name, distribution)
        having = [i for i, t in enumerate(complete) if t.distributions.get(name) == distribution]
        if not having or not good[having].any():
            return self._startup.sample_independent(study, trial, name, distribution)
        rng = np.random.default_rng(derive_seed(self.seed, "tpe", trial.number, name))
        subset = [complete[i] for i in having]
        values = self._propose(rng, subset, good[having], {name: distribution})
        return values[name]

    def _propose(
        self,
        rng: np.random.Generator,
        trials: list[TrialRecord],
        good: np.ndarray,
        space: dict[str, Distribution],
    ) -> dict[str, Any]:
        from paretune.samplers._tpe._parzen import ParzenEstimator  # imports scipy

        encoded = encode(trials, space)
        n_choices, min_bw = _dimension_info(space)
        below = ParzenEstimator(encoded[good], n_choices, min_bw, self.prior_weight)
        above = ParzenEstimator(encoded[~good], n_choices, min_bw, self.prior_weight)
        candidates = below.sample(rng, self.n_ei_candidates)
        score = below.log_pdf(candidates) - above.log_pdf(candidates)
        return decode(candidates[int(np.argmax(score))], space)
