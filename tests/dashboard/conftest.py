"""Fixtures of the dashboard tests: a real SQLite database with studies, and a client."""

from __future__ import annotations

import pathlib
import sqlite3
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import paretune as pt
from paretune.storages import SQLStorage

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 but still runs its TestClient on httpx.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from paretune.dashboard import create_app

XSS = "<script>alert(1)</script>"
"""The name of a study (and of its parameter, and a value) that must never run as HTML."""

XSS_VALUE = '"><img src=x onerror=alert(2)>'
"""A parameter value of that study."""

PORT = 8080
BASE_URL = f"http://127.0.0.1:{PORT}"

CREDIT = [
    ({"depth": 4, "model": "hgb"}, {"accuracy": 0.86, "eo_diff": 0.12, "latency_ms": 6.0}),
    ({"depth": 2, "model": "logreg"}, {"accuracy": 0.83, "eo_diff": 0.04, "latency_ms": 1.5}),
    ({"depth": 9, "model": "hgb"}, {"accuracy": 0.88, "eo_diff": 0.10, "latency_ms": 31.0}),
    ({"depth": 3, "model": "logreg"}, {"accuracy": 0.80, "eo_diff": 0.09, "latency_ms": 1.4}),
    (
        {"depth": 5, "model": "hgb"},
        {"accuracy": 0.8512345678901234, "eo_diff": 0.05, "latency_ms": 1e-7},
    ),
]
"""The ``credit`` study: 0, 1 and 4 on the front, 2 infeasible, 3 dominated."""


def add_credit_trial(study: pt.Study, params: dict[str, Any], metrics: dict[str, float]) -> int:
    """Tell one trial of the ``credit`` study; returns its number."""
    study.enqueue(params)
    trial = study.ask()
    trial.suggest_int("depth", 1, 12)
    trial.suggest_categorical("model", ["hgb", "logreg"])
    study.tell(trial, metrics)
    return trial.number


def _fill(storage: SQLStorage) -> None:
    credit = pt.create_study(
        study_name="credit",
        objectives={"accuracy": "maximize", "eo_diff": "minimize"},
        constraints={"latency_ms": ("<=", 20.0)},
        storage=storage,
        seed=0,
    )
    for params, metrics in CREDIT:
        add_credit_trial(credit, params, metrics)
    credit.tell(credit.ask(), state="failed", fail_reason="MemoryError", fail_kind="error")
    credit.ask()  # left running

    xss = pt.create_study(study_name=XSS, objectives={"loss": "minimize"}, storage=storage)
    xss.enqueue({XSS: XSS_VALUE})
    trial = xss.ask()
    trial.suggest_categorical(XSS, [XSS_VALUE, "plain"])
    xss.tell(trial, {"loss": 0.5})

    pt.create_study(
        study_name="a/b", objectives={"x": "minimize", "y": "maximize"}, storage=storage
    )
    infeasible = pt.create_study(
        study_name="infeasible",
        objectives={"x": "minimize"},
        constraints={"x": (">=", 10.0)},
        storage=storage,
    )
    infeasible.tell(infeasible.ask(), {"x": 1.0})


@pytest.fixture
def db_path(tmp_path: pathlib.Path) -> pathlib.Path:
    """An SQLite file holding four studies; no connection to it stays open."""
    path = tmp_path / "runs.db"
    storage = SQLStorage(f"sqlite:///{path}")
    try:
        _fill(storage)
    finally:
        storage.close()
    return path


@pytest.fixture
def db_url(db_path: pathlib.Path) -> str:
    """The URL of :func:`db_path`."""
    return f"sqlite:///{db_path}"


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    """A client of the dashboard of ``db_url``, as served on 127.0.0.1:8080."""
    with TestClient(create_app(db_url, port=PORT), base_url=BASE_URL) as test_client:
        yield test_client


def dump(path: pathlib.Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the SQLite file, opened read-only."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        conn.close()
