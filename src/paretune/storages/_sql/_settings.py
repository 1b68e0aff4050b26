"""paretune's own options in a storage URL: lock waits, retries and read-only opening.

They are written as query parameters of the URL and taken out of it before the URL reaches
the database driver, so they work wherever a URL is accepted (``storage=``, ``--storage``,
``PARETUNE_STORAGE``)::

    sqlite:///runs.db?busy_timeout=120s
    postgresql+psycopg://tuner@db/hpo?lock_timeout=30s&idle_in_transaction_session_timeout=5min

Durations take a unit (``ms``, ``s`` or ``min``); ``0`` turns a PostgreSQL timeout off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL

from paretune.exceptions import StorageError

__all__ = ["ConnectionSettings", "format_seconds", "split_settings"]

_SQLITE_ONLY = ("busy_timeout",)
_POSTGRESQL_ONLY = ("lock_timeout", "idle_in_transaction_session_timeout")
_BOTH = ("retry_timeout",)
_FLAGS = ("read_only",)
OPTIONS = _SQLITE_ONLY + _POSTGRESQL_ONLY + _BOTH + _FLAGS
"""Every query parameter paretune reads itself."""

_FIELDS = {
    "busy_timeout": "busy_timeout_s",
    "lock_timeout": "lock_timeout_s",
    "idle_in_transaction_session_timeout": "idle_in_transaction_s",
    "retry_timeout": "retry_timeout_s",
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|min)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0}


@dataclass(frozen=True)
class ConnectionSettings:
    """How long a storage waits for locks and retries, and whether it only reads.

    Attributes:
        busy_timeout_s: SQLite: how long one statement waits for another connection's
            write lock before SQLite reports "database is locked" (URL option
            ``busy_timeout``).
        lock_timeout_s: PostgreSQL: how long one statement waits for a lock before the
            server cancels it (``lock_timeout``); 0 waits without limit.
        idle_in_transaction_s: PostgreSQL: how long a session may sit idle inside a
            transaction before the server ends it and releases its locks
            (``idle_in_transaction_session_timeout``); 0 never ends it.
        retry_timeout_s: How long a transaction that met a busy or locked database, a
            deadlock or a dropped connection is retried before :class:`StorageError` is
            raised (``retry_timeout``).
        read_only: Open the database for reading only: SQLite files with ``mode=ro``,
            PostgreSQL sessions with ``default_transaction_read_only`` (``read_only=true``).
            Nothing is created, migrated or written.
    """

    busy_timeout_s: float = 60.0
    lock_timeout_s: float = 10.0
    idle_in_transaction_s: float = 60.0
    retry_timeout_s: float = 300.0
    read_only: bool = False


def format_seconds(seconds: float) -> str:
    """A duration for messages: ``"250 ms"``, ``"10 s"``, ``"no limit"`` for 0."""
    if seconds <= 0:
        return "no limit"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.3g} s" if seconds < 100 else f"{seconds:.0f} s"


def _text(value: str | tuple[str, ...]) -> str:
    return value[-1] if isinstance(value, tuple) else value


def _duration(name: str, value: str) -> float:
    match = _DURATION.match(value)
    if match is None or (match.group(2) is None and float(match.group(1)) != 0):
        raise StorageError(
            f"The storage URL option {name}={value!r} is not a duration; write it with a "
            f"unit, e.g. {name}=10s, {name}=500ms or {name}=2min (0 for no limit)."
        )
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise StorageError(f"The storage URL option {name}={value!r} must be true or false.")


def split_settings(url: URL) -> tuple[URL, ConnectionSettings]:
    """Take paretune's options out of ``url``'s query.

    Args:
        url: A parsed storage URL.

    Returns:
        The URL without paretune's options (what the driver sees), and the settings, with
        defaults for the options not given.

    Raises:
        StorageError: If an option is malformed, or belongs to the other database (e.g.
            ``busy_timeout`` in a PostgreSQL URL).
    """
    given = {key: _text(url.query[key]) for key in OPTIONS if key in url.query}
    if not given:
        return url, ConnectionSettings()
    sqlite = url.get_backend_name() == "sqlite"
    foreign = _POSTGRESQL_ONLY if sqlite else _SQLITE_ONLY
    for key in given:
        if key in foreign:
            owner = "PostgreSQL" if sqlite else "SQLite"
            raise StorageError(
                f"The storage URL option {key!r} applies to {owner} only; remove it from "
                f"{url.render_as_string(hide_password=True)!r}."
            )
    values: dict[str, Any] = {}
    for key, text in given.items():
        if key in _FLAGS:
            values[key] = _flag(key, text)
        else:
            values[_FIELDS[key]] = _duration(key, text)
    return url.difference_update_query(list(given)), ConnectionSettings(**values)
