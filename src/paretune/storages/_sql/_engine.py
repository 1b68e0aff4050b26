"""Engines for SQLite and PostgreSQL, set up for many concurrent workers.

SQLite files are switched to WAL mode (readers never block the writer) once their schema
version has been checked (see ``_setup``), connections wait for locks up to the busy
timeout, and every write transaction starts with ``BEGIN IMMEDIATE`` so that it takes the
write lock up front: two workers can then never deadlock by upgrading read locks, which is
what kills workers with "database is locked" in naive setups.

PostgreSQL sessions get a ``lock_timeout`` (a statement waits that long for a lock, then is
cancelled) and an ``idle_in_transaction_session_timeout`` (the server ends a session that
sits idle inside a transaction, releasing its locks), so one frozen worker cannot stop the
others for ever.

Transactions that meet a busy or locked database, a deadlock or a dropped connection are
retried with jittered back-off until the retry timeout runs out; then a
:class:`~paretune.exceptions.StorageError` says what held them up. Every wait is a URL
option (see ``_settings``).
"""

from __future__ import annotations

import pathlib
import random
import time
import urllib.parse
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from paretune.exceptions import StorageError
from paretune.storages._sql._errors import gave_up
from paretune.storages._sql._errors import is_open_failure
from paretune.storages._sql._errors import open_hint
from paretune.storages._sql._errors import transient_kind
from paretune.storages._sql._settings import ConnectionSettings
from paretune.storages._sql._settings import split_settings

T = TypeVar("T")

WRITE_OPTION = "paretune_write"
"""Execution option that marks a connection whose transactions write."""

NO_TRANSACTION_OPTION = "paretune_no_transaction"
"""Execution option for SQLite statements that must run outside a transaction (pragmas)."""


def parse_url(url: str) -> URL:
    """Parse a storage URL, defaulting ``postgresql://`` to the psycopg 3 driver.

    Args:
        url: An SQLAlchemy URL such as ``sqlite:///runs.db`` or
            ``postgresql+psycopg://user@host/db``, with paretune's options (see
            :class:`~paretune.storages._sql._settings.ConnectionSettings`) in its query.

    Returns:
        The parsed URL, paretune's options still in it.

    Raises:
        StorageError: If the text is not a database URL (the message shows a valid one), or
            one of paretune's options is malformed.
    """
    if "://" not in url:
        raise StorageError(
            f"{url!r} is not a storage URL; use e.g. 'sqlite:///{url}' for an SQLite file or "
            "'postgresql+psycopg://user@host:5432/db' for PostgreSQL."
        )
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"Could not parse the storage URL {url!r}: {exc}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    split_settings(parsed)  # malformed options fail here, before anything is opened
    return parsed


def display_url(url: URL) -> str:
    """Render a URL for messages, with any password hidden."""
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    """Whether the URL names an SQLite database."""
    return url.get_backend_name() == "sqlite"


def is_memory_sqlite(url: URL) -> bool:
    """Whether the URL names an in-memory SQLite database."""
    return is_sqlite(url) and url.database in (None, "", ":memory:")


def settings_of(url: URL) -> ConnectionSettings:
    """The storage settings written in ``url``'s query (defaults for those not given).

    Raises:
        StorageError: If an option is malformed.
    """
    return split_settings(url)[1]


def build_engine(url: URL) -> Engine:
    """Create an engine for ``url`` with paretune's concurrency settings.

    Args:
        url: The parsed URL, paretune's options in its query.

    Returns:
        The engine (no connection is opened yet).

    Raises:
        StorageError: If SQLAlchemy has no driver for the URL, an option is malformed, or
            ``read_only`` names an in-memory database or an SQLite file that does not exist.
    """
    target, settings = split_settings(url)
    try:
        if is_sqlite(target):
            memory = is_memory_sqlite(target)
            if settings.read_only:
                target = _read_only_sqlite(target)
            kwargs: dict[str, Any] = {
                "connect_args": {"timeout": settings.busy_timeout_s, "check_same_thread": False}
            }
            if memory:
                kwargs["poolclass"] = StaticPool
            engine = create_engine(target, **kwargs)
            _configure_sqlite(engine, settings)
            return engine
        # No pre-ping (a round trip per transaction); a dropped connection is retried below.
        engine = create_engine(target, pool_recycle=1800)
        _configure_postgresql(engine, settings)
        return engine
    except (ArgumentError, ImportError) as exc:
        raise StorageError(
            f"Cannot use the storage URL {display_url(url)!r}: {exc}. paretune supports "
            "'sqlite:///path.db' and 'postgresql+psycopg://user@host:5432/db'."
        ) from exc


def existing_sqlite_file(url: URL) -> pathlib.Path:
    """The existing file an SQLite URL names.

    Args:
        url: A parsed SQLite URL.

    Returns:
        The file's absolute path.

    Raises:
        StorageError: If the URL names an in-memory database, or no file exists at its path
            ("There is no database at PATH").
    """
    if is_memory_sqlite(url):
        raise StorageError(
            "An in-memory SQLite database holds no studies to open; pass the URL of a "
            "database file, e.g. sqlite:///runs.db."
        )
    path = pathlib.Path(url.database or "").resolve()
    if not path.is_file():
        raise StorageError(
            f"There is no database at {path}, and only creating a study (pt.create_study, "
            "optimize) creates one. Check the URL: sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db."
        )
    return path


def _read_only_sqlite(url: URL) -> URL:
    """The same file as an SQLite URI opened with ``mode=ro``: it is never created."""
    path = existing_sqlite_file(url)
    query = {**url.query, "mode": "ro", "uri": "true"}
    return url.set(database=f"file:{urllib.parse.quote(str(path))}", query=query)


def _configure_sqlite(engine: Engine, settings: ConnectionSettings) -> None:
    busy_ms = round(settings.busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, open transactions. Nothing here
        # writes to the file: WAL mode is switched on by enable_wal, after the schema check.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(NO_TRANSACTION_OPTION, False):
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


def _configure_postgresql(engine: Engine, settings: ConnectionSettings) -> None:
    values = [
        ("lock_timeout", f"{round(settings.lock_timeout_s * 1000)}ms"),
        (
            "idle_in_transaction_session_timeout",
            f"{round(settings.idle_in_transaction_s * 1000)}ms",
        ),
    ]
    if settings.read_only:
        values.append(("default_transaction_read_only", "on"))
    # One round trip per new connection, not per transaction. SET rather than the libpq
    # "options" parameter, which connection poolers such as PgBouncer refuse.
    statement = "SELECT " + ", ".join("set_config(%s, %s, false)" for _ in values)
    params = [item for pair in values for item in pair]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(statement, params)
        finally:
            dbapi_connection.autocommit = autocommit


def enable_wal(engine: Engine, url: URL) -> None:
    """Switch an SQLite file to WAL mode (kept in the file; a no-op once done).

    Raises:
        StorageError: If the database stays locked past the retry timeout.
    """

    def attempt() -> None:
        with engine.connect() as conn:
            conn = conn.execution_options(**{NO_TRANSACTION_OPTION: True})
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")
            conn.commit()

    retry_transient(attempt, what="switch the database to WAL mode", url=url)


def retry_transient(operation: Callable[[], T], *, what: str, url: URL) -> T:
    """Run ``operation``, retrying while the database reports a busy lock or a deadlock.

    Args:
        operation: A callable that performs one whole transaction.
        what: A few words for error messages ("create a trial").
        url: The storage URL, for error messages and its retry timeout.

    Returns:
        What ``operation`` returned.

    Raises:
        StorageError: If the database stays busy or locked past the retry timeout (the
            message says what held it and what to do), or fails with an operational error
            that retrying cannot fix.
    """
    start = time.monotonic()
    settings: ConnectionSettings | None = None
    delay = 0.005
    while True:
        try:
            return operation()
        except DBAPIError as exc:
            kind = transient_kind(exc)
            if kind is None:
                if isinstance(exc, OperationalError):
                    detail = str(exc.orig).rstrip()
                    detail += "" if detail.endswith((".", "?", "!")) else "."
                    hint = f" {open_hint(url)}" if is_open_failure(exc) else ""
                    raise StorageError(
                        f"Could not {what} in {display_url(url)!r}: {detail}{hint}"
                    ) from exc
                raise
            if settings is None:
                settings = settings_of(url)
            waited = time.monotonic() - start
            if waited >= settings.retry_timeout_s:
                message = gave_up(
                    kind,
                    exc,
                    what=what,
                    where=display_url(url),
                    url=url,
                    settings=settings,
                    waited_s=waited,
                )
                raise StorageError(message) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)
