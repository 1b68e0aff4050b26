"""Which database errors are worth retrying, and what to say when retrying runs out."""

from __future__ import annotations

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from paretune.storages._sql._settings import ConnectionSettings
from paretune.storages._sql._settings import format_seconds

__all__ = ["gave_up", "is_open_failure", "open_hint", "transient_kind"]

_LOCKED = "locked"  # SQLite: another connection holds the write lock past the busy timeout
_LOCK_TIMEOUT = "lock_timeout"  # PostgreSQL: a statement waited lock_timeout for a lock
_CONFLICT = "conflict"  # PostgreSQL: deadlock or serialization failure
_DISCONNECT = "disconnect"  # the server dropped a connection (a new one is made)


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


def transient_kind(exc: DBAPIError) -> str | None:
    """Why ``exc`` may pass if the transaction is tried again, or None if it will not.

    Args:
        exc: An error raised by SQLAlchemy.

    Returns:
        ``"locked"``, ``"lock_timeout"``, ``"conflict"``, ``"disconnect"`` or None.
    """
    code = _sqlstate(exc)
    # 25P03: ended by idle_in_transaction_session_timeout; 57P01: by pg_terminate_backend
    if exc.connection_invalidated or code in ("25P03", "57P01"):
        return _DISCONNECT
    if code == "55P03":  # lock_not_available: lock_timeout ran out
        return _LOCK_TIMEOUT
    if code in ("40001", "40P01"):  # serialization failure, deadlock detected
        return _CONFLICT
    text = str(exc.orig if exc.orig is not None else exc).lower()
    if "database is locked" in text or "database table is locked" in text or "busy" in text:
        return _LOCKED
    return None


def _sqlite_path(url: URL) -> str:
    return url.database or "the database file"


def gave_up(
    kind: str,
    exc: DBAPIError,
    *,
    what: str,
    where: str,
    url: URL,
    settings: ConnectionSettings,
    waited_s: float,
) -> str:
    """The message of the error raised once retrying ``kind`` errors has run out.

    Args:
        kind: What :func:`transient_kind` said of the last error.
        exc: The last error.
        what: What was being done ("create a trial").
        where: The URL as shown to users.
        url: The parsed URL.
        settings: The storage's settings.
        waited_s: How long the attempts took in all.

    Returns:
        The message: what happened, the likely cause and what to do.
    """
    head = f"Could not {what} in {where!r}"
    waited = format_seconds(waited_s) if waited_s >= 0.001 else "0 s"
    if kind == _LOCKED:
        path = _sqlite_path(url)
        return (
            f"{head}: the database stayed locked for {waited} ({exc.orig}). Another "
            f"connection held a write transaction on {path} for longer than the busy "
            f"timeout ({format_seconds(settings.busy_timeout_s)}) at every attempt; SQLite "
            "lets one connection write at a time. Usually a worker is stuck or suspended in "
            "the middle of a write, or a tool (the sqlite3 shell, a database browser) keeps a "
            f"transaction open: end it (`fuser {path}` lists the processes that have the "
            "file open) and try again. To let writes wait longer, add e.g. "
            "?busy_timeout=120s&retry_timeout=10min to the URL."
        )
    if kind == _LOCK_TIMEOUT:
        idle = settings.idle_in_transaction_s
        frozen = (
            "A worker frozen inside a transaction is ended by the server after "
            f"idle_in_transaction_session_timeout ({format_seconds(idle)}), which releases "
            "its locks; a lock held longer belongs to a session still running a statement "
            "or to another client."
            if idle > 0
            else "idle_in_transaction_session_timeout is off (0), so a worker frozen inside "
            "a transaction keeps its locks until its process ends."
        )
        return (
            f"{head}: another session held a lock this transaction needed; each attempt "
            f"waited lock_timeout ({format_seconds(settings.lock_timeout_s)}) and was "
            f"cancelled, for {waited} in all ({exc.orig}). {frozen} Find the holder in "
            "pg_stat_activity (state, xact_start, query) and pg_locks, and end it with "
            "pg_terminate_backend(pid). The waits are URL options, e.g. "
            "?lock_timeout=30s&retry_timeout=10min."
        )
    if kind == _CONFLICT:
        return (
            f"{head}: the database kept reporting deadlocks or serialization failures for "
            f"{waited} ({exc.orig})."
        )
    return (
        f"{head}: the connection to the database kept dropping for {waited} ({exc.orig}). "
        "Check that the server is running and reachable."
    )


def open_hint(url: URL) -> str:
    """What to check when the database at ``url`` could not be reached or opened."""
    if url.get_backend_name() == "sqlite":
        return "Check that the file's directory exists and is writable."
    return "Check that the server is running, and the host, port, user and database name."


def is_open_failure(exc: DBAPIError) -> bool:
    """Whether ``exc`` says the database could not be reached or opened."""
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return "unable to open" in text or "connection" in text
