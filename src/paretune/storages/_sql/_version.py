"""Reading a database's schema version, and the errors for versions this paretune can't use."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.engine import Connection

from paretune.exceptions import SchemaVersionError
from paretune.storages._sql._schema import SCHEMA_VERSION
from paretune.storages._sql._schema import meta_table

__all__ = ["newer_schema_error", "older_schema_error", "read_schema_version"]


def read_schema_version(conn: Connection) -> int | None:
    """The schema version recorded in the database, reading only (no table is created).

    Returns:
        The version, or None when the database has no paretune tables yet.
    """
    if not inspect(conn).has_table(meta_table.name):
        return None
    row = conn.execute(
        select(meta_table.c.value).where(meta_table.c.key == "schema_version")
    ).first()
    return None if row is None else int(row[0])


def newer_schema_error(found: int, where: str) -> SchemaVersionError:
    """The error for a database written by a newer paretune (left untouched)."""
    return SchemaVersionError(
        f"The database {where!r} has schema version {found}, newer than this paretune "
        f"understands ({SCHEMA_VERSION}); upgrade paretune to read it. The database was "
        "left untouched.",
        found=found,
        supported=SCHEMA_VERSION,
    )


def older_schema_error(found: int, where: str) -> SchemaVersionError:
    """The error for an older database opened read-only, which cannot be migrated."""
    return SchemaVersionError(
        f"The database {where!r} has an older schema (version {found}) than this "
        f"paretune's ({SCHEMA_VERSION}), and a read-only opening upgrades nothing. Open it "
        "once for writing to migrate it in place (e.g. `paretune studies --storage URL`, "
        "or pt.load_study from Python), then open it again.",
        found=found,
        supported=SCHEMA_VERSION,
    )
