"""How samplers tell warm-start observations from a study's own trials.

A warm-started study (``create_study(warm_start=[...])``) shows its samplers the complete
trials of other studies beside its own, in :meth:`~paretune.study.Study.trials_for_sampler`.
Those records carry negative numbers (``-1, -2, ...``), so that per-trial caches keyed by
number never confuse them with the study's own trials (numbered from 0), and a user
attribute :data:`WARM_START_ATTR` naming where they came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paretune.trial import TrialRecord

__all__ = ["WARM_START_ATTR", "WARM_START_WEIGHT", "is_warm_start"]

WARM_START_WEIGHT = 0.5
"""The weight of one warm-start observation in TPE's densities, relative to one trial of
the study itself (see :class:`~paretune.samplers.TPESampler`)."""

WARM_START_ATTR = "warm_start_from"
"""User attribute of a warm-start record: ``{"study": name, "number": number there}``."""


def is_warm_start(record: TrialRecord) -> bool:
    """Whether ``record`` is another study's trial shown to a warm-started study's sampler."""
    return record.number < 0
