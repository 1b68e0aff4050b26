"""The immutable record of one trial, as stored and as shown to samplers and users."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType
from typing import Any

from paretune._values import FailKind
from paretune._values import TrialState
from paretune.distributions import Distribution
from paretune.distributions import distribution_to_json

__all__ = ["Placement", "TrialRecord"]

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
class Placement:
    """Where a trial sits in a multi-fidelity schedule.

    A *configuration* is one set of parameters; it may be trained at several budgets, one
    trial per budget. The trial that first trained it names the configuration.

    Attributes:
        budget: The fidelity value the trial trains at (epochs, data fraction, ...).
        config: The number of the trial that first trained this configuration.
        previous_trial: The number of the trial that trained it at the previous budget,
            None for a configuration's first trial.
        previous_budget: The budget that previous trial reached, None for the first.
        bracket: The scheduler's bracket (successive-halving round) the trial belongs to.
        guard: True when the scheduler sends this configuration up every rung without
            judging it (the bias guard), so calibration rests on unselected data.
    """

    budget: float
    config: int
    previous_trial: int | None = None
    previous_budget: float | None = None
    bracket: int = 0
    guard: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return {
            "budget": self.budget,
            "config": self.config,
            "previous_trial": self.previous_trial,
            "previous_budget": self.previous_budget,
            "bracket": self.bracket,
            "guard": self.guard,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Placement | None:
        """The placement stored by :meth:`to_json`, or None."""
        if not data:
            return None
        return cls(
            budget=float(data["budget"]),
            config=int(data["config"]),
            previous_trial=data.get("previous_trial"),
            previous_budget=data.get("previous_budget"),
            bracket=int(data.get("bracket", 0)),
            guard=bool(data.get("guard", False)),
        )


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
        report_times: When each intermediate report arrived, step -> seconds since the epoch.
        placement: The trial's budget and configuration in a multi-fidelity study (see
            :class:`Placement`), None otherwise.
        fail_reason: Why the trial failed or stopped, in one line.
        fail_kind: For a failed trial, why it failed as a :class:`FailKind`; None otherwise.
        traceback: The formatted traceback when an exception failed the trial.
        started_at_ts: Start time in seconds since the epoch (UTC).
        finished_at_ts: End time in seconds since the epoch (UTC).
        heartbeat_at_ts: When its worker last renewed the trial's lease (a running trial
            of a study with leases), seconds since the epoch; None otherwise.
        seed: A per-trial seed derived from the study's seed and the trial number, for the
            user's own randomness (model initialisation, data shuffling).
        user_attrs: JSON values the user attached.
        environment: Host, process id, Python and package versions of the worker.
        enqueued_params: Parameters fixed by ``Study.enqueue``.
        trial_id: The storage's identifier (unique across studies of one storage).
        cost: The compute the trial took, in the study's cost unit, as told
            (``study.tell(..., cost=...)``, else the cost of its last report that had one);
            None when none was told (its :attr:`duration` stands in: :mod:`paretune._costs`).
        report_costs: The cost told with each intermediate report, step -> the cumulative
            cost of the training up to that step (steps reported without one are absent).
    """

    number: int
    state: TrialState
    params: Mapping[str, Any] = field(default_factory=dict)
    distributions: Mapping[str, Distribution] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    constraints: Mapping[str, float] = field(default_factory=dict)
    intermediate: Mapping[int, Mapping[str, float]] = field(default_factory=dict)
    report_times: Mapping[int, float] = field(default_factory=dict)
    placement: Placement | None = None
    fail_reason: str | None = None
    fail_kind: FailKind | None = None
    traceback: str | None = None
    started_at_ts: float | None = None
    finished_at_ts: float | None = None
    heartbeat_at_ts: float | None = None
    seed: int = 0
    user_attrs: Mapping[str, Any] = field(default_factory=dict)
    environment: Mapping[str, Any] = field(default_factory=dict)
    enqueued_params: Mapping[str, Any] = field(default_factory=dict)
    trial_id: int = -1
    cost: float | None = None
    report_costs: Mapping[int, float] = field(default_factory=dict)

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
        times = {int(k): float(v) for k, v in sorted(self.report_times.items())}
        object.__setattr__(self, "report_times", _frozen(times))
        costs = {int(k): float(v) for k, v in sorted(self.report_costs.items())}
        object.__setattr__(self, "report_costs", _frozen(costs))

    @property
    def feasible(self) -> bool:
        """Whether every constraint violation is ``<= 0`` (True when there are none)."""
        return all(v <= 0.0 for v in self.constraints.values())

    @property
    def total_violation(self) -> float:
        """The sum of the positive constraint violations (0 for a feasible trial)."""
        return float(sum(max(v, 0.0) for v in self.constraints.values()))

    @property
    def budget(self) -> float | None:
        """The fidelity budget the trial trained at, or None outside multi-fidelity studies."""
        return None if self.placement is None else self.placement.budget

    @property
    def config(self) -> int:
        """The number of the trial that first trained this configuration (often itself)."""
        return self.number if self.placement is None else self.placement.config

    def elapsed_at(self, step: int) -> float | None:
        """Seconds from the trial's start to its report at ``step``, or None if unknown."""
        at = self.report_times.get(step)
        if at is None or self.started_at_ts is None:
            return None
        return at - self.started_at_ts

    def cost_at(self, step: int) -> float | None:
        """The cumulative cost told with the report at ``step``, or None if none was."""
        return self.report_costs.get(step)

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
            "placement": None if self.placement is None else self.placement.to_json(),
            "fail_reason": self.fail_reason,
            "fail_kind": None if self.fail_kind is None else self.fail_kind.value,
            "traceback": self.traceback,
            "started_at": started.isoformat() if started else None,
            "finished_at": finished.isoformat() if finished else None,
            "duration_s": self.duration,
            "cost": self.cost,
            "seed": self.seed,
            "user_attrs": dict(self.user_attrs),
            "environment": dict(self.environment),
        }
