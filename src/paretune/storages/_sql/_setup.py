"""Opening a database: check its schema version first, then set it up, in that order.

The order is the point. The version is read in a plain read transaction before anything
that writes: a database written by a newer paretune is refused with its file byte for byte
as it was (no switch to WAL mode, no table created). Only then is an SQLite file switched to
WAL mode, and the schema created or migrated. A storage opened read-only stops after the
check: it creates, migrates and switches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from paretune.exceptions import StorageError
from paretune.storages._sql._engine import display_url
from paretune.storages._sql._engine import enable_wal
from paretune.storages._sql._engine import is_memory_sqlite
from paretune.storages._sql._engine import is_sqlite
from paretune.storages._sql._engine import settings_of
from paretune.storages._sql._migrate import init_schema
from paretune.storages._sql._schema import SCHEMA_VERSION
from paretune.storages._sql._version import newer_schema_error
from paretune.storages._sql._version import older_schema_error
from paretune.storages._sql._version import read_schema_version

__all__ = ["prepare_schema"]

Transaction = Callable[..., Any]


def prepare_schema(engine: Engine, url: URL, *, read: Transaction, write: Transaction) -> None:
    """Check the schema version, then make the database ready to use.

    Args:
        engine: The storage's engine.
        url: The storage's URL (its options say whether it is read-only).
        read: Runs ``work(conn)`` in a read transaction: ``read(work, what=...)``.
        write: Runs ``work(conn)`` in a write transaction: ``write(work, what=...)``.

    Raises:
        SchemaVersionError: If the database was written by a newer paretune, or is older
            and opened read-only.
        StorageError: If a read-only database has no paretune tables, or the database
            cannot be read or set up.
    """
    where = display_url(url)

    def version(conn: Connection) -> int | None:
        return read_schema_version(conn)

    found = read(version, what="open the database")
    if found is not None and found > SCHEMA_VERSION:
        raise newer_schema_error(found, where)
    if settings_of(url).read_only:
        if found is None:
            raise StorageError(
                f"The database {where!r} has no paretune tables, and a read-only opening "
                "creates nothing. Check the URL, or create a study in it first "
                "(pt.create_study)."
            )
        if found < SCHEMA_VERSION:
            raise older_schema_error(found, where)
        return
    if is_sqlite(url) and not is_memory_sqlite(url):
        enable_wal(engine, url)
    write(lambda conn: init_schema(conn, url), what="initialise the schema")
