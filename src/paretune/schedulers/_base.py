"""The scheduler interface: which budget the next trial trains at, and who stops early.

A scheduler serves two ways of using a fidelity:

* **In the training loop** (the study has no :class:`~paretune.fidelity.Fidelity`): the
  objective calls ``trial.report(metrics, step)`` after each epoch and ends the trial when
  ``trial.should_stop()`` says so. :meth:`BaseScheduler.on_report` decides.
* **Budgeted** (the study has a fidelity): ``study.ask()`` asks
  :meth:`BaseScheduler.next_job` what to run next, a new configuration at some budget or a
  promotion of a configuration already measured at a lower budget; ``trial.budget`` tells
  the objective how much to train.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paretune._values import Decision

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["BaseScheduler", "Decision", "Job"]


@dataclass(frozen=True)
class Job:
    """What the next trial of a budgeted study should be.

    Attributes:
        budget: The budget to train at.
        bracket: The bracket the trial joins.
        promote: The record of a configuration's trial at the rung below, to train the same
            parameters at ``budget``; None for a new configuration.
    """

    budget: float
    bracket: int = 0
    promote: TrialRecord | None = None


class BaseScheduler(abc.ABC):
    """Decides which budget each trial trains at, and which trials stop early.

    The study calls :meth:`on_report` after every ``trial.report`` of a study without a
    fidelity (training-loop use), :meth:`next_job` from ``study.ask()`` in a study with a
    fidelity (budgeted use), and :meth:`guards` once per new configuration. A scheduler
    that serves only one use returns the neutral answer for the other: ``CONTINUE`` from
    :meth:`on_report`, or :meth:`full_budget` from :meth:`next_job`. Decisions must depend
    only on the study and its trials (not on the scheduler's own history), since every
    worker holds its own scheduler object.

    Attributes:
        bias_guard: The fraction of new configurations that are never judged: they go up
            every rung whatever their rank, so the fidelity report can compare cheap and
            full measurements on data the scheduler did not select.
    """

    bias_guard: float = 0.0

    @abc.abstractmethod
    def on_report(self, study: Study, trial: TrialRecord, step: int) -> Decision:
        """Decide whether ``trial`` continues after its report at ``step``.

        Args:
            study: The study.
            trial: The trial's record, including the new report.
            step: The step just reported.
        """

    @abc.abstractmethod
    def next_job(self, study: Study, trials: Sequence[TrialRecord]) -> Job:
        """Decide what the next trial of a study with a fidelity trains.

        A promotion may lose a race with another worker that promoted the same
        configuration first; ``ask`` then calls again.

        Args:
            study: The study (its ``fidelity`` is set).
            trials: Every trial of the study, ordered by number.
        """

    def guards(self, study: Study, number: int) -> bool:
        """Whether the new configuration of trial ``number`` is exempt from judgement.

        Draws from the study's seed (the same answer in every worker): True for a share
        :attr:`bias_guard` of configurations.
        """
        return self.bias_guard > 0 and study.draw(number, "bias-guard") < self.bias_guard

    @staticmethod
    def full_budget(study: Study) -> Job:
        """A new configuration at the study's highest budget."""
        if study.fidelity is None:
            raise ValueError(f"Study {study.name!r} has no fidelity, so no budget to plan.")
        return Job(budget=study.fidelity.high)
