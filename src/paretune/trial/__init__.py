"""Trials: the live :class:`Trial` and the immutable :class:`TrialRecord`."""

from paretune.trial._record import Placement as Placement
from paretune.trial._record import TrialRecord as TrialRecord
from paretune.trial._repeat import TrialRepeat as TrialRepeat
from paretune.trial._state import FailKind as FailKind
from paretune.trial._state import TrialState as TrialState
from paretune.trial._trial import Trial as Trial

__all__ = ["FailKind", "Placement", "Trial", "TrialRecord", "TrialRepeat", "TrialState"]
