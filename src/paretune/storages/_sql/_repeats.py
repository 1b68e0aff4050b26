"""Re-evaluations of finished trials in SQL: claimed once through a unique row."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from paretune import _storable as valid
from paretune.exceptions import UpdateFinishedTrialError
from paretune.storages._json import dumps
from paretune.storages._json import loads
from paretune.storages._sql._schema import repeats_table
from paretune.storages._sql._schema import trials_table
from paretune.trial._repeat import TrialRepeat
from paretune.trial._state import TrialState

__all__ = ["RepeatsMixin"]

T = TypeVar("T")


def _repeat(row: Row[Any]) -> TrialRepeat:
    return TrialRepeat(
        trial_number=int(row.trial_number),
        index=int(row.repeat_index),
        seed=int(row.seed),
        state=TrialState(row.state),
        metrics=loads(row.metrics) or {},
        fail_reason=row.fail_reason,
        started_at_ts=row.started_at,
        finished_at_ts=row.finished_at,
        environment=loads(row.environment),
    )


class RepeatsMixin:
    """The repeat methods of :class:`~paretune.storages._sql.SQLStorage` (see
    :class:`~paretune.storages.BaseStorage` for their contracts)."""

    _write: Callable[..., Any]
    _read: Callable[..., Any]

    def claim_repeat(
        self,
        study_id: int,
        trial_id: int,
        index: int,
        *,
        seed: int,
        environment: Mapping[str, Any],
        now: float,
    ) -> TrialRepeat | None:
        """See :meth:`BaseStorage.claim_repeat`; the unique (trial, index) row decides."""
        valid.check_json_text("the worker's environment", environment)

        def work(conn: Connection) -> TrialRepeat:
            number = conn.execute(
                select(trials_table.c.number).where(trials_table.c.id == trial_id)
            ).scalar_one_or_none()
            if number is None:
                raise KeyError(f"No trial with id {trial_id}.")
            row = conn.execute(
                insert(repeats_table)
                .values(
                    study_id=study_id,
                    trial_id=trial_id,
                    trial_number=int(number),
                    repeat_index=index,
                    seed=seed,
                    state=TrialState.RUNNING.value,
                    started_at=now,
                    environment=dumps(dict(environment)),
                )
                .returning(*repeats_table.c)
            ).one()
            return _repeat(row)

        try:
            result: TrialRepeat = self._write(work, what="claim a repeat")
        except IntegrityError:
            return None
        return result

    def finish_repeat(
        self,
        trial_id: int,
        index: int,
        *,
        metrics: Mapping[str, float] | None,
        fail_reason: str | None,
        now: float,
    ) -> TrialRepeat:
        """See :meth:`BaseStorage.finish_repeat`."""
        valid.check_metric_names(metrics)
        failed = fail_reason is not None

        def work(conn: Connection) -> Row[Any] | None:
            return conn.execute(
                update(repeats_table)
                .where(
                    repeats_table.c.trial_id == trial_id,
                    repeats_table.c.repeat_index == index,
                    repeats_table.c.state == TrialState.RUNNING.value,
                )
                .values(
                    state=(TrialState.FAILED if failed else TrialState.COMPLETE).value,
                    metrics=None if failed else dumps(dict(metrics or {})),
                    fail_reason=valid.storable_text(fail_reason),
                    finished_at=now,
                )
                .returning(*repeats_table.c)
            ).first()

        row = self._write(work, what="finish a repeat")
        if row is None:
            raise UpdateFinishedTrialError(
                f"Repeat {index} of trial id {trial_id} is not running; claim it first."
            )
        return _repeat(row)

    def get_repeats(self, study_id: int) -> list[TrialRepeat]:
        """See :meth:`BaseStorage.get_repeats`."""

        def work(conn: Connection) -> list[TrialRepeat]:
            rows = conn.execute(
                select(repeats_table)
                .where(repeats_table.c.study_id == study_id)
                .order_by(repeats_table.c.trial_number, repeats_table.c.repeat_index)
            ).all()
            return [_repeat(row) for row in rows]

        found: list[TrialRepeat] = self._read(work, what="read repeats")
        return found
