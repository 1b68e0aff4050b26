"""Tree-structured Parzen estimator for several objectives and constraints."""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._seeding import derive_seed
from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.distributions import FloatDistribution
from paretune.pareto import hypervolume_contributions
from paretune.samplers._base import BaseSampler
from paretune.samplers._cache import FinishedTrialCache
from paretune.samplers._sobol import SobolSampler
from paretune.samplers._space import decode
from paretune.samplers._space import has_space
from paretune.samplers._split import normalise
from paretune.samplers._split import select_best

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["TPESampler", "default_gamma"]

_CANDIDATE_ROUNDS = 4
"""Rounds of candidates drawn when parameter constraints reject every candidate."""


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


_Split = tuple[list["TrialRecord"], np.ndarray, np.ndarray, list["TrialRecord"]]
"""Complete trials, the good-set mask, the weights of the good trials in order, and the
failed trials (see :meth:`~paretune.study.Study.failures_for_sampler`)."""


def _contribution_weights(scaled_good: np.ndarray) -> np.ndarray:
    """Hypervolume contribution of each good trial (normalised losses), scaled to max 1."""
    contributions = hypervolume_contributions(scaled_good, np.full(scaled_good.shape[1], 1.1))
    top = contributions.max()
    if top <= 0:
        return np.ones(len(scaled_good))
    return np.asarray(np.maximum(contributions / top, 0.05))


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

    Failed trials (the objective raised or returned NaN or a missing metric; not those
    whose worker process ended) join the rest in ``g`` with the weight of one trial each,
    over the parameters they have: ``l(x) / g(x)`` drops around a configuration that
    failed, so the sampler stops proposing its neighbourhood again and again. Without
    failures the proposals are unchanged.

    Args:
        seed: Seed; the same seed and history give the same proposals in any process.
        n_startup_trials: Complete trials sampled by Sobol before the model is used.
        n_ei_candidates: Candidates drawn from ``l`` per proposal.
        gamma: Maps the number of complete trials to the size of the good set.
        prior_weight: Weight of the prior kernel relative to one observation.
        weight_by_contribution: With several objectives, weight each good trial's kernel by
            its hypervolume contribution, so that sparse parts of the front are explored.
        adaptive_bandwidth: Scale kernel widths by the spread of each set (Scott's rule).
        multivariate: Model the common parameters jointly (True) or each on its own.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        gamma: Any = default_gamma,
        prior_weight: float = 1.0,
        weight_by_contribution: bool = True,
        adaptive_bandwidth: bool = False,
        multivariate: bool = True,
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
        self.weight_by_contribution = weight_by_contribution
        self.adaptive_bandwidth = adaptive_bandwidth
        self.multivariate = multivariate
        self._startup = SobolSampler(seed=self.seed)
        self._cache = FinishedTrialCache()
        self._splits: dict[tuple[str, int], _Split] = {}
        self._lock = threading.Lock()

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        self.seed = int(seed)
        self._startup.reseed_rng(seed)

    # ---- the good/bad split, computed once per trial -------------------------------------
    def _split(self, study: Study, trial: TrialRecord) -> _Split:
        """Complete trials, the good-set mask and the good trials' weights, once per trial."""
        key = (study.name, trial.number)
        with self._lock:
            if key in self._splits:
                return self._splits[key]
        complete = study.trials_for_sampler()
        if len(complete) < max(self.n_startup_trials, 2):
            split: _Split = (complete, np.zeros(0, dtype=bool), np.zeros(0), [])
        else:
            losses, violations = self._cache.losses_and_violations(study, complete)
            good = select_best(losses, violations, int(self.gamma(len(complete))))
            weights = np.ones(int(good.sum()))
            if self.weight_by_contribution and losses.shape[1] > 1 and violations[good].max() <= 0:
                weights = _contribution_weights(normalise(losses)[good])
            split = (complete, good, weights, study.failures_for_sampler())
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
        complete, good, _weights, _failed = self._split(study, trial)
        if good.size == 0:
            return self._startup.infer_relative_search_space(study, trial)
        if not self.multivariate:
            return {}
        return self._cache.intersection_space(study, complete)

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Jointly propose the parameters of ``search_space``."""
        complete, good, weights, failed = self._split(study, trial)
        if good.size == 0:
            return self._startup.sample_relative(study, trial, search_space)
        rng = np.random.default_rng(derive_seed(self.seed, "tpe", trial.number))
        return self._propose(
            study, rng, (complete, good, weights, failed), search_space, study.params_allowed
        )

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Propose one (conditional) parameter from the trials that have it."""
        complete, good, weights, failed = self._split(study, trial)
        if good.size == 0:
            return self._startup.sample_independent(study, trial, name, distribution)
        having = [i for i, t in enumerate(complete) if t.distributions.get(name) == distribution]
        if not having or not good[having].any():
            return self._startup.sample_independent(study, trial, name, distribution)
        rng = np.random.default_rng(derive_seed(self.seed, "tpe", trial.number, name))
        subset = [complete[i] for i in having]
        good_rank = np.cumsum(good) - 1  # position of each good trial among the good ones
        sub_weights = weights[good_rank[having][good[having]]]
        fixed = dict(trial.params)

        def allowed(values: dict[str, Any]) -> bool:
            return study.params_allowed({**fixed, **values})

        values = self._propose(
            study, rng, (subset, good[having], sub_weights, failed), {name: distribution}, allowed
        )
        return values[name]

    def _propose(
        self,
        study: Study,
        rng: np.random.Generator,
        split: _Split,
        space: dict[str, Distribution],
        allowed: Callable[[dict[str, Any]], bool],
    ) -> dict[str, Any]:
        from paretune.samplers._tpe._parzen import ParzenEstimator  # imports scipy

        trials, good, good_weights, failed = split
        encoded = self._cache.encode(study, trials, space)
        rest = encoded[~good]
        failed_here = [t for t in failed if has_space(t, space)]
        if failed_here:
            rest = np.vstack([rest, self._cache.encode(study, failed_here, space)])
        n_choices, min_bw = _dimension_info(space)
        below = ParzenEstimator(
            encoded[good],
            n_choices,
            min_bw,
            self.prior_weight,
            good_weights,
            self.adaptive_bandwidth,
        )
        above = ParzenEstimator(
            rest, n_choices, min_bw, self.prior_weight, None, self.adaptive_bandwidth
        )
        best: dict[str, Any] | None = None
        for _ in range(_CANDIDATE_ROUNDS):  # known parameter constraints: skip invalid ones
            candidates = below.sample(rng, self.n_ei_candidates)
            score = below.log_pdf(candidates) - above.log_pdf(candidates)
            for index in np.argsort(-score):
                proposal = decode(candidates[index], space)
                if best is None:
                    best = proposal
                if allowed(proposal):
                    return proposal
        return best if best is not None else {}
