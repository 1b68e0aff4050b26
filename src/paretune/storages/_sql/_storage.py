"""SQL storage through SQLAlchemy Core: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from collections.abc import Container
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError

from paretune.constraints import Constraint
from paretune.distributions import Distribution
from paretune.distributions import distribution_from_json
from paretune.distributions import distribution_to_json
from paretune.exceptions import DuplicatedStudyError
from paretune.exceptions import SchemaVersionError
from paretune.exceptions import StorageError
from paretune.exceptions import StudyNotFoundError
from paretune.exceptions import UpdateFinishedTrialError
from paretune.objectives import Direction
from paretune.objectives import Objective
from paretune.storages._base import BaseStorage
from paretune.storages._base import StudyInfo
from paretune.storages._base import StudySummary
from paretune.storages._json import check_json_value
from paretune.storages._json import dumps
from paretune.storages._json import loads
from paretune.storages._sql._engine import WRITE_OPTION
from paretune.storages._sql._engine import build_engine
from paretune.storages._sql._engine import display_url
from paretune.storages._sql._engine import is_sqlite
from paretune.storages._sql._engine import parse_url
from paretune.storages._sql._engine import retry_transient
from paretune.storages._sql._schema import SCHEMA_VERSION
from paretune.storages._sql._schema import meta_table
from paretune.storages._sql._schema import metadata
from paretune.storages._sql._schema import params_table
from paretune.storages._sql._schema import reports_table
from paretune.storages._sql._schema import studies_table
from paretune.storages._sql._schema import trials_table
from paretune.trial._record import TrialRecord
from paretune.trial._state import TrialState

__all__ = ["SQLStorage"]

T = TypeVar("T")

_RUNNING = TrialState.RUNNING.value
_WAITING = TrialState.WAITING.value


@dataclass
class _StudyCache:
    """Finished trials of one study, which never change, keyed by number.

    Every trial numbered below ``watermark`` is finished and cached. Trial numbers become
    visible in order (the counter row stays locked until the trial's insert commits), so no
    trial can appear later below the watermark.
    """

    finished: dict[int, TrialRecord] = field(default_factory=dict)
    watermark: int = 0


class SQLStorage(BaseStorage):
    """Stores studies in an SQL database through SQLAlchemy.

    Args:
        url: ``sqlite:///path.db`` (WAL mode, busy timeout, immediate write transactions),
            ``sqlite://`` (in memory, this process only) or
            ``postgresql+psycopg://user@host:5432/db`` (``postgresql://`` is read the same).

    Raises:
        StorageError: If the database cannot be opened or its schema initialised.
        SchemaVersionError: If the database was written by a newer paretune.
    """

    def __init__(self, url: str) -> None:
        self.url = parse_url(url)
        self._sqlite = is_sqlite(self.url)
        self.engine = build_engine(self.url)
        # Close pooled connections when the storage is garbage-collected.
        self._finalizer = weakref.finalize(self, self.engine.dispose)
        self._cache_lock = threading.Lock()
        self._caches: dict[int, _StudyCache] = {}
        try:
            self._write(self._init_schema, what="initialise the schema")
        except StorageError:
            self.engine.dispose()
            raise
        except DBAPIError as exc:
            self.engine.dispose()
            raise StorageError(
                f"Could not open the storage {display_url(self.url)!r}: {exc.orig}. "
                + self._open_hint()
            ) from exc

    def _open_hint(self) -> str:
        if self._sqlite:
            return "Check that the file's directory exists and is writable."
        return "Check that the server is running, and the host, port, user and database name."

    # ---- transactions --------------------------------------------------------------------
    def _write(self, work: Callable[[Connection], T], *, what: str) -> T:
        def attempt() -> T:
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    return work(conn)

        try:
            return retry_transient(attempt, what=what, url=self.url)
        except StorageError as exc:
            if "unable to open" in str(exc) or "connection" in str(exc).lower():
                raise StorageError(f"{exc}. {self._open_hint()}") from exc
            raise

    def _read(self, work: Callable[[Connection], T], *, what: str) -> T:
        def attempt() -> T:
            with self.engine.connect() as conn:
                if not self._sqlite:
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    return work(conn)

        return retry_transient(attempt, what=what, url=self.url)

    def _init_schema(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            # Serialise concurrent first-time creators; released at commit.
            conn.execute(text("SELECT pg_advisory_xact_lock(7253011)"))
        metadata.create_all(conn, checkfirst=True)
        row = conn.execute(
            select(meta_table.c.value).where(meta_table.c.key == "schema_version")
        ).first()
        if row is None:
            conn.execute(insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION)))
            return
        found = int(row[0])
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"The database {display_url(self.url)!r} has schema version {found}, newer than "
                f"this paretune understands ({SCHEMA_VERSION}); upgrade paretune to read it."
            )
        # Older versions would be migrated here; version 1 is the first.

    def close(self) -> None:
        """Dispose of the connection pool."""
        self._finalizer()

    # ---- studies -------------------------------------------------------------------------
    def create_study(
        self,
        name: str,
        objectives: tuple[Objective, ...],
        constraints: tuple[Constraint, ...],
        seed: int | None,
        user_attrs: Mapping[str, Any] | None = None,
    ) -> StudyInfo:
        """See :meth:`BaseStorage.create_study`."""
        now = time.time()
        values = {
            "name": name,
            "objectives": dumps([{"name": o.name, "direction": o.direction.value} for o in objectives]),
            "constraints": dumps(
                [{"metric": c.metric, "op": c.op, "bound": c.bound} for c in constraints]
            ),
            "seed": seed,
            "user_attrs": dumps(dict(user_attrs or {})),
            "created_at": now,
            "next_trial_number": 0,
        }

        def work(conn: Connection) -> int:
            exists = conn.execute(
                select(studies_table.c.id).where(studies_table.c.name == name)
            ).first()
            if exists is not None:
                raise DuplicatedStudyError(
                    f"A study named {name!r} already exists in {display_url(self.url)!r}; pass "
                    "load_if_exists=True to continue it or choose another name."
                )
            return int(conn.execute(insert(studies_table).values(**values)).inserted_primary_key[0])

        try:
            study_id = self._write(work, what="create a study")
        except IntegrityError as exc:  # a concurrent creator won the race
            raise DuplicatedStudyError(
                f"A study named {name!r} already exists in {display_url(self.url)!r}; pass "
                "load_if_exists=True to continue it or choose another name."
            ) from exc
        return StudyInfo(
            study_id, name, objectives, constraints, seed, now, dict(user_attrs or {})
        )

    @staticmethod
    def _study_from_row(row: Row[Any]) -> StudyInfo:
        objectives = tuple(
            Objective(o["name"], Direction(o["direction"])) for o in loads(row.objectives)
        )
        constraints = tuple(
            Constraint(c["metric"], c["op"], c["bound"]) for c in loads(row.constraints)
        )
        return StudyInfo(
            int(row.id),
            row.name,
            objectives,
            constraints,
            row.seed,
            float(row.created_at),
            loads(row.user_attrs),
        )

    def get_study(self, name: str) -> StudyInfo:
        """See :meth:`BaseStorage.get_study`."""

        def work(conn: Connection) -> StudyInfo:
            row = conn.execute(select(studies_table).where(studies_table.c.name == name)).first()
            if row is None:
                names = conn.execute(select(studies_table.c.name)).scalars().all()
                hint = f"existing studies: {', '.join(sorted(names))}" if names else "it holds none"
                raise StudyNotFoundError(
                    f"No study named {name!r} in {display_url(self.url)!r} ({hint})."
                )
            return self._study_from_row(row)

        return self._read(work, what="read a study")

    def list_studies(self) -> list[StudySummary]:
        """See :meth:`BaseStorage.list_studies`."""

        def work(conn: Connection) -> list[StudySummary]:
            rows = conn.execute(select(studies_table).order_by(studies_table.c.id)).all()
            counts = conn.execute(
                select(trials_table.c.study_id, trials_table.c.state, func.count()).group_by(
                    trials_table.c.study_id, trials_table.c.state
                )
            ).all()
            by_study: dict[int, dict[TrialState, int]] = {}
            for study_id, state, n in counts:
                by_study.setdefault(int(study_id), {})[TrialState(state)] = int(n)
            return [
                StudySummary(self._study_from_row(r), by_study.get(int(r.id), {})) for r in rows
            ]

        return self._read(work, what="list studies")

    def delete_study(self, name: str) -> None:
        """See :meth:`BaseStorage.delete_study`."""
        study_id = self.get_study(name).study_id

        def work(conn: Connection) -> None:
            trial_ids = select(trials_table.c.id).where(trials_table.c.study_id == study_id)
            conn.execute(delete(params_table).where(params_table.c.trial_id.in_(trial_ids)))
            conn.execute(delete(reports_table).where(reports_table.c.trial_id.in_(trial_ids)))
            conn.execute(delete(trials_table).where(trials_table.c.study_id == study_id))
            conn.execute(delete(studies_table).where(studies_table.c.id == study_id))

        self._write(work, what="delete a study")
        with self._cache_lock:
            self._caches.pop(study_id, None)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """See :meth:`BaseStorage.set_study_user_attr`."""
        check_json_value(key, value)

        def work(conn: Connection) -> None:
            raw = conn.execute(
                select(studies_table.c.user_attrs).where(studies_table.c.id == study_id)
            ).scalar_one()
            attrs = loads(raw)
            attrs[key] = value
            conn.execute(
                update(studies_table)
                .where(studies_table.c.id == study_id)
                .values(user_attrs=dumps(attrs))
            )

        self._write(work, what="set a study attribute")

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
        now: float,
    ) -> TrialRecord:
        """See :meth:`BaseStorage.create_trial`."""
        env = dict(environment or {})
        enqueued = dict(enqueued_params or {})
        attrs = dict(user_attrs or {})
        started = now if state is TrialState.RUNNING else None

        def work(conn: Connection) -> tuple[int, int, int]:
            # The UPDATE locks the study's row until commit, so numbers are handed out and
            # become visible strictly in order, without gaps.
            number = conn.execute(
                update(studies_table)
                .where(studies_table.c.id == study_id)
                .values(next_trial_number=studies_table.c.next_trial_number + 1)
                .returning(studies_table.c.next_trial_number)
            ).scalar_one() - 1
            seed = seed_for(number)
            trial_id = conn.execute(
                insert(trials_table).values(
                    study_id=study_id,
                    number=number,
                    state=state.value,
                    seed=seed,
                    started_at=started,
                    user_attrs=dumps(attrs),
                    environment=dumps(env),
                    enqueued_params=dumps(enqueued),
                )
            ).inserted_primary_key[0]
            return int(trial_id), int(number), int(seed)

        trial_id, number, seed = self._write(work, what="create a trial")
        return TrialRecord(
            number=number,
            state=state,
            seed=seed,
            environment=env,
            enqueued_params=enqueued,
            user_attrs=attrs,
            started_at_ts=started,
            trial_id=trial_id,
        )

    def claim_waiting_trial(
        self, study_id: int, *, environment: Mapping[str, Any], now: float
    ) -> TrialRecord | None:
        """See :meth:`BaseStorage.claim_waiting_trial`."""

        def work(conn: Connection) -> int | None:
            while True:
                candidate = conn.execute(
                    select(trials_table.c.id)
                    .where(trials_table.c.study_id == study_id, trials_table.c.state == _WAITING)
                    .order_by(trials_table.c.number)
                    .limit(1)
                ).scalar()
                if candidate is None:
                    return None
                claimed = conn.execute(
                    update(trials_table)
                    .where(trials_table.c.id == candidate, trials_table.c.state == _WAITING)
                    .values(state=_RUNNING, started_at=now, environment=dumps(dict(environment)))
                ).rowcount
                if claimed == 1:
                    return int(candidate)

        trial_id = self._write(work, what="claim an enqueued trial")
        return None if trial_id is None else self.get_trial(trial_id)

    def _lock_running(self, conn: Connection, trial_id: int) -> None:
        query = select(trials_table.c.state, trials_table.c.number).where(
            trials_table.c.id == trial_id
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
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
        encoded_value = dumps(value)
        encoded_dist = dumps(distribution_to_json(distribution))

        def work(conn: Connection) -> None:
            self._lock_running(conn, trial_id)
            conn.execute(
                insert(params_table).values(
                    trial_id=trial_id, name=name, value=encoded_value, distribution=encoded_dist
                )
            )

        self._write(work, what="store a parameter")

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """See :meth:`BaseStorage.set_trial_user_attr`."""
        check_json_value(key, value)

        def work(conn: Connection) -> None:
            self._lock_running(conn, trial_id)
            raw = conn.execute(
                select(trials_table.c.user_attrs).where(trials_table.c.id == trial_id)
            ).scalar_one()
            attrs = loads(raw)
            attrs[key] = value
            conn.execute(
                update(trials_table).where(trials_table.c.id == trial_id).values(user_attrs=dumps(attrs))
            )

        self._write(work, what="set a trial attribute")

    def report_intermediate(
        self, trial_id: int, step: int, metrics: Mapping[str, float], now: float
    ) -> None:
        """See :meth:`BaseStorage.report_intermediate`."""
        encoded = dumps(dict(metrics))

        def work(conn: Connection) -> None:
            self._lock_running(conn, trial_id)
            done = conn.execute(
                update(reports_table)
                .where(reports_table.c.trial_id == trial_id, reports_table.c.step == step)
                .values(metrics=encoded, reported_at=now)
            ).rowcount
            if done == 0:
                conn.execute(
                    insert(reports_table).values(
                        trial_id=trial_id, step=step, metrics=encoded, reported_at=now
                    )
                )

        self._write(work, what="store an intermediate report")

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
    ) -> TrialRecord:
        """See :meth:`BaseStorage.finish_trial`."""
        values = {
            "state": state.value,
            "metrics": dumps(dict(metrics or {})),
            "constraints": dumps(dict(constraints or {})),
            "fail_reason": fail_reason,
            "traceback": traceback,
            "finished_at": now,
        }

        def work(conn: Connection) -> TrialRecord:
            done = conn.execute(
                update(trials_table)
                .where(trials_table.c.id == trial_id, trials_table.c.state == _RUNNING)
                .values(**values)
            ).rowcount
            if done != 1:
                self._lock_running(conn, trial_id)  # raises the precise error
            records = self._load_trials(conn, trials_table.c.id == trial_id)
            return records[0]

        return self._write(work, what="finish a trial")

    def get_trial(self, trial_id: int) -> TrialRecord:
        """See :meth:`BaseStorage.get_trial`."""
        records = self._read(
            lambda conn: self._load_trials(conn, trials_table.c.id == trial_id),
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
            cache = self._caches.setdefault(study_id, _StudyCache())
            watermark = cache.watermark
        fresh = self._read(
            lambda conn: self._load_trials(
                conn,
                and_(trials_table.c.study_id == study_id, trials_table.c.number >= watermark),
            ),
            what="read trials",
        )
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
            trials = sorted(
                list(cache.finished.values()) + unfinished, key=lambda r: r.number
            )
        if states is None:
            return trials
        return [t for t in trials if t.state in states]

    # ---- loading records -----------------------------------------------------------------
    def _load_trials(self, conn: Connection, where: Any) -> list[TrialRecord]:
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
        for r in conn.execute(select(reports_table).where(reports_table.c.trial_id.in_(ids))):
            reports.setdefault(r.trial_id, {})[int(r.step)] = loads(r.metrics)
        return [self._record_from_row(row, params, dists, reports) for row in rows]

    @staticmethod
    def _record_from_row(
        row: Row[Any],
        params: Mapping[int, dict[str, Any]],
        dists: Mapping[int, dict[str, Distribution]],
        reports: Mapping[int, dict[int, dict[str, float]]],
    ) -> TrialRecord:
        trial_id = int(row.id)
        return TrialRecord(
            number=int(row.number),
            state=TrialState(row.state),
            params=params.get(trial_id, {}),
            distributions=dists.get(trial_id, {}),
            metrics=loads(row.metrics) or {},
            constraints=loads(row.constraints) or {},
            intermediate=reports.get(trial_id, {}),
            fail_reason=row.fail_reason,
            traceback=row.traceback,
            started_at_ts=row.started_at,
            finished_at_ts=row.finished_at,
            seed=int(row.seed),
            user_attrs=loads(row.user_attrs),
            environment=loads(row.environment),
            enqueued_params=loads(row.enqueued_params),
            trial_id=trial_id,
        )
