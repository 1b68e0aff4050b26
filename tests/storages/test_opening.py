"""Opening a database changes nothing until its schema version has been checked, and opening
an existing one (read-only or not) never creates a file."""

from __future__ import annotations

import hashlib
import pathlib
import shutil
import sqlite3
from contextlib import closing

import pytest

import paretune as pt
from paretune.exceptions import SchemaVersionError
from paretune.exceptions import StorageError
from paretune.storages._open import open_existing
from paretune.storages._sql import SCHEMA_VERSION

ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"


def _sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _newer_database(db: pathlib.Path, journal_mode: str) -> None:
    """A database as a newer paretune might leave it: schema version + 1, in ``journal_mode``."""
    study = pt.create_study(study_name="s", objectives={"a": "minimize"}, storage=f"sqlite:///{db}")
    study.storage.close()
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute(
            "UPDATE paretune_meta SET value = ? WHERE key = 'schema_version'",
            (str(SCHEMA_VERSION + 1),),
        )
        assert conn.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0] == journal_mode


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_a_newer_schema_is_refused_and_left_byte_for_byte_untouched(
    tmp_path: pathlib.Path, journal_mode: str
) -> None:
    db = tmp_path / "future.db"
    _newer_database(db, journal_mode)
    digest = _sha256(db)
    for _ in range(2):
        with pytest.raises(SchemaVersionError, match="upgrade paretune") as caught:
            pt.load_study(study_name="s", storage=f"sqlite:///{db}")
        assert (caught.value.found, caught.value.supported) == (SCHEMA_VERSION + 1, SCHEMA_VERSION)
        assert _sha256(db) == digest  # not switched to WAL mode, no table created
        # SQLite makes -wal and -shm files while a WAL database is open; the refused
        # (read-write) connection removes them when it closes, so nothing is left behind.
        assert sorted(p.name for p in tmp_path.iterdir()) == ["future.db"]
    with pytest.raises(SchemaVersionError, match="upgrade paretune"):
        open_existing(f"sqlite:///{db}", read_only=True, upgrade=True)
    assert _sha256(db) == digest
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == journal_mode


def test_opening_an_existing_database_never_creates_one(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nope" / "runs.db"
    for read_only in (True, False):
        with pytest.raises(StorageError, match=f"There is no database at {missing}"):
            open_existing(f"sqlite:///{missing}", read_only=read_only)
        with pytest.raises(StorageError, match="in-memory"):
            open_existing("sqlite://", read_only=read_only)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_opening_creates_no_tables(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "other.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE unrelated (x INTEGER)")
        conn.commit()
    digest = _sha256(db)
    with pytest.raises(StorageError, match="has no paretune tables"):
        open_existing(f"sqlite:///{db}", read_only=True)
    assert _sha256(db) == digest


def test_an_older_schema_is_upgraded_only_when_asked(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "v1.db"
    shutil.copy(ASSETS / "schema_v1.db", db)
    digest = _sha256(db)
    with pytest.raises(SchemaVersionError, match="older schema") as caught:
        open_existing(f"sqlite:///{db}", read_only=True)
    assert (caught.value.found, caught.value.supported) == (1, SCHEMA_VERSION)
    assert _sha256(db) == digest
    storage = open_existing(f"sqlite:///{db}", read_only=True, upgrade=True)
    assert [s.info.name for s in storage.list_studies()] == ["credit"]
    with pytest.raises(StorageError, match="readonly"):
        storage.delete_study("credit")
    storage.close()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT value FROM paretune_meta").fetchone()[0] == str(SCHEMA_VERSION)
