"""Engines for SQLite and PostgreSQL, set up for many concurrent workers.

SQLite is opened in WAL mode (readers never block the writer), with a long busy timeout,
and every write transaction starts with ``BEGIN IMMEDIATE`` so that it takes the write lock
up front: two workers can then never deadlock by upgrading read locks, which is what kills
workers with "database is locked" in naive setups. Writes that still meet a busy database
are retried with jittered back-off until :data:`WRITE_DEADLINE_S` runs out.
"""

from __future__ import annotations

import random
import time
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

T = TypeVar("T")

BUSY_TIMEOUT_MS = 60_000
"""How long one SQLite statement waits for a lock before SQLite gives up."""

WRITE_DEADLINE_S = 300.0
"""How long a write keeps retrying on a busy or deadlocked database before it fails."""

WRITE_OPTION = "paretune_write"
"""Execution option that marks a connection whose transactions write."""


def parse_url(url: str) -> URL:
    """Parse a storage URL, defaulting ``postgresql://`` to the psycopg 3 driver.

    Args:
        url: An SQLAlchemy URL such as ``sqlite:///runs.db`` or
            ``postgresql+psycopg://user@host/db``.

    Returns:
        The parsed URL.

    Raises:
        StorageError: If the text is not a database URL; the message shows a valid one.
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
    return parsed


def display_url(url: URL) -> str:
    """Render a URL for messages, with any password hidden."""
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    """Whether the URL names an SQLite database."""
    return url.get_backend_name() == "sqlite"


def _is_memory_sqlite(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def build_engine(url: URL) -> Engine:
    """Create an engine for ``url`` with paretune's concurrency settings.

    Args:
        url: The parsed URL.

    Returns:
        The engine (no connection is opened yet).

    Raises:
        StorageError: If SQLAlchemy has no driver for the URL.
    """
    try:
        if is_sqlite(url):
            memory = _is_memory_sqlite(url)
            kwargs: dict[str, Any] = {
                "connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            }
            if memory:
                kwargs["poolclass"] = StaticPool
            engine = create_engine(url, **kwargs)
            _configure_sqlite(engine, wal=not memory)
            return engine
        # No pre-ping (a round trip per transaction); a dropped connection is retried below.
        return create_engine(url, pool_recycle=1800)
    except (ArgumentError, ImportError) as exc:
        raise StorageError(
            f"Cannot use the storage URL {display_url(url)!r}: {exc}. paretune supports "
            "'sqlite:///path.db' and 'postgresql+psycopg://user@host:5432/db'."
        ) from exc


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _is_transient(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:  # the server dropped a pooled connection; a new one is made
        return True
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    if "database is locked" in text or "database table is locked" in text or "busy" in text:
        return True
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40001", "40P01")  # serialization failure, deadlock detected


def retry_transient(operation: Callable[[], T], *, what: str, url: URL) -> T:
    """Run ``operation``, retrying while the database reports a busy lock or a deadlock.

    Args:
        operation: A callable that performs one whole transaction.
        what: A few words for error messages ("create a trial").
        url: The storage URL, for error messages.

    Returns:
        What ``operation`` returned.

    Raises:
        StorageError: If the database stays busy past :data:`WRITE_DEADLINE_S`, or fails
            with an operational error that retrying cannot fix.
    """
    deadline = time.monotonic() + WRITE_DEADLINE_S
    delay = 0.005
    while True:
        try:
            return operation()
        except DBAPIError as exc:
            if not _is_transient(exc):
                if isinstance(exc, OperationalError):
                    raise StorageError(
                        f"Could not {what} in {display_url(url)!r}: {exc.orig}"
                    ) from exc
                raise
            if time.monotonic() > deadline:
                raise StorageError(
                    f"Could not {what} in {display_url(url)!r}: the database stayed busy for "
                    f"{WRITE_DEADLINE_S:.0f} s ({exc.orig}). Use PostgreSQL for this many "
                    "concurrent workers."
                ) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)
