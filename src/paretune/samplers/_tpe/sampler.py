"""Tree-structured Parzen estimator for several objectives and constraints."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._seeding import derive_seed
from paretune._warm import WARM_START_WEIGHT
from paretune._warm import is_warm_start
from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.samplers._base import BaseSampler
from paretune.samplers._cache import FinishedTrialCache
from paretune.samplers._per_trial import PerTrial
from paretune.samplers._sobol import SobolSampler
from paretune.samplers._space import decode
from paretune.samplers._space import encode_value
from paretune.samplers._space import has_space
from paretune.samplers._space import intersection_space
from paretune.samplers._split import normalise
from paretune.samplers._split import select_best
from paretune.samplers._tpe._kernels import contribution_weights
from paretune.samplers._tpe._kernels import default_gamma
from paretune.samplers._tpe._kernels import dimension_info

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["TPESampler", "default_gamma"]

_CANDIDATE_ROUNDS = 4
"""Rounds of candidates drawn when parameter constraints reject every candidate."""


_Split = tuple[list["TrialRecord"], np.ndarray, np.ndarray, list["TrialRecord"], np.ndarray]
"""Complete trials, the good-set mask, the weights of the good trials in order, the failed
trials (see :meth:`~paretune.study.Study.failures_for_sampler`), and each complete trial's
own weight (``warm_start_weight`` for a warm-start observation, else 1)."""

Fresh = Callable[[dict[str, Any]], bool]
"""Whether a proposal repeats no configuration of the study (see ``Study.is_evaluated``)."""


class TPESampler(BaseSampler):
    """Multivariate TPE that ranks trials by constraint-domination and Pareto fronts.

    After ``n_startup_trials`` complete trials (sampled by a scrambled Sobol design), each
    new trial splits the complete trials into a *good* set and the rest: feasible before
    infeasible, then by non-dominated front, with the front that does not fit whole ordered
    by hypervolume contribution (see :mod:`paretune.samplers._split`). Two Parzen estimators
    are fitted, ``l`` on the good set and ``g`` on the rest, over the parameters every
    complete trial has (jointly); ``n_ei_candidates`` points are drawn from ``l`` and the one
    with the largest ``l(x) / g(x)`` is proposed. Conditional parameters, present only in
    some trials, get the same treatment over the trials that have them: one at a time, or
    a branch at a time (``conditional="branch"``).

    Failed trials (the objective raised or returned NaN or a missing metric; not those
    whose worker process ended) join the rest in ``g`` with the weight of one trial each,
    over the parameters they have: ``l(x) / g(x)`` drops around a configuration that
    failed, so the sampler stops proposing its neighbourhood again and again. Without
    failures the proposals are unchanged.

    In a study that evaluates each configuration once (``deterministic_objective``), the
    best candidate that repeats no configuration of the study is proposed.

    Warm start: the complete trials of the studies a study warm-starts from are part of
    :meth:`~paretune.study.Study.trials_for_sampler`. They count towards
    ``n_startup_trials`` and the size of the good set, are ranked with the study's own
    trials, and join ``l`` or ``g`` with the weight ``warm_start_weight`` each (a trial of
    the study itself weighs 1): they shape the first proposals, and the study's own results
    outweigh them as they accumulate.

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
        conditional: How conditional parameters are proposed. ``"single"`` (default):
            one at a time, each from the trials that have it. ``"branch"`` (with
            ``multivariate``): the first parameter of a branch proposes the whole branch
            jointly (the parameters that every trial having the first one also has), from
            densities conditioned on the categorical choices this trial already holds
            where those trials differ in them, so that a model family's knobs are chosen
            together, as they work together. A branch of one parameter is proposed as in
            ``"single"``.
        distinct_good: Let trials with identical results (the same losses and violation,
            such as models that all predict one class) count once for the good set: the
            earliest may be good, its repeats join the rest, so the sampler stops
            spending trials on an outcome it already has.
        warm_start_weight: The weight of one warm-start observation in the densities,
            relative to one trial of the study (default 0.5).
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
        conditional: str = "single",
        distinct_good: bool = False,
        warm_start_weight: float = WARM_START_WEIGHT,
    ) -> None:
        if conditional not in ("single", "branch"):
            raise ValueError(f"`conditional` must be 'single' or 'branch', got {conditional!r}.")
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
        self.conditional = conditional
        self.distinct_good = distinct_good
        if not 0.0 < warm_start_weight <= 1.0:
            raise ValueError(f"`warm_start_weight` must lie in (0, 1], got {warm_start_weight}.")
        self.warm_start_weight = warm_start_weight
        self._startup = SobolSampler(seed=self.seed)
        self._cache = FinishedTrialCache()
        self._splits: PerTrial[_Split] = PerTrial()
        # "branch" mode: per trial, the values proposed so far and their distributions.
        self._proposed: PerTrial[dict[str, tuple[Distribution, Any]]] = PerTrial()

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        self.seed = int(seed)
        self._startup.reseed_rng(seed)

    # ---- the good/bad split, computed once per trial -------------------------------------
    def _split(self, study: Study, trial: TrialRecord) -> _Split:
        """Complete trials, the good-set mask and the good trials' weights, once per trial."""
        return self._splits.get(study, trial, lambda: self._compute_split(study))

    def _compute_split(self, study: Study) -> _Split:
        complete = study.trials_for_sampler()
        own = np.array([self.warm_start_weight if is_warm_start(t) else 1.0 for t in complete])
        if len(complete) < max(self.n_startup_trials, 2):
            return (complete, np.zeros(0, dtype=bool), np.zeros(0), [], own)
        losses, violations = self._cache.losses_and_violations(study, complete)
        good = self._good_set(losses, violations, int(self.gamma(len(complete))))
        weights = np.ones(int(good.sum()))
        if self.weight_by_contribution and losses.shape[1] > 1 and violations[good].max() <= 0:
            weights = contribution_weights(normalise(losses)[good])
        return (complete, good, weights * own[good], study.failures_for_sampler(), own)

    def _good_set(self, losses: np.ndarray, violations: np.ndarray, k: int) -> np.ndarray:
        """The good-set mask; with ``distinct_good``, repeated results count once."""
        if not self.distinct_good:
            return select_best(losses, violations, k)
        rows = np.column_stack([losses, violations])
        _, first = np.unique(rows, axis=0, return_index=True)
        first = np.sort(first)
        good = np.zeros(len(rows), dtype=bool)
        good[first[select_best(losses[first], violations[first], min(k, len(first)))]] = True
        return good

    def after_trial(self, study: Study, trial: TrialRecord) -> None:
        """Forget what was computed for the trial."""
        self._splits.forget(study, trial)
        self._proposed.forget(study, trial)

    # ---- sampling ------------------------------------------------------------------------
    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """The parameters every complete trial has, once the model is in use."""
        complete, good = self._split(study, trial)[:2]
        if good.size == 0:
            return self._startup.infer_relative_search_space(study, trial)
        if not self.multivariate:
            return {}
        return self._cache.intersection_space(study, complete)

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Jointly propose the parameters of ``search_space``."""
        split = self._split(study, trial)
        if split[1].size == 0:
            return self._startup.sample_relative(study, trial, search_space)
        rng = np.random.default_rng(derive_seed(self.seed, "tpe", trial.number))
        values = self._propose(
            study,
            rng,
            split,
            search_space,
            study.params_allowed,
            fresh=lambda v: not study.is_evaluated(v),
        )
        if self.conditional == "branch":
            self._remember(study, trial, {n: (search_space[n], v) for n, v in values.items()})
        return values

    def _remember(
        self, study: Study, trial: TrialRecord, values: dict[str, tuple[Distribution, Any]]
    ) -> None:
        self._proposed.get(study, trial, dict).update(values)  # one thread per trial

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Propose one (conditional) parameter from the trials that have it."""
        if self.conditional == "branch":
            earlier = self._proposed.get(study, trial, dict).get(name)
            if earlier is not None and earlier[0] == distribution:
                return earlier[1]  # proposed with its branch
        complete, good, weights, failed, own = self._split(study, trial)
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

        def fresh(values: dict[str, Any]) -> bool:
            return not study.is_evaluated({**fixed, **values})

        split = (subset, good[having], sub_weights, failed, own[having])
        if self.conditional == "branch" and self.multivariate:
            return self._propose_branch(study, trial, rng, split, name, allowed, fresh)
        values = self._propose(study, rng, split, {name: distribution}, allowed, fresh=fresh)
        return values[name]

    def _propose_branch(
        self,
        study: Study,
        trial: TrialRecord,
        rng: np.random.Generator,
        split: _Split,
        name: str,
        allowed: Callable[[dict[str, Any]], bool],
        fresh: Fresh,
    ) -> Any:
        """Propose ``name``'s whole branch given the trial's categorical values so far.

        Returns ``name``'s value; the rest of the branch is kept for the trial's next
        suggestions.
        """
        known = {
            n: (d, trial.params[n]) for n, d in trial.distributions.items() if n in trial.params
        }
        known.update(self._proposed.get(study, trial, dict))
        known.pop(name, None)  # proposed before with another distribution: propose anew
        common = intersection_space(split[0])
        # Condition on the categorical choices that differ between the branch's trials; a
        # choice they all share (the family that opened the branch) tells nothing.
        context: dict[str, Distribution] = {
            n: d
            for n, d in common.items()
            if isinstance(d, CategoricalDistribution)
            and n in known
            and known[n][0] == d
            and len({t.params[n] for t in split[0]}) > 1
        }
        branch = {n: d for n, d in common.items() if n not in known}
        values = self._propose(
            study,
            rng,
            split,
            branch,
            allowed,
            (context, {n: known[n][1] for n in context}),
            fresh=fresh,
        )
        self._remember(study, trial, {n: (branch[n], v) for n, v in values.items()})
        return values[name]

    def _propose(
        self,
        study: Study,
        rng: np.random.Generator,
        split: _Split,
        space: dict[str, Distribution],
        allowed: Callable[[dict[str, Any]], bool],
        given: tuple[dict[str, Distribution], dict[str, Any]] | None = None,
        *,
        fresh: Fresh | None = None,
    ) -> dict[str, Any]:
        """Propose ``space``; with ``given`` (a space and its values), conditioned on them.

        The best candidate that is ``allowed`` and ``fresh``, else the best ``allowed``.
        """
        from paretune.samplers._tpe._parzen import ParzenEstimator  # imports scipy

        trials, good, good_weights, failed, own = split
        given_space, given_values = given if given is not None else ({}, {})
        joint = {**given_space, **space}
        encoded = self._cache.encode(study, trials, joint)
        rest, rest_weights = encoded[~good], own[~good]
        failed_here = [t for t in failed if has_space(t, joint)]
        if failed_here:
            rest = np.vstack([rest, self._cache.encode(study, failed_here, joint)])
            rest_weights = np.concatenate([rest_weights, np.ones(len(failed_here))])
        n_choices, min_bw = dimension_info(joint)
        below = ParzenEstimator(
            encoded[good],
            n_choices,
            min_bw,
            self.prior_weight,
            good_weights,
            self.adaptive_bandwidth,
        )
        above = ParzenEstimator(
            rest, n_choices, min_bw, self.prior_weight, rest_weights, self.adaptive_bandwidth
        )
        if given_space:
            mask = np.array([n in given_space for n in joint])
            point = np.array(
                [
                    encode_value(joint[n], given_values[n]) if n in given_space else 0.0
                    for n in joint
                ]
            )
            below, above = below.conditioned(mask, point), above.conditioned(mask, point)
        best: dict[str, Any] | None = None
        repeat: dict[str, Any] | None = None  # the best allowed one, though evaluated
        for _ in range(_CANDIDATE_ROUNDS):  # skip invalid (and evaluated) candidates
            candidates = below.sample(rng, self.n_ei_candidates)
            score = below.log_pdf(candidates) - above.log_pdf(candidates)
            for index in np.argsort(-score):
                proposal = decode(candidates[index], space)
                if best is None:
                    best = proposal
                if allowed(proposal):
                    if fresh is None or fresh(proposal):
                        return proposal
                    repeat = proposal if repeat is None else repeat
        for fallback in (repeat, best):
            if fallback is not None:
                return fallback
        return {}
