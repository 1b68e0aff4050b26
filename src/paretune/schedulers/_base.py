"""The scheduler interface: decides, from intermediate reports, whether a trial goes on."""

from __future__ import annotations

import abc
import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["BaseScheduler", "Decision"]


class Decision(enum.Enum):
    """What a scheduler says after a report."""

    CONTINUE = "continue"
    STOP = "stop"


class BaseScheduler(abc.ABC):
    """Decides after each intermediate report whether a running trial should go on.

    :meth:`on_report` is called by ``trial.report(...)`` with the trial's record, which then
    holds every report so far; ``trial.should_stop()`` returns whether the last decision was
    :attr:`Decision.STOP`. A stopped trial is told with ``state="stopped"`` and keeps its
    reports.
    """

    @abc.abstractmethod
    def on_report(self, study: Study, trial: TrialRecord, step: int) -> Decision:
        """Decide whether ``trial`` continues after its report at ``step``.

        Args:
            study: The study.
            trial: The trial's record, including the new report.
            step: The step just reported.
        """
