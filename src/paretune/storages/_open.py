"""Opening a database that must already exist: for reading, listing, exporting, deleting.

Only the paths that create studies (``create_study``, ``optimize``) create databases. The
command line's other commands and the dashboard open through :func:`open_existing`, which
refuses a missing SQLite file with "no database at PATH" instead of creating an empty one,
and with ``read_only=True`` opens the connection itself read-only (SQLite ``mode=ro``,
PostgreSQL ``default_transaction_read_only``), so nothing is created, migrated or written.
"""

from __future__ import annotations

from paretune.exceptions import SchemaVersionError
from paretune.storages._sql import SQLStorage
from paretune.storages._sql._engine import existing_sqlite_file
from paretune.storages._sql._engine import is_sqlite
from paretune.storages._sql._engine import parse_url

__all__ = ["open_existing"]


def open_existing(url: str, *, read_only: bool, upgrade: bool = False) -> SQLStorage:
    """Open the database at ``url``, which must exist; never create one.

    Args:
        url: ``sqlite:///path.db`` (the file must exist) or
            ``postgresql+psycopg://user@host:5432/db``, with any URL options.
        read_only: Open the connection read-only: nothing is created, migrated or written,
            and the database must hold paretune tables of this paretune's schema version.
        upgrade: With ``read_only``, migrate a database of an older schema version in place
            first (as every writable opening does), then open it read-only.

    Returns:
        The storage.

    Raises:
        StorageError: If the URL is malformed, names an in-memory or a missing SQLite
            database, a read-only database has no paretune tables, or the database cannot
            be opened.
        SchemaVersionError: If the database was written by a newer paretune (it is left
            untouched), or is older, opened read-only and ``upgrade`` is False.
    """
    parsed = parse_url(url)
    if is_sqlite(parsed):
        existing_sqlite_file(parsed)
    if not read_only:
        return SQLStorage(url)
    target = parsed.update_query_dict({"read_only": "true"}).render_as_string(hide_password=False)
    try:
        return SQLStorage(target)
    except SchemaVersionError as exc:
        older = exc.found is not None and exc.supported is not None and exc.found < exc.supported
        if not (upgrade and older):
            raise
    SQLStorage(url).close()  # migrates in place
    return SQLStorage(target)
