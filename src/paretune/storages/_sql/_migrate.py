"""Create the schema in a new database, or bring an older one up to :data:`SCHEMA_VERSION`."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.engine import URL
from sqlalchemy.engine import Connection

from paretune._values import FailKind
from paretune.storages._sql._engine import display_url
from paretune.storages._sql._schema import SCHEMA_VERSION
from paretune.storages._sql._schema import meta_table
from paretune.storages._sql._schema import metadata
from paretune.storages._sql._schema import trials_table
from paretune.storages._sql._version import newer_schema_error
from paretune.storages._sql._version import read_schema_version

__all__ = ["fail_kind_from_reason", "init_schema"]


def init_schema(conn: Connection, url: URL) -> None:
    """Create missing tables and migrate an older schema, inside the caller's transaction.

    Raises:
        SchemaVersionError: If the database was written by a newer paretune.
    """
    if conn.dialect.name == "postgresql":
        # Serialise concurrent first-time creators; released at commit.
        conn.execute(text("SELECT pg_advisory_xact_lock(7253011)"))
    # The version is read before anything is created, so a newer database stays untouched.
    found = read_schema_version(conn)
    if found is not None and found > SCHEMA_VERSION:
        raise newer_schema_error(found, display_url(url))
    metadata.create_all(conn, checkfirst=True)
    if found is None:
        conn.execute(insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION)))
        return
    if found < 2:  # version 2: trial placements (create_all made the study-keys table)
        conn.execute(text("ALTER TABLE paretune_trials ADD COLUMN placement TEXT"))
        conn.execute(text("ALTER TABLE paretune_studies ADD COLUMN fidelity TEXT"))
    if found < 3:  # version 3: the failure kind, read off the stored reasons
        conn.execute(text("ALTER TABLE paretune_trials ADD COLUMN fail_kind VARCHAR(32)"))
        _backfill_fail_kinds(conn)
    # version 4 added the repeats table, which create_all made above
    if found < 5:  # version 5: study settings (leases) and trial heartbeats
        conn.execute(text("ALTER TABLE paretune_studies ADD COLUMN settings TEXT"))
        conn.execute(text("ALTER TABLE paretune_trials ADD COLUMN heartbeat_at DOUBLE PRECISION"))
    if found < 6:  # version 6: told costs of trials and of their reports
        conn.execute(text("ALTER TABLE paretune_trials ADD COLUMN cost DOUBLE PRECISION"))
        conn.execute(text("ALTER TABLE paretune_trial_reports ADD COLUMN cost DOUBLE PRECISION"))
    if found < SCHEMA_VERSION:
        conn.execute(
            update(meta_table)
            .where(meta_table.c.key == "schema_version")
            .values(value=str(SCHEMA_VERSION))
        )


_REASON_PREFIXES = (
    ("worker process ", FailKind.WORKER_LOST),
    ("unrelated to the configuration: ", FailKind.UNRELATED),
    ("invalid metrics", FailKind.INVALID_METRICS),
    ("told as failed", FailKind.TOLD),
    ("KeyboardInterrupt", FailKind.INTERRUPTED),  # Ctrl-C, stored then as the error's name
)


def fail_kind_from_reason(reason: str | None) -> FailKind:
    """The kind of a failure stored before version 3, read off the start of its reason."""
    for prefix, kind in _REASON_PREFIXES:
        if (reason or "").startswith(prefix):
            return kind
    return FailKind.ERROR


def _backfill_fail_kinds(conn: Connection) -> None:
    failed = conn.execute(
        select(trials_table.c.id, trials_table.c.fail_reason).where(
            trials_table.c.state == "failed"
        )
    ).all()
    for trial_id, reason in failed:
        conn.execute(
            update(trials_table)
            .where(trials_table.c.id == trial_id)
            .values(fail_kind=fail_kind_from_reason(reason).value)
        )
