"""The life-cycle states of a trial and the kinds of failure (defined in ``paretune._values``)."""

from paretune._values import FailKind as FailKind
from paretune._values import TrialState as TrialState

__all__ = ["FailKind", "TrialState"]
