"""The sampler interface."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING
from typing import Any

from paretune.distributions import Distribution

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["BaseSampler"]


class BaseSampler(abc.ABC):
    """Proposes parameter values for new trials.

    paretune asks a sampler for values in two ways, because search spaces are defined by
    running the objective (define-by-run) and may be conditional:

    1. **Relative sampling**, once when a trial starts. :meth:`infer_relative_search_space`
       returns the parameters the sampler wants to choose jointly (usually those seen in
       every earlier trial); :meth:`sample_relative` returns values for them. A model-based
       sampler models the joint distribution here.
    2. **Independent sampling**, at each ``trial.suggest_*`` call for a parameter that the
       relative step did not cover, or whose distribution differs from the relative one
       (e.g. a conditional branch seen for the first time): :meth:`sample_independent`.

    Hooks :meth:`before_trial` and :meth:`after_trial` are called when a trial starts and
    when it is told; :meth:`reseed_rng` gives the sampler a new seed. All three do nothing by
    default.

    Contract: values must lie in their distribution (on the step lattice, Python scalars of
    the right type), and the same seed with the same study history must give the same values,
    also in another process. Samplers learn from ``study.trials_for_sampler()`` (the complete
    trials; in a study with a fidelity, those at the highest budget with enough results;
    in a warm-started study, other studies' complete trials too, numbered below 0, see
    :func:`paretune._warm.is_warm_start`) and never write to storage. In a study with
    ``deterministic_objective``, a sampler that has several candidates should prefer those
    for which ``study.is_evaluated(params)`` is False; the study replaces any value that
    would still repeat a configuration.
    """

    @abc.abstractmethod
    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """Return the parameters to sample jointly for ``trial`` (may be empty).

        Args:
            study: The study.
            trial: The new trial's record (running, no parameters yet).
        """

    @abc.abstractmethod
    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Return values for some or all of ``search_space``.

        Args:
            study: The study.
            trial: The new trial's record.
            search_space: What :meth:`infer_relative_search_space` returned.
        """

    @abc.abstractmethod
    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Return a value for one parameter.

        Args:
            study: The study.
            trial: The trial's record as it was when it started.
            name: The parameter's name.
            distribution: Its distribution.
        """

    def before_trial(self, study: Study, trial: TrialRecord) -> None:  # noqa: B027
        """Hook called when a trial starts, before relative sampling."""

    def after_trial(self, study: Study, trial: TrialRecord) -> None:  # noqa: B027
        """Hook called with the finished trial's record after it is told."""

    def reseed_rng(self, seed: int) -> None:  # noqa: B027
        """Give the sampler a new seed."""
