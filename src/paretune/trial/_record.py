"""The immutable record of one trial, as stored and as shown to samplers and users."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType
from typing import Any

from paretune.distributions import Distribution
from paretune.distributions import distribution_to_json
from paretune.trial._state import TrialState

__all__ = ["TrialRecord"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _frozen(mapping: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    if not mapping:
        return _EMPTY
    return MappingProxyType(dict(mapping))


def _timestamp(value: float | None) -> _dt.datetime | None:
    if value is None:
        return None
    return _dt.datetime.fromtimestamp(value, tz=_dt.timezone.utc)


@dataclass(frozen=True)
class TrialRecord:
    """An immutable snapshot of one trial.

    Storages return records and never mutate them; a finished trial's record never changes.
    Mapping fields are read-only views.

    Attributes:
        number: The trial's number within its study, from 0 without gaps.
        state: Its :class:`TrialState`.
        params: Parameter values by name, as the objective function received them.
        distributions: The distribution each parameter was drawn from.
        metrics: The final metrics told for the trial (objectives, constrained metrics and
            any extra ones); empty unless complete.
        constraints: The violation of each constraint by metric name (``value - bound`` for
            ``<=``, ``bound - value`` for ``>=``); feasible when every one is ``<= 0``.
        intermediate: Intermediate reports, step -> metrics.
        fail_reason: Why the trial failed or stopped, in one line.
        traceback: The formatted traceback when an exception failed the trial.
        started_at_ts: Start time in seconds since the epoch (UTC).
        finished_at_ts: End time in seconds since the epoch (UTC).
        seed: A per-trial seed derived from the study's seed and the trial number, for the
            user's own randomness (model initialisation, data shuffling).
        user_attrs: JSON values the user attached.
        environment: Host, process id, Python and package versions of the worker.
        enqueued_params: Parameters fixed by ``Study.enqueue``.
        trial_id: The storage's identifier (unique across studies of one storage).
    """

    number: int
    state: TrialState
    params: Mapping[str, Any] = field(default_factory=dict)
    distributions: Mapping[str, Distribution] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    constraints: Mapping[str, float] = field(default_factory=dict)
    intermediate: Mapping[int, Mapping[str, float]] = field(default_factory=dict)
    fail_reason: str | None = None
    traceback: str | None = None
    started_at_ts: float | None = None
    finished_at_ts: float | None = None
    seed: int = 0
    user_attrs: Mapping[str, Any] = field(default_factory=dict)
    environment: Mapping[str, Any] = field(default_factory=dict)
    enqueued_params: Mapping[str, Any] = field(default_factory=dict)
    trial_id: int = -1

    def __post_init__(self) -> None:
        for name in (
            "params",
            "distributions",
            "metrics",
            "constraints",
            "user_attrs",
            "environment",
            "enqueued_params",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        steps = {int(k): _frozen(v) for k, v in sorted(self.intermediate.items())}
        object.__setattr__(self, "intermediate", _frozen(steps))

    @property
    def feasible(self) -> bool:
        """Whether every constraint violation is ``<= 0`` (True when there are none)."""
        return all(v <= 0.0 for v in self.constraints.values())

    @property
    def total_violation(self) -> float:
        """The sum of the positive constraint violations (0 for a feasible trial)."""
        return float(sum(max(v, 0.0) for v in self.constraints.values()))

    @property
    def started_at(self) -> _dt.datetime | None:
        """Start time as an aware UTC datetime."""
        return _timestamp(self.started_at_ts)

    @property
    def finished_at(self) -> _dt.datetime | None:
        """End time as an aware UTC datetime."""
        return _timestamp(self.finished_at_ts)

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, or None while unfinished."""
        if self.started_at_ts is None or self.finished_at_ts is None:
            return None
        return self.finished_at_ts - self.started_at_ts

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of every field (times in ISO 8601, UTC)."""
        started, finished = self.started_at, self.finished_at
        return {
            "number": self.number,
            "state": self.state.value,
            "params": dict(self.params),
            "distributions": {k: distribution_to_json(d) for k, d in self.distributions.items()},
            "metrics": dict(self.metrics),
            "constraints": dict(self.constraints),
            "feasible": self.feasible,
            "intermediate": {str(k): dict(v) for k, v in self.intermediate.items()},
            "fail_reason": self.fail_reason,
            "traceback": self.traceback,
            "started_at": started.isoformat() if started else None,
            "finished_at": finished.isoformat() if finished else None,
            "duration_s": self.duration,
            "seed": self.seed,
            "user_attrs": dict(self.user_attrs),
            "environment": dict(self.environment),
        }
