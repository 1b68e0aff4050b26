"""Trial leases in SQL: heartbeats renewed in one statement, expiry decided atomically."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy import update
from sqlalchemy.engine import Connection

from paretune.storages._sql._schema import trials_table
from paretune.trial._record import TrialRecord
from paretune.trial._state import FailKind
from paretune.trial._state import TrialState

__all__ = ["LeasesMixin"]

_RUNNING = TrialState.RUNNING.value


class LeasesMixin:
    """The lease methods of :class:`~paretune.storages._sql.SQLStorage` (contracts in
    :class:`~paretune.storages.BaseStorage`)."""

    _write: Callable[..., Any]
    get_trial: Callable[[int], TrialRecord]
    _forget_own: Callable[[int], None]

    def renew_leases(self, trial_ids: Sequence[int], now: float) -> None:
        """See :meth:`BaseStorage.renew_leases`."""
        if not trial_ids:
            return

        def work(conn: Connection) -> None:
            conn.execute(
                update(trials_table)
                .where(trials_table.c.id.in_(list(trial_ids)), trials_table.c.state == _RUNNING)
                .values(heartbeat_at=now)
            )

        self._write(work, what="renew trial leases")

    def expire_trial(
        self, trial_id: int, *, stale_before: float, fail_reason: str, now: float
    ) -> TrialRecord | None:
        """See :meth:`BaseStorage.expire_trial`; the conditional update decides."""

        def work(conn: Connection) -> bool:
            result = conn.execute(
                update(trials_table)
                .where(
                    trials_table.c.id == trial_id,
                    trials_table.c.state == _RUNNING,
                    # never renewed: its worker died between starting it and the first beat
                    func.coalesce(trials_table.c.heartbeat_at, trials_table.c.started_at)
                    < stale_before,
                )
                .values(
                    state=TrialState.FAILED.value,
                    fail_reason=fail_reason,
                    fail_kind=FailKind.WORKER_LOST.value,
                    finished_at=now,
                )
            )
            return bool(result.rowcount)

        if not self._write(work, what="expire a trial's lease"):
            return None
        self._forget_own(trial_id)
        return self.get_trial(trial_id)
