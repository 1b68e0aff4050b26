"""Hot-path statements, built once with bind parameters.

Building a fresh SQLAlchemy construct per call costs far more than executing it (its cache
key must be computed each time); these module-level statements are built once, so each call
only binds values.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from paretune.storages._sql._schema import params_table
from paretune.storages._sql._schema import reports_table
from paretune.storages._sql._schema import studies_table
from paretune.storages._sql._schema import trials_table

_RUNNING = "running"
_WAITING = "waiting"

next_trial_number = (
    update(studies_table)
    .where(studies_table.c.id == bindparam("study_id"))
    .values(next_trial_number=studies_table.c.next_trial_number + 1)
    .returning(studies_table.c.next_trial_number)
)
"""Increment the study's counter (locking its row until commit) and return the new value."""

insert_trial = insert(trials_table).returning(trials_table.c.id)
"""Insert a trial row; values are bound per call."""

first_waiting = (
    select(trials_table.c.id)
    .where(trials_table.c.study_id == bindparam("study_id"), trials_table.c.state == _WAITING)
    .order_by(trials_table.c.number)
    .limit(1)
)
"""The lowest-numbered waiting trial of a study."""

claim_waiting = (
    update(trials_table)
    .where(trials_table.c.id == bindparam("trial_id"), trials_table.c.state == _WAITING)
    .values(
        state=_RUNNING,
        started_at=bindparam("v_started_at"),
        environment=bindparam("v_environment"),
    )
)
"""Move one waiting trial to running, only if still waiting."""

insert_param_if_running = insert(params_table).from_select(
    ["trial_id", "name", "value", "distribution"],
    select(
        bindparam("p_trial_id"),
        bindparam("p_name"),
        bindparam("p_value"),
        bindparam("p_distribution"),
    ).where(
        exists().where(
            trials_table.c.id == bindparam("p_trial_id"), trials_table.c.state == _RUNNING
        )
    ),
)
"""Insert a parameter only while its trial is running (one statement, no read first)."""

update_report = (
    update(reports_table)
    .where(
        reports_table.c.trial_id == bindparam("r_trial_id"),
        reports_table.c.step == bindparam("r_step"),
    )
    .values(
        metrics=bindparam("v_metrics"),
        reported_at=bindparam("v_reported_at"),
        cost=bindparam("v_cost"),
    )
)
"""Overwrite the report at one step."""

insert_report = insert(reports_table)
"""Insert a report row; values are bound per call."""

finish_running = (
    update(trials_table)
    .where(trials_table.c.id == bindparam("trial_id"), trials_table.c.state == _RUNNING)
    .values(
        state=bindparam("v_state"),
        metrics=bindparam("v_metrics"),
        constraints=bindparam("v_constraints"),
        fail_reason=bindparam("v_fail_reason"),
        fail_kind=bindparam("v_fail_kind"),
        traceback=bindparam("v_traceback"),
        finished_at=bindparam("v_finished_at"),
        cost=bindparam("v_cost"),
    )
    .returning(*trials_table.c)
)
"""Finish a running trial and return its row; no row when it was not running."""

trial_state = select(trials_table.c.state, trials_table.c.number).where(
    trials_table.c.id == bindparam("trial_id")
)
"""A trial's state and number."""

trial_state_for_update = trial_state.with_for_update()
"""The same, locking the row (PostgreSQL)."""
