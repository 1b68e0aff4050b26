"""Trial records read back from rows, and the per-process caches of what is known."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import Table
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Row

from paretune.distributions import Distribution
from paretune.distributions import distribution_from_json
from paretune.storages._json import dumps
from paretune.storages._json import loads
from paretune.storages._sql._schema import params_table
from paretune.storages._sql._schema import reports_table
from paretune.storages._sql._schema import trials_table
from paretune.trial._record import Placement
from paretune.trial._record import TrialRecord
from paretune.trial._state import FailKind
from paretune.trial._state import TrialState

__all__ = ["OwnTrial", "StudyCache", "load_trials", "merge_user_attr", "record_from_row"]


@dataclass
class StudyCache:
    """Finished trials of one study, which never change, keyed by number.

    Every trial numbered below ``watermark`` is finished and cached. Trial numbers become
    visible in order (the counter row stays locked until the trial's insert commits), so no
    trial can appear later below the watermark.
    """

    finished: dict[int, TrialRecord] = field(default_factory=dict)
    watermark: int = 0


@dataclass
class OwnTrial:
    """What this storage object itself wrote for a running trial it created or claimed.

    Only the worker running a trial writes its parameters and reports, so this copy is
    complete, and ``finish_trial`` can build the final record without reading it back.
    """

    study_id: int
    params: dict[str, Any] = field(default_factory=dict)
    distributions: dict[str, Distribution] = field(default_factory=dict)
    reports: dict[int, dict[str, float]] = field(default_factory=dict)
    report_times: dict[int, float] = field(default_factory=dict)
    report_costs: dict[int, float] = field(default_factory=dict)


def load_trials(conn: Connection, where: Any) -> list[TrialRecord]:
    """The records of the trials ``where`` selects, ordered by number, in one read."""
    rows = conn.execute(select(trials_table).where(where).order_by(trials_table.c.number)).all()
    if not rows:
        return []
    ids = select(trials_table.c.id).where(where)
    params: dict[int, dict[str, Any]] = {}
    dists: dict[int, dict[str, Distribution]] = {}
    for p in conn.execute(
        select(params_table).where(params_table.c.trial_id.in_(ids)).order_by(params_table.c.id)
    ):
        params.setdefault(p.trial_id, {})[p.name] = loads(p.value)
        dists.setdefault(p.trial_id, {})[p.name] = distribution_from_json(loads(p.distribution))
    reports: dict[int, dict[int, dict[str, float]]] = {}
    times: dict[int, dict[int, float]] = {}
    costs: dict[int, dict[int, float]] = {}
    for r in conn.execute(select(reports_table).where(reports_table.c.trial_id.in_(ids))):
        reports.setdefault(r.trial_id, {})[int(r.step)] = loads(r.metrics)
        times.setdefault(r.trial_id, {})[int(r.step)] = float(r.reported_at)
        if r.cost is not None:
            costs.setdefault(r.trial_id, {})[int(r.step)] = float(r.cost)
    return [record_from_row(row, params, dists, reports, times, costs) for row in rows]


def record_from_row(
    row: Row[Any],
    params: Mapping[int, dict[str, Any]],
    dists: Mapping[int, dict[str, Distribution]],
    reports: Mapping[int, dict[int, dict[str, float]]],
    times: Mapping[int, dict[int, float]],
    costs: Mapping[int, dict[int, float]] | None = None,
) -> TrialRecord:
    """The record of one trials-table row, with its parameters, distributions, reports,
    report times and report costs looked up by trial id."""
    trial_id = int(row.id)
    return TrialRecord(
        number=int(row.number),
        state=TrialState(row.state),
        params=params.get(trial_id, {}),
        distributions=dists.get(trial_id, {}),
        metrics=loads(row.metrics) or {},
        constraints=loads(row.constraints) or {},
        intermediate=reports.get(trial_id, {}),
        report_times=times.get(trial_id, {}),
        placement=Placement.from_json(loads(row.placement)),
        fail_reason=row.fail_reason,
        fail_kind=None if row.fail_kind is None else FailKind(row.fail_kind),
        traceback=row.traceback,
        started_at_ts=row.started_at,
        finished_at_ts=row.finished_at,
        heartbeat_at_ts=row.heartbeat_at,
        seed=int(row.seed),
        user_attrs=loads(row.user_attrs),
        environment=loads(row.environment),
        enqueued_params=loads(row.enqueued_params),
        trial_id=trial_id,
        cost=row.cost,
        report_costs=(costs or {}).get(trial_id, {}),
    )


def merge_user_attr(conn: Connection, table: Table, row_id: int, key: str, value: Any) -> None:
    """Set ``key`` in the JSON ``user_attrs`` column of one row of ``table``."""
    raw = conn.execute(select(table.c.user_attrs).where(table.c.id == row_id)).scalar_one()
    attrs = loads(raw)
    attrs[key] = value
    conn.execute(update(table).where(table.c.id == row_id).values(user_attrs=dumps(attrs)))
