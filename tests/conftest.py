"""Shared fixtures: one storage per backend, PostgreSQL in a throw-away schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_URL = os.environ.get(
    "PARETUNE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
STORAGE_KINDS = ["memory", "sqlite", "postgres"]


def _postgres_schema_url() -> Iterator[str]:
    """Yield a URL whose connections live in a fresh schema; drop it afterwards.

    Outside CI a missing server skips the test; in CI (CI=true) it fails, so the
    PostgreSQL tests can never pass by not running.
    """
    psycopg = pytest.importorskip("psycopg")
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"pt_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL isolated in its own schema."""
    yield from _postgres_schema_url()


@pytest.fixture(params=STORAGE_KINDS)
def storage_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str | None]:
    """None (in memory), an SQLite file URL, or an isolated PostgreSQL URL."""
    kind = request.param
    if kind == "memory":
        yield None
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path}/study.db"
    else:
        yield from _postgres_schema_url()


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A storage URL several processes can share: SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shared.db"
    else:
        yield from _postgres_schema_url()
