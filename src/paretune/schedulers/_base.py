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


class BaseScheduler:
    """Decides which budget each trial trains at, and which trials stop early.

    Subclasses override :meth:`on_report` (training-loop use), :meth:`next_job` (budgeted
    use), or both. The defaults never stop a trial and train every new configuration at the
    full budget.

    Attributes:
        bias_guard: The fraction of new configurations that are never judged: they go up
            every rung whatever their rank, so :meth:`Study.fidelity_report` can compare
            cheap and full measurements on data the scheduler did not select.
    """

    bias_guard: float = 0.0

    def on_report(self, study: Study, trial: TrialRecord, step: int) -> Decision:
        """Decide whether ``trial`` continues after its report at ``step``.

        Called by ``trial.report`` in studies without a fidelity.

        Args:
            study: The study.
            trial: The trial's record, including the new report.
            step: The step just reported.
        """
        return Decision.CONTINUE

    def next_job(self, study: Study, trials: Sequence[TrialRecord]) -> Job:
        """Decide what the next trial of a study with a fidelity trains.

        Called by ``study.ask()``. A promotion may lose a race with another worker that
        promoted the same configuration first; ``ask`` then calls again.

        Args:
            study: The study (its ``fidelity`` is set).
            trials: Every trial of the study, ordered by number.
        """
        assert study.fidelity is not None
        return Job(budget=study.fidelity.high)
