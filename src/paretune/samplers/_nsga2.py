"""NSGA-II with constraint-domination, for mixed and conditional search spaces."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._seeding import derive_seed
from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.pareto import constrained_nondominated_sort
from paretune.pareto import crowding_distance
from paretune.samplers._base import BaseSampler
from paretune.samplers._cache import FinishedTrialCache
from paretune.samplers._near_failure import nearest_is_failed
from paretune.samplers._per_trial import PerTrial
from paretune.samplers._sobol import SobolSampler
from paretune.samplers._space import decode
from paretune.samplers._space import encode
from paretune.samplers._space import has_space
from paretune.samplers._space import intersection_space
from paretune.samplers._split import normalise
from paretune.samplers._split import select_best

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["NSGAIISampler"]

_BREEDING_ATTEMPTS = 20
"""Children bred per trial at most when parameter constraints or failures reject them."""


def sbx_crossover(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, eta: float) -> np.ndarray:
    """Simulated binary crossover in ``[0, 1]``; returns one child."""
    u = rng.random(a.shape)
    beta = np.where(u <= 0.5, (2 * u) ** (1 / (eta + 1)), (1 / (2 * (1 - u))) ** (1 / (eta + 1)))
    child = 0.5 * ((1 + beta) * a + (1 - beta) * b)
    if rng.random() < 0.5:
        child = 0.5 * ((1 - beta) * a + (1 + beta) * b)
    return np.asarray(np.clip(child, 0.0, 1.0))


def polynomial_mutation(rng: np.random.Generator, x: np.ndarray, eta: float) -> np.ndarray:
    """Polynomial mutation of values in ``[0, 1]`` (every entry mutated)."""
    u = rng.random(x.shape)
    delta = np.where(
        u < 0.5,
        (2 * u + (1 - 2 * u) * (1 - x) ** (eta + 1)) ** (1 / (eta + 1)) - 1,
        1 - (2 * (1 - u) + 2 * (u - 0.5) * x ** (eta + 1)) ** (1 / (eta + 1)),
    )
    return np.asarray(np.clip(x + delta, 0.0, 1.0))


class NSGAIISampler(BaseSampler):
    """The elitist genetic algorithm NSGA-II, with Deb's constraint-domination.

    Trials are grouped into generations of ``population_size`` by trial number. Generation
    0 is a scrambled Sobol design. A trial of generation ``g`` takes as parents the best
    ``population_size`` complete trials numbered before generation ``g`` started (feasible
    first, then by non-dominated front, ties by hypervolume contribution), picks two by
    binary tournament (front, then crowding distance), and proposes a child: simulated
    binary crossover and polynomial mutation on numerical parameters (in the unit interval,
    so log scales and steps are respected), uniform crossover and random reset on
    categorical ones. Conditional parameters are inherited from a parent that has them.

    Failed trials (the objective raised or returned NaN or a missing metric; not those
    whose worker process ended) cannot be parents, and they also steer breeding: a child
    whose nearest finished configuration failed (nearer than any complete one, over the
    parameters both have, in the unit encoding) is bred again, up to 20 times, and a
    conditional parameter's inherited value likewise. Without it, parents next to a
    crashing region keep breeding children into it. Without failures the proposals are
    unchanged. In a study that evaluates each configuration once
    (``deterministic_objective``), a child that repeats a configuration of the study is
    bred again too.

    Warm start: the complete trials of the studies a study warm-starts from (see
    :meth:`~paretune.study.Study.trials_for_sampler`) join the parent pool from generation
    1 on, ranked with the study's own trials; generation 0 stays the Sobol design.

    Args:
        seed: Seed; the same seed and history give the same proposals in any process.
        population_size: Trials per generation.
        crossover_prob: Probability that a child is a crossover rather than a copy.
        eta_crossover: Distribution index of SBX (larger keeps children nearer parents).
        eta_mutation: Distribution index of polynomial mutation.
        mutation_prob: Per-parameter mutation probability; None means ``1 / d``.

    The defaults (``eta = 5`` for both operators, mutation probability 0.5) explore more
    than the textbook ``eta_c = 15, eta_m = 20, p = 1 / d``, which tends to converge prematurely
    at the budgets of a few hundred trials that model tuning affords.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        population_size: int = 20,
        crossover_prob: float = 0.9,
        eta_crossover: float = 5.0,
        eta_mutation: float = 5.0,
        mutation_prob: float | None = 0.5,
    ) -> None:
        if population_size < 2:
            raise ValueError(f"`population_size` must be at least 2, got {population_size}.")
        self.seed = secrets.randbits(31) if seed is None else int(seed)
        self.population_size = population_size
        self.crossover_prob = crossover_prob
        self.eta_crossover = eta_crossover
        self.eta_mutation = eta_mutation
        self.mutation_prob = mutation_prob
        self._startup = SobolSampler(seed=self.seed)
        self._cache = FinishedTrialCache()
        # (study, generation) -> (pool size it was computed from, parents)
        self._parent_cache: dict[tuple[str, int], tuple[int, list[TrialRecord]]] = {}
        # Per trial: the study's trials for samplers and its failures, each read once
        # (a storage query) and shared by the trial's relative and conditional parameters.
        self._complete: PerTrial[list[TrialRecord]] = PerTrial()
        self._failures: PerTrial[list[TrialRecord]] = PerTrial()
        self._lock = threading.Lock()

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        self.seed = int(seed)
        self._startup.reseed_rng(seed)

    def _parents(self, study: Study, trial: TrialRecord) -> list[TrialRecord]:
        """The elite of the trials numbered before this trial's generation began."""
        generation = trial.number // self.population_size
        if generation == 0:
            return []
        cutoff = generation * self.population_size
        complete = self._complete.get(study, trial, study.trials_for_sampler)
        pool = [t for t in complete if t.number < cutoff]
        if len(pool) < 2:
            return []
        key = (study.name, generation)
        with self._lock:
            cached = self._parent_cache.get(key)
        if cached is not None and cached[0] == len(pool):
            return cached[1]
        losses, violations = self._cache.losses_and_violations(study, pool)
        keep = self._elite(losses, violations, self.population_size, generation)
        parents = [t for t, k in zip(pool, keep, strict=True) if k]
        with self._lock:
            self._parent_cache[key] = (len(pool), parents)
        return parents

    def _elite(
        self, losses: np.ndarray, violations: np.ndarray, k: int, generation: int
    ) -> np.ndarray:
        """Mask of the ``k`` survivors: constraint-domination, ties by hypervolume.

        Subclasses change how the last, partly admitted front is thinned.
        """
        return select_best(losses, violations, k)

    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """The parameters every parent has (the startup design's space in generation 0)."""
        parents = self._parents(study, trial)
        if not parents:
            return self._startup.infer_relative_search_space(study, trial)
        return intersection_space(parents)

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Breed one child from two tournament-selected parents."""
        parents = self._parents(study, trial)
        if not parents:
            return self._startup.sample_relative(study, trial, search_space)
        rng = np.random.default_rng(derive_seed(self.seed, "nsga2", trial.number))
        losses, violations = self._cache.losses_and_violations(study, parents)
        ranks = constrained_nondominated_sort(losses, violations)
        crowding = np.zeros(len(parents))
        for rank in np.unique(ranks):
            members = ranks == rank
            crowding[members] = crowding_distance(normalise(losses[members]))

        def tournament() -> int:
            i, j = rng.choice(len(parents), size=2, replace=False)
            if ranks[i] != ranks[j]:
                return int(i if ranks[i] < ranks[j] else j)
            return int(i if crowding[i] >= crowding[j] else j)

        encoded = self._cache.encode(study, parents, search_space)
        near_failure = self._failure_check(study, trial, search_space)
        child: dict[str, Any] = {}
        fallback: dict[str, Any] | None = None
        for _ in range(_BREEDING_ATTEMPTS):  # breed again: constraints, failures, repeats
            first, second = encoded[tournament()], encoded[tournament()]
            row = self._breed(rng, first, second, search_space)
            child = decode(row, search_space)
            if not study.params_allowed(child):
                continue
            if not near_failure(row) and not study.is_evaluated(child):
                return child
            fallback = child if fallback is None else fallback
        return child if fallback is None else fallback

    def _failure_check(
        self, study: Study, trial: TrialRecord, space: dict[str, Distribution]
    ) -> Callable[[np.ndarray], bool]:
        """``row -> bool``: whether an encoded configuration of ``space`` lies nearer a
        failed trial than a complete one (always False without failures).

        The study's failures and complete trials are read once per trial (storage
        queries) and shared by the trial's relative and conditional parameters;
        :meth:`after_trial` forgets them.
        """
        failures = self._failures.get(study, trial, study.failures_for_sampler)
        failed = [t for t in failures if has_space(t, space)]
        if not failed:
            return lambda row: False
        every_complete = self._complete.get(study, trial, study.trials_for_sampler)
        complete = [t for t in every_complete if has_space(t, space)]
        failed_rows = self._cache.encode(study, failed, space)
        complete_rows = self._cache.encode(study, complete, space)
        categorical = np.array([isinstance(d, CategoricalDistribution) for d in space.values()])
        return lambda row: nearest_is_failed(row, complete_rows, failed_rows, categorical)

    def after_trial(self, study: Study, trial: TrialRecord) -> None:
        """Forget the trials read for ``trial``."""
        self._failures.forget(study, trial)
        self._complete.forget(study, trial)

    def _breed(
        self,
        rng: np.random.Generator,
        first: np.ndarray,
        second: np.ndarray,
        space: dict[str, Distribution],
    ) -> np.ndarray:
        categorical = np.array([isinstance(d, CategoricalDistribution) for d in space.values()])
        numeric = ~categorical
        child = first.copy()
        if rng.random() < self.crossover_prob:
            if numeric.any():
                child[numeric] = sbx_crossover(
                    rng, first[numeric], second[numeric], self.eta_crossover
                )
            swap = categorical & (rng.random(first.shape) < 0.5)
            child[swap] = second[swap]
        d = len(space)
        p = self.mutation_prob if self.mutation_prob is not None else 1.0 / max(d, 1)
        mutate = rng.random(d) < p
        if (mutate & numeric).any():
            child[mutate & numeric] = polynomial_mutation(
                rng, child[mutate & numeric], self.eta_mutation
            )
        for j, dist in enumerate(space.values()):
            if mutate[j] and isinstance(dist, CategoricalDistribution):
                child[j] = rng.integers(0, len(dist.choices))
        return child

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Inherit a conditional parameter from a parent that has it, with mutation."""
        parents = [
            t for t in self._parents(study, trial) if t.distributions.get(name) == distribution
        ]
        if not parents:
            return self._startup.sample_independent(study, trial, name, distribution)
        rng = np.random.default_rng(derive_seed(self.seed, "nsga2", trial.number, name))
        space = {name: distribution}
        near_failure = self._failure_check(study, trial, space)
        first: Any = None
        for _ in range(_BREEDING_ATTEMPTS):  # breed again near a failure of this parameter
            donor = parents[int(rng.integers(0, len(parents)))]
            value = encode([donor], space)[0]
            row = self._breed(rng, value, value, space)
            if not near_failure(row):
                return decode(row, space)[name]
            first = decode(row, space)[name] if first is None else first
        return first
