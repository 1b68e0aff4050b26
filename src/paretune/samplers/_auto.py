"""paretune's default sampler: picks a configuration for the study it serves."""

from __future__ import annotations

import importlib.util
import secrets
import statistics
import threading
import time
from typing import TYPE_CHECKING
from typing import Any

from paretune.distributions import Distribution
from paretune.samplers._base import BaseSampler
from paretune.samplers._per_trial import PerTrial
from paretune.samplers._tpe.sampler import TPESampler

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["AutoSampler"]

GP_MAX_TRIALS = 200
"""Complete trials after which the default leaves Gaussian processes for TPE."""

GP_MAX_SHARE = 0.5
"""With ``use_gp=None``, the most a GP suggestion may cost as a share of a trial's median
duration: above it, TPE (milliseconds per suggestion) is used instead."""

GP_FIRST_GUESS_S = 1.0
"""What a GP suggestion is assumed to cost before one was timed in the study."""


def _bo_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("botorch", "torch"))


class AutoSampler(BaseSampler):
    """The default (``sampler=None``): a Sobol start, then the model that suits the study.

    The choice is made again before every trial:

    * Gaussian-process BO (:class:`~paretune.samplers.GPSampler`) while the study has
      fewer than :data:`GP_MAX_TRIALS` complete trials, when the ``bo`` extra is installed,
      the objective is slow enough to pay for it (a GP suggestion, timed in the study, or
      :data:`GP_FIRST_GUESS_S` before the first, costs at most :data:`GP_MAX_SHARE` of the
      complete trials' median duration: installing the extra never makes a study of cheap
      trials many times slower), the study has no fidelity and no scheduler
      (multi-fidelity and early-stopping studies run many cheap or stopped trials, where a
      GP fit per trial would cost more than the trials) and every complete trial has the
      same parameters (GPs model only a flat space). At such budgets GPs find better fronts
      per evaluation than TPE.
    * Otherwise TPE: multivariate (joint kernels over the common parameters, and each
      branch of a conditional space proposed jointly: ``conditional="branch"``) for one
      or two objectives, one kernel density per parameter for three or more, where joint
      kernels in many dimensions stay too wide for the budget. Repeated results (models
      that all predict one class, say) count once for the good set
      (``distinct_good=True``). TPE handles conditional spaces and costs milliseconds
      per suggestion at thousands of trials.

    Every choice starts with the same 10-trial scrambled Sobol design and ranks trials by
    constraint-domination.

    Args:
        seed: Seed for the chosen samplers.
        use_gp: ``None`` (default) uses GPs when the ``bo`` extra is installed and the
            trials are slow enough (see above); ``True`` whenever the study suits them,
            however fast its trials (it requires the extra and raises its install hint
            without it); ``False`` never (TPE throughout, milliseconds per suggestion).
    """

    def __init__(self, *, seed: int | None = None, use_gp: bool | None = None) -> None:
        self.seed = secrets.randbits(31) if seed is None else int(seed)
        self.use_gp = _bo_installed() if use_gp is None else use_gp
        self._weigh_cost = use_gp is None
        self._gp_seconds: dict[str, list[float]] = {}  # study -> timed GP suggestions
        self._chosen: dict[tuple[str, str], BaseSampler] = {}
        self._by_trial: PerTrial[BaseSampler] = PerTrial()
        self._past_gp: set[str] = set()  # studies that can never suit GPs again
        self._lock = threading.Lock()

    def choose(self, study: Study) -> BaseSampler:
        """The sampler used for the next trial of ``study`` (created on first use)."""
        kind = "gp" if self._gp_suits(study) else "tpe"
        with self._lock:
            sampler = self._chosen.get((study.name, kind))
            if sampler is None:
                sampler = self._create(kind, len(study.objectives))
                self._chosen[(study.name, kind)] = sampler
            return sampler

    def _for_trial(self, study: Study, trial: TrialRecord) -> BaseSampler:
        """The sampler chosen when ``trial`` started, so that one trial has one sampler."""
        return self._by_trial.get(study, trial, lambda: self.choose(study))

    def _gp_suits(self, study: Study) -> bool:
        if (
            not self.use_gp
            or study.fidelity is not None
            or study.scheduler is not None
            or study.name in self._past_gp
        ):
            return False
        complete = study.trials_for_sampler()
        if len(complete) < GP_MAX_TRIALS and len({frozenset(t.params) for t in complete}) <= 1:
            return not self._weigh_cost or self._pays(study, complete)
        # Both reasons only grow (complete trials stay complete), so the study need not be
        # read again for this choice: past the GP budget, it is on the TPE hot path.
        with self._lock:
            self._past_gp.add(study.name)
        return False

    def _pays(self, study: Study, complete: list[TrialRecord]) -> bool:
        """Whether a GP suggestion costs at most :data:`GP_MAX_SHARE` of a trial."""
        durations = [t.duration for t in complete if t.duration is not None]
        if not durations:
            return False
        with self._lock:
            timed = list(self._gp_seconds.get(study.name, ()))
        suggestion = statistics.median(timed) if timed else GP_FIRST_GUESS_S
        return suggestion <= GP_MAX_SHARE * statistics.median(durations)

    def _create(self, kind: str, n_objectives: int) -> BaseSampler:
        if kind == "gp":
            from paretune.samplers._gp import GPSampler

            return GPSampler(seed=self.seed)
        joint = n_objectives < 3
        return TPESampler(
            seed=self.seed,
            multivariate=joint,
            conditional="branch" if joint else "single",
            distinct_good=True,
        )

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        with self._lock:
            self.seed = int(seed)
            for sampler in self._chosen.values():
                sampler.reseed_rng(seed)

    def before_trial(self, study: Study, trial: TrialRecord) -> None:
        """Choose the sampler for ``trial`` and delegate to it."""
        self._for_trial(study, trial).before_trial(study, trial)

    def after_trial(self, study: Study, trial: TrialRecord) -> None:
        """Delegate to the sampler that proposed the trial, then forget the choice."""
        self._for_trial(study, trial).after_trial(study, trial)
        self._by_trial.forget(study, trial)

    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """Delegate to the sampler chosen for ``trial``."""
        return self._for_trial(study, trial).infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Delegate to the sampler chosen for ``trial`` (timing a GP's suggestion)."""
        sampler = self._for_trial(study, trial)
        started = time.perf_counter()
        proposal = sampler.sample_relative(study, trial, search_space)
        if type(sampler).__name__ == "GPSampler" and proposal:
            with self._lock:
                timed = self._gp_seconds.setdefault(study.name, [])
                timed.append(time.perf_counter() - started)
                del timed[:-5]  # the latest suggestions: the cost grows with the trials
        return proposal

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Delegate to the sampler chosen for ``trial``."""
        return self._for_trial(study, trial).sample_independent(study, trial, name, distribution)
