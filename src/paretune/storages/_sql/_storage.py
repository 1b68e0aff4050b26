"""SQL storage through SQLAlchemy Core: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from collections.abc import Container
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import and_
from sqlalchemy import insert
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError

from paretune import _storable as valid
from paretune.distributions import Distribution
from paretune.distributions import distribution_to_json
from paretune.exceptions import StorageError
from paretune.exceptions import UpdateFinishedTrialError
from paretune.storages._base import BaseStorage
from paretune.storages._json import check_json_value
from paretune.storages._json import dumps
from paretune.storages._json import loads
from paretune.storages._sql import _statements as sql
from paretune.storages._sql._engine import WRITE_OPTION
from paretune.storages._sql._engine import build_engine
from paretune.storages._sql._engine import display_url
from paretune.storages._sql._engine import is_sqlite
from paretune.storages._sql._engine import parse_url
from paretune.storages._sql._engine import retry_transient
from paretune.storages._sql._errors import open_hint
from paretune.storages._sql._leases import LeasesMixin
from paretune.storages._sql._records import OwnTrial
from paretune.storages._sql._records import StudyCache
from paretune.storages._sql._records import load_trials
from paretune.storages._sql._records import merge_user_attr
from paretune.storages._sql._records import record_from_row
from paretune.storages._sql._repeats import RepeatsMixin
from paretune.storages._sql._schema import study_keys_table
from paretune.storages._sql._schema import trials_table
from paretune.storages._sql._setup import prepare_schema
from paretune.storages._sql._studies import StudiesMixin
from paretune.trial._record import Placement
from paretune.trial._record import TrialRecord
from paretune.trial._state import FailKind
from paretune.trial._state import TrialState

__all__ = ["SQLStorage"]

T = TypeVar("T")

_RUNNING = TrialState.RUNNING.value
_WAITING = TrialState.WAITING.value


class SQLStorage(StudiesMixin, LeasesMixin, RepeatsMixin, BaseStorage):
    """Stores studies in an SQL database through SQLAlchemy.

    Args:
        url: ``sqlite:///path.db`` (WAL mode, busy timeout, immediate write transactions),
            ``sqlite://`` (in memory, this process only) or
            ``postgresql+psycopg://user@host:5432/db`` (``postgresql://`` is read the same).
            Options such as ``?lock_timeout=30s`` or ``?read_only=true`` go in its query
            (:class:`~paretune.storages._sql._settings.ConnectionSettings`).

    Raises:
        StorageError: If the database cannot be opened or its schema initialised.
        SchemaVersionError: If the database was written by a newer paretune (it is left
            untouched), or is older and opened read-only.
    """

    def __init__(self, url: str) -> None:
        self.url = parse_url(url)
        self._sqlite = is_sqlite(self.url)
        self.engine = build_engine(self.url)
        # Close pooled connections when the storage is garbage-collected.
        self._finalizer = weakref.finalize(self, self.engine.dispose)
        self._cache_lock = threading.Lock()
        self._caches: dict[int, StudyCache] = {}
        self._own: dict[int, OwnTrial] = {}
        try:
            prepare_schema(self.engine, self.url, read=self._read, write=self._write)
        except StorageError:
            self.engine.dispose()
            raise
        except DBAPIError as exc:
            self.engine.dispose()
            raise StorageError(
                f"Could not open the storage {display_url(self.url)!r}: {exc.orig}. "
                + open_hint(self.url)
            ) from exc

    # ---- transactions --------------------------------------------------------------------
    def _write(self, work: Callable[[Connection], T], *, what: str) -> T:
        def attempt() -> T:
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    return work(conn)

        return retry_transient(attempt, what=what, url=self.url)

    def _read(self, work: Callable[[Connection], T], *, what: str) -> T:
        def attempt() -> T:
            with self.engine.connect() as conn:
                with conn.begin():
                    return work(conn)

        return retry_transient(attempt, what=what, url=self.url)

    def close(self) -> None:
        """Dispose of the connection pool."""
        self._finalizer()

    # ---- trials --------------------------------------------------------------------------
    def create_trial(
        self,
        study_id: int,
        *,
        state: TrialState,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any] | None = None,
        enqueued_params: Mapping[str, Any] | None = None,
        user_attrs: Mapping[str, Any] | None = None,
        placement: Placement | None = None,
        now: float,
    ) -> TrialRecord:
        """See :meth:`BaseStorage.create_trial`."""
        record = self._create(
            study_id,
            None,
            state,
            seed_for,
            environment,
            enqueued_params,
            user_attrs,
            placement,
            now,
        )
        assert record is not None  # only a key can refuse
        return record

    def create_trial_once(
        self,
        study_id: int,
        key: str,
        *,
        state: TrialState,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any] | None = None,
        enqueued_params: Mapping[str, Any] | None = None,
        placement: Placement | None = None,
        now: float,
    ) -> TrialRecord | None:
        """See :meth:`BaseStorage.create_trial_once`; the key's unique row decides."""
        try:
            return self._create(
                study_id, key, state, seed_for, environment, enqueued_params, None, placement, now
            )
        except IntegrityError:
            return None

    def _create(
        self,
        study_id: int,
        key: str | None,
        state: TrialState,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any] | None,
        enqueued_params: Mapping[str, Any] | None,
        user_attrs: Mapping[str, Any] | None,
        placement: Placement | None,
        now: float,
    ) -> TrialRecord | None:
        valid.check_new_trial(enqueued_params, user_attrs, environment, key=key)
        env = dict(environment or {})
        enqueued = dict(enqueued_params or {})
        attrs = dict(user_attrs or {})
        started = now if state is TrialState.RUNNING else None

        def work(conn: Connection) -> tuple[int, int, int]:
            if key is not None:  # fails with IntegrityError when the key was taken
                conn.execute(insert(study_keys_table).values(study_id=study_id, key=key))
            return self._insert_trial(
                conn, study_id, state, seed_for, env, enqueued, attrs, now, placement
            )

        trial_id, number, seed = self._write(work, what="create a trial")
        if state is TrialState.RUNNING:
            with self._cache_lock:
                self._own[trial_id] = OwnTrial(study_id)
        return TrialRecord(
            number=number,
            state=state,
            seed=seed,
            environment=env,
            enqueued_params=enqueued,
            user_attrs=attrs,
            started_at_ts=started,
            placement=placement,
            trial_id=trial_id,
        )

    @staticmethod
    def _insert_trial(
        conn: Connection,
        study_id: int,
        state: TrialState,
        seed_for: Callable[[int], int],
        env: dict[str, Any],
        enqueued: dict[str, Any],
        attrs: dict[str, Any],
        now: float,
        placement: Placement | None = None,
    ) -> tuple[int, int, int]:
        """Insert a trial with the study's next number; returns (id, number, seed)."""
        started = now if state is TrialState.RUNNING else None
        # The UPDATE locks the study's row until commit, so numbers are handed out and
        # become visible strictly in order, without gaps.
        number = conn.execute(sql.next_trial_number, {"study_id": study_id}).scalar_one() - 1
        seed = seed_for(number)
        trial_id = conn.execute(
            sql.insert_trial,
            {
                "study_id": study_id,
                "number": number,
                "state": state.value,
                "seed": seed,
                "started_at": started,
                "user_attrs": dumps(attrs),
                "environment": dumps(env),
                "enqueued_params": dumps(enqueued),
                "placement": None if placement is None else dumps(placement.to_json()),
            },
        ).scalar_one()
        return int(trial_id), int(number), int(seed)

    def start_trial(
        self,
        study_id: int,
        *,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any],
        now: float,
    ) -> TrialRecord:
        """See :meth:`BaseStorage.start_trial`; one transaction whether it claims or creates."""
        env = dict(environment)

        def work(conn: Connection) -> tuple[int, bool, int, int]:
            claimed = self._claim(conn, study_id, env, now)
            if claimed is not None:
                return claimed, True, -1, -1
            trial_id, number, seed = self._insert_trial(
                conn, study_id, TrialState.RUNNING, seed_for, env, {}, {}, now
            )
            return trial_id, False, number, seed

        trial_id, was_waiting, number, seed = self._write(work, what="start a trial")
        with self._cache_lock:
            self._own[trial_id] = OwnTrial(study_id)
        if was_waiting:
            return self.get_trial(trial_id)
        return TrialRecord(
            number=number,
            state=TrialState.RUNNING,
            seed=seed,
            environment=env,
            started_at_ts=now,
            trial_id=trial_id,
        )

    def claim_waiting_trial(
        self, study_id: int, *, environment: Mapping[str, Any], now: float
    ) -> TrialRecord | None:
        """See :meth:`BaseStorage.claim_waiting_trial`."""

        env = dict(environment)
        trial_id = self._write(
            lambda conn: self._claim(conn, study_id, env, now), what="claim an enqueued trial"
        )
        if trial_id is None:
            return None
        with self._cache_lock:
            self._own[trial_id] = OwnTrial(study_id)
        return self.get_trial(trial_id)

    @staticmethod
    def _claim(conn: Connection, study_id: int, env: dict[str, Any], now: float) -> int | None:
        """Move the lowest-numbered waiting trial to running; its id, or None if none waits."""
        while True:
            candidate = conn.execute(sql.first_waiting, {"study_id": study_id}).scalar()
            if candidate is None:
                return None
            claimed = conn.execute(
                sql.claim_waiting,
                {"trial_id": candidate, "v_started_at": now, "v_environment": dumps(env)},
            ).rowcount
            if claimed == 1:
                return int(candidate)

    def _lock_running(self, conn: Connection, trial_id: int) -> None:
        query = sql.trial_state_for_update if conn.dialect.name == "postgresql" else sql.trial_state
        row = conn.execute(query, {"trial_id": trial_id}).first()
        if row is None:
            raise KeyError(f"No trial with id {trial_id}.")
        if row.state != _RUNNING:
            raise UpdateFinishedTrialError(
                f"Trial {row.number} is {row.state}; only a running trial can be changed."
            )

    def set_trial_param(
        self, trial_id: int, name: str, value: Any, distribution: Distribution
    ) -> None:
        """See :meth:`BaseStorage.set_trial_param`."""
        valid.check_param(name, value, distribution)
        encoded_value = dumps(value)
        encoded_dist = dumps(distribution_to_json(distribution))

        values = {
            "p_trial_id": trial_id,
            "p_name": name,
            "p_value": encoded_value,
            "p_distribution": encoded_dist,
        }

        def work(conn: Connection) -> None:
            # One statement: insert only while the trial is running.
            if conn.execute(sql.insert_param_if_running, values).rowcount != 1:
                self._lock_running(conn, trial_id)  # raises the precise error

        self._write(work, what="store a parameter")
        with self._cache_lock:
            own = self._own.get(trial_id)
            if own is not None:
                own.params[name] = loads(encoded_value)
                own.distributions[name] = distribution

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """See :meth:`BaseStorage.set_trial_user_attr`."""
        check_json_value(key, value)

        def work(conn: Connection) -> None:
            self._lock_running(conn, trial_id)
            merge_user_attr(conn, trials_table, trial_id, key, value)

        self._write(work, what="set a trial attribute")

    def set_trial_placement(self, trial_id: int, placement: Placement) -> None:
        """See :meth:`BaseStorage.set_trial_placement`."""
        encoded = dumps(placement.to_json())

        def work(conn: Connection) -> None:
            self._lock_running(conn, trial_id)
            conn.execute(
                update(trials_table).where(trials_table.c.id == trial_id).values(placement=encoded)
            )

        self._write(work, what="place a trial")

    def report_intermediate(
        self,
        trial_id: int,
        step: int,
        metrics: Mapping[str, float],
        now: float,
        cost: float | None = None,
    ) -> None:
        """See :meth:`BaseStorage.report_intermediate`."""
        valid.check_metric_names(metrics)
        encoded = dumps(dict(metrics))

        values = {
            "trial_id": trial_id,
            "step": step,
            "metrics": encoded,
            "reported_at": now,
            "cost": cost,
        }
        update_values = {
            "r_trial_id": trial_id,
            "r_step": step,
            "v_metrics": encoded,
            "v_reported_at": now,
            "v_cost": cost,
        }

        def work(conn: Connection) -> None:
            self._lock_running(conn, trial_id)
            if conn.execute(sql.update_report, update_values).rowcount == 0:
                conn.execute(sql.insert_report, values)

        self._write(work, what="store an intermediate report")
        with self._cache_lock:
            own = self._own.get(trial_id)
            if own is not None:
                own.reports[step] = loads(encoded)
                own.report_times[step] = now
                own.report_costs.pop(step, None)
                if cost is not None:
                    own.report_costs[step] = cost

    def finish_trial(
        self,
        trial_id: int,
        *,
        state: TrialState,
        metrics: Mapping[str, float] | None,
        constraints: Mapping[str, float] | None,
        fail_reason: str | None,
        traceback: str | None,
        now: float,
        fail_kind: FailKind | None = None,
        cost: float | None = None,
    ) -> TrialRecord:
        """See :meth:`BaseStorage.finish_trial`."""
        valid.check_metric_names(metrics, constraints)
        values = {
            "v_cost": cost,
            "trial_id": trial_id,
            "v_state": state.value,
            "v_metrics": dumps(dict(metrics or {})),
            "v_constraints": dumps(dict(constraints or {})),
            "v_fail_reason": valid.storable_text(fail_reason),
            "v_fail_kind": None
            if state is not TrialState.FAILED or fail_kind is None
            else fail_kind.value,
            "v_traceback": valid.storable_text(traceback),
            "v_finished_at": now,
        }

        def work(conn: Connection) -> Row[Any]:
            row = conn.execute(sql.finish_running, values).first()
            if row is None:
                self._lock_running(conn, trial_id)  # raises the precise error
            return row  # type: ignore[return-value]

        row = self._write(work, what="finish a trial")
        with self._cache_lock:
            own = self._own.pop(trial_id, None)
        if own is None:  # finished on behalf of another worker: read what it wrote
            return self.get_trial(trial_id)
        record = record_from_row(
            row,
            {trial_id: own.params},
            {trial_id: own.distributions},
            {trial_id: own.reports},
            {trial_id: own.report_times},
            {trial_id: own.report_costs},
        )
        with self._cache_lock:
            cache = self._caches.get(own.study_id)
            if cache is not None and record.number >= cache.watermark:
                cache.finished[record.number] = record
        return record

    def _forget_own(self, trial_id: int) -> None:
        """Drop this process's copy of a trial another path finished (e.g. expired)."""
        with self._cache_lock:
            self._own.pop(trial_id, None)

    def get_trial(self, trial_id: int) -> TrialRecord:
        """See :meth:`BaseStorage.get_trial`."""
        records = self._read(
            lambda conn: load_trials(conn, trials_table.c.id == trial_id),
            what="read a trial",
        )
        if not records:
            raise KeyError(f"No trial with id {trial_id}.")
        return records[0]

    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[TrialRecord]:
        """See :meth:`BaseStorage.get_all_trials`.

        Finished trials are cached after their first read; each call reads only the trials at
        or above the lowest unfinished number.
        """
        with self._cache_lock:
            cache = self._caches.setdefault(study_id, StudyCache())
            watermark = cache.watermark
            known = sorted(n for n in cache.finished if n >= watermark)
        where = and_(trials_table.c.study_id == study_id, trials_table.c.number >= watermark)
        if known and len(known) <= 500:  # finished above a long-running trial: cached already
            where = and_(where, trials_table.c.number.not_in(known))
        fresh = self._read(lambda conn: load_trials(conn, where), what="read trials")
        with self._cache_lock:
            for record in fresh:
                if record.state.is_finished:
                    cache.finished[record.number] = record
            # Every number below the new watermark is finished and cached.
            new_mark = watermark
            while new_mark in cache.finished:
                new_mark += 1
            cache.watermark = max(cache.watermark, new_mark)
            unfinished = [r for r in fresh if not r.state.is_finished]
            trials = sorted(list(cache.finished.values()) + unfinished, key=lambda r: r.number)
        if states is None:
            return trials
        return [t for t in trials if t.state in states]
