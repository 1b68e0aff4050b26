"""A connection that holds a lock cannot stop the other workers for ever.

PostgreSQL sessions run with ``lock_timeout`` and ``idle_in_transaction_session_timeout``;
SQLite writes wait for the busy timeout. Either way a blocked write is retried, then fails
with a :class:`StorageError` that says what held it. Every wait is a URL option, so these
tests use short ones.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from paretune.exceptions import StorageError
from paretune.objectives import Direction
from paretune.objectives import Objective
from paretune.storages import SQLStorage
from paretune.storages._sql._settings import ConnectionSettings
from paretune.storages._sql._settings import split_settings
from paretune.trial import TrialState

OBJECTIVES = (Objective("loss", Direction.MINIMIZE),)


def _with(url: str, **options: str) -> str:
    parsed = make_url(url).update_query_dict(options)
    return parsed.render_as_string(hide_password=False)


def _new_trial(storage: SQLStorage, study_id: int) -> int:
    record = storage.create_trial(
        study_id, state=TrialState.RUNNING, seed_for=lambda n: n, now=time.time()
    )
    return record.trial_id


def test_url_options_are_read_and_taken_out_of_the_url() -> None:
    url = make_url("postgresql+psycopg://u@h/db?lock_timeout=250ms&options=-csearch_path%3Dx")
    driver_url, settings = split_settings(
        url.update_query_dict({"idle_in_transaction_session_timeout": "2min"})
    )
    assert settings == ConnectionSettings(lock_timeout_s=0.25, idle_in_transaction_s=120.0)
    assert dict(driver_url.query) == {"options": "-csearch_path=x"}
    sqlite_url = make_url("sqlite:///x.db?busy_timeout=1.5s&retry_timeout=0&read_only=true")
    _, settings = split_settings(sqlite_url)
    assert (settings.busy_timeout_s, settings.retry_timeout_s, settings.read_only) == (1.5, 0, True)
    assert split_settings(make_url("sqlite:///x.db"))[1] == ConnectionSettings()
    with pytest.raises(StorageError, match=r"write it with a unit, e\.g\. lock_timeout=10s"):
        split_settings(make_url("postgresql+psycopg://u@h/db?lock_timeout=10"))
    with pytest.raises(StorageError, match="'busy_timeout' applies to SQLite only"):
        SQLStorage("postgresql+psycopg://u@h/db?busy_timeout=1s")
    with pytest.raises(StorageError, match="'lock_timeout' applies to PostgreSQL only"):
        SQLStorage("sqlite:///x.db?lock_timeout=1s")


def test_sqlite_write_blocked_by_another_writer_fails_with_what_happened(tmp_path) -> None:
    db = tmp_path / "locked.db"
    storage = SQLStorage(f"sqlite:///{db}?busy_timeout=200ms&retry_timeout=1s")
    study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # e.g. a suspended worker, or an open sqlite3 shell
    try:
        start = time.monotonic()
        with pytest.raises(StorageError) as caught:
            _new_trial(storage, study_id)
        elapsed = time.monotonic() - start
        assert storage.get_study("s").study_id == study_id  # reads still work (WAL)
    finally:
        holder.rollback()
        holder.close()
    assert 0.9 < elapsed < 10
    message = str(caught.value)
    assert "Could not create a trial in" in message
    assert "the database stayed locked for" in message
    assert "held a write transaction on" in message
    assert "longer than the busy timeout (200 ms)" in message
    assert f"fuser {db}" in message and "?busy_timeout=" in message
    assert "PostgreSQL" not in message and "many" not in message
    assert _new_trial(storage, study_id) >= 0  # released: writes go through again
    storage.close()


def _holder_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.timeout(120)
def test_postgresql_sessions_get_lock_and_idle_timeouts(postgres_url: str) -> None:
    for url, expected in (
        (postgres_url, ("10s", "1min", "off")),
        (
            _with(postgres_url, lock_timeout="1500ms", idle_in_transaction_session_timeout="0"),
            ("1500ms", "0", "off"),
        ),
    ):
        storage = SQLStorage(url)
        with storage.engine.connect() as conn:
            shown = tuple(
                conn.execute(text(f"SHOW {name}")).scalar()
                for name in (
                    "lock_timeout",
                    "idle_in_transaction_session_timeout",
                    "default_transaction_read_only",
                )
            )
        assert shown == expected
        storage.close()


@pytest.mark.timeout(120)
def test_postgresql_write_blocked_by_a_row_lock_fails_within_the_timeouts(
    postgres_url: str,
) -> None:
    psycopg = pytest.importorskip("psycopg")
    url = _with(postgres_url, lock_timeout="200ms", retry_timeout="1s")
    storage = SQLStorage(url)
    study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
    holder = psycopg.connect(_holder_dsn(postgres_url))  # not autocommit: a transaction
    holder.execute("SELECT id FROM paretune_studies WHERE id = %s FOR UPDATE", (study_id,))
    try:
        start = time.monotonic()
        with pytest.raises(StorageError) as caught:
            _new_trial(storage, study_id)  # the trial counter lives in the locked row
        elapsed = time.monotonic() - start
    finally:
        holder.rollback()
        holder.close()
    assert 0.9 < elapsed < 10
    message = str(caught.value)
    assert "Could not create a trial in" in message
    assert "another session held a lock this transaction needed" in message
    assert "lock_timeout (200 ms)" in message and "lock timeout" in message  # the server's
    assert "idle_in_transaction_session_timeout (60 s)" in message
    assert "pg_stat_activity" in message and "?lock_timeout=" in message
    assert _new_trial(storage, study_id) >= 0
    storage.close()


@pytest.mark.timeout(120)
def test_postgresql_ends_a_frozen_workers_transaction(postgres_url: str) -> None:
    url = _with(postgres_url, idle_in_transaction_session_timeout="500ms")
    worker, other = SQLStorage(url), SQLStorage(url)
    study_id = worker.create_study("s", OBJECTIVES, (), seed=None).study_id
    seeded: list[int] = []

    def freeze_once(number: int) -> int:  # runs inside the trial's transaction
        seeded.append(number)
        if len(seeded) == 1:
            time.sleep(2.0)  # frozen, holding the study's row (its trial counter)
        return number

    frozen: list[int] = []
    thread = threading.Thread(
        target=lambda: frozen.append(
            worker.create_trial(
                study_id, state=TrialState.RUNNING, seed_for=freeze_once, now=time.time()
            ).number
        )
    )
    thread.start()
    while not seeded:
        time.sleep(0.01)
    start = time.monotonic()
    number = other.get_trial(_new_trial(other, study_id)).number  # waits ~0.5 s, not 2 s
    waited = time.monotonic() - start
    thread.join()
    assert number == 0 and waited < 1.8
    assert seeded == [0, 1] and frozen == [1]  # the server ended it; it redid its write
    assert [t.number for t in other.get_all_trials(study_id)] == [0, 1]
    other.close()
    worker.close()
