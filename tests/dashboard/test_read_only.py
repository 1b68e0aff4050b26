"""The dashboard reads its storage and changes nothing in it, whatever is requested."""

from __future__ import annotations

import hashlib
import inspect
import pathlib
import shutil
import time

import pytest

import paretune as pt
from paretune.dashboard import ReadOnlyStorage
from paretune.dashboard import create_app
from paretune.dashboard import open_read_only
from paretune.exceptions import StorageError
from paretune.storages import BaseStorage
from paretune.storages import SQLStorage
from tests.dashboard.conftest import BASE_URL
from tests.dashboard.conftest import PORT
from tests.dashboard.conftest import XSS
from tests.dashboard.conftest import TestClient
from tests.dashboard.conftest import dump

ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"
READS = {"get_study", "list_studies", "get_trial", "get_all_trials", "get_repeats"}


def _crawl(client: TestClient) -> int:
    """Request every page, endpoint and file, and a few refused requests; how many."""
    names = [s["name"] for s in client.get("/api/studies").json()["studies"]]
    paths = ["/", "/api/studies", "/studies/nope", "/api/studies/nope", "/static/x"]
    for name in names:
        quoted = name.replace("/", "%2F")
        paths += [f"/studies/{quoted}", f"/api/studies/{quoted}"]
    paths += [f"/static/{f}" for f in ("dashboard.js", "dashboard.css", "favicon.svg")]
    count = 0
    for path in paths:
        assert client.get(path).status_code in (200, 404)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert client.request(method, path, content=b'{"name": "x"}').status_code == 405
        count += 5
    return count


def test_a_crawl_changes_nothing_in_the_database(db_path: pathlib.Path, db_url: str) -> None:
    before = dump(db_path)
    stat = db_path.stat()
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    time.sleep(0.01)  # a write would move the modification time
    with TestClient(create_app(db_url, port=PORT), base_url=BASE_URL) as client:
        assert _crawl(client) > 40
    assert dump(db_path) == before
    after = db_path.stat()
    assert (after.st_mtime_ns, after.st_size) == (stat.st_mtime_ns, stat.st_size)
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == digest
    assert not (db_path.parent / "runs.db-journal").exists()


def test_the_connection_itself_refuses_writes(db_path: pathlib.Path, db_url: str) -> None:
    before = dump(db_path)
    storage = open_read_only(db_url)
    inner = storage._inner
    assert isinstance(inner, SQLStorage)
    with pytest.raises(StorageError, match="readonly"):
        inner.create_study("new", (), (), None)
    with pytest.raises(StorageError, match="readonly"):
        inner.delete_study("credit")
    storage.close()
    assert dump(db_path) == before


def test_every_write_method_is_refused(db_path: pathlib.Path, db_url: str) -> None:
    before = dump(db_path)
    storage = open_read_only(db_url)
    writes = sorted(
        name
        for name, member in inspect.getmembers(BaseStorage, inspect.isfunction)
        if not name.startswith("_") and name not in READS and name != "close"
    )
    assert {"create_study", "create_trial", "finish_trial", "delete_study"} <= set(writes)
    for name in writes:
        assert name in vars(ReadOnlyStorage), f"ReadOnlyStorage does not override {name}"
        params = list(inspect.signature(getattr(BaseStorage, name)).parameters.values())[1:]
        args = [None for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        kwargs = {p.name: None for p in params if p.kind is p.KEYWORD_ONLY}
        with pytest.raises(StorageError, match="read-only"):
            getattr(storage, name)(*args, **kwargs)
    with pytest.raises(StorageError, match="read-only"):
        pt.create_study(study_name="new", objectives={"x": "minimize"}, storage=storage)
    assert [s.info.name for s in storage.list_studies()] == ["credit", XSS, "a/b", "infeasible"]
    storage.close()
    assert dump(db_path) == before


def test_a_missing_file_is_an_error_and_is_not_created(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nope" / "runs.db"
    for url in (f"sqlite:///{missing}", f"sqlite:///{tmp_path}"):
        with pytest.raises(StorageError, match="no database at /"):
            create_app(url)
    with pytest.raises(StorageError, match=f"no database at {tmp_path / 'nope' / 'runs.db'}"):
        open_read_only(f"sqlite:///{missing}")
    assert not missing.parent.exists()
    with pytest.raises(StorageError, match="in-memory"):
        open_read_only("sqlite://")
    with pytest.raises(StorageError, match="not a storage URL"):
        open_read_only("runs.db")


def test_an_older_schema_is_not_upgraded(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(ASSETS / "schema_v1.db", path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StorageError, match="older schema"):
        open_read_only(f"sqlite:///{path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_paths_with_reserved_characters(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "my runs #1 %20 ?x.db"
    storage = SQLStorage(f"sqlite:///{path}")
    pt.create_study(study_name="s", objectives={"x": "minimize"}, storage=storage)
    storage.close()
    reader = open_read_only(f"sqlite:///{path}")
    assert [s.info.name for s in reader.list_studies()] == ["s"]
    reader.close()


@pytest.mark.timeout(120)
def test_postgresql_is_opened_read_only(postgres_url: str) -> None:
    study = pt.create_study(study_name="pg", objectives={"x": "minimize"}, storage=postgres_url)
    study.tell(study.ask(), {"x": 0.25})
    storage = open_read_only(postgres_url)
    assert [t.metrics["x"] for t in storage.get_all_trials(storage.get_study("pg").study_id)] == [
        0.25
    ]
    from sqlalchemy.exc import DBAPIError

    with pytest.raises((StorageError, DBAPIError), match="read-only transaction"):
        storage._inner.create_study("new", (), (), None)
    storage.close()
    with TestClient(create_app(postgres_url, port=PORT), base_url=BASE_URL) as client:
        _crawl(client)
        assert client.get("/api/studies/pg").json()["front"] == [0]
    assert [s.info.name for s in pt.list_studies(storage=postgres_url)] == ["pg"]
