"""The storage contract of paretune.testing, run against memory, SQLite and PostgreSQL."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

import paretune as pt
from paretune.storages import BaseStorage
from paretune.storages import get_storage
from paretune.testing import StorageContract


class TestEveryBackend(StorageContract):
    """Every backend, through the ``storage_url`` fixture of ``tests/conftest.py``."""

    @pytest.fixture
    def storage(self, storage_url: str | None) -> Iterator[BaseStorage]:
        backend = get_storage(storage_url)
        yield backend
        backend.close()


def test_every_public_storage_is_a_backend_of_the_contract() -> None:
    from tests.conftest import STORAGE_KINDS

    concrete = {
        name
        for name in pt.storages.__all__
        if isinstance(getattr(pt.storages, name), type)
        and issubclass(getattr(pt.storages, name), BaseStorage)
        and not inspect.isabstract(getattr(pt.storages, name))
    }
    assert concrete == {"InMemoryStorage", "SQLStorage"}
    assert {"memory", "sqlite", "postgres"} <= set(STORAGE_KINDS)
