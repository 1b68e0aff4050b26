"""One re-evaluation of a finished trial's configuration, stored beside the trial."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType
from typing import Any

from paretune._values import TrialState

__all__ = ["TrialRepeat"]


@dataclass(frozen=True)
class TrialRepeat:
    """A repeat of trial ``trial_number``'s configuration with another seed.

    Repeats never change the trial's own metrics; they sit beside them so that decisions
    can rest on a mean and an interval instead of one noisy measurement.

    Attributes:
        trial_number: The trial whose parameters were re-evaluated.
        index: The repeat's index (0, 1, ...), unique per trial.
        seed: The seed the repeat ran with.
        state: ``RUNNING`` while claimed by a worker, then ``COMPLETE`` or ``FAILED``.
        metrics: What the repeat measured (empty unless complete).
        fail_reason: Why it failed, or None.
        started_at_ts: When a worker claimed it (seconds since the epoch).
        finished_at_ts: When it finished, or None.
        environment: The worker that ran it (host, pid, versions).
    """

    trial_number: int
    index: int
    seed: int
    state: TrialState
    metrics: Mapping[str, float] = field(default_factory=dict)
    fail_reason: str | None = None
    started_at_ts: float | None = None
    finished_at_ts: float | None = None
    environment: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", MappingProxyType(dict(self.metrics)))
        object.__setattr__(self, "environment", MappingProxyType(dict(self.environment)))
