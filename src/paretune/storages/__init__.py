"""Where studies and trials are kept: in memory, SQLite or PostgreSQL."""

from paretune.storages._base import BaseStorage as BaseStorage
from paretune.storages._base import StudyInfo as StudyInfo
from paretune.storages._base import StudySummary as StudySummary
from paretune.storages._factory import get_storage as get_storage
from paretune.storages._memory import InMemoryStorage as InMemoryStorage

__all__ = [
    "BaseStorage",
    "InMemoryStorage",
    "SQLStorage",
    "StudyInfo",
    "StudySummary",
    "get_storage",
]


def __getattr__(name: str) -> object:
    # SQLAlchemy is imported only when an SQL storage is asked for.
    if name == "SQLStorage":
        from paretune.storages._sql import SQLStorage

        return SQLStorage
    raise AttributeError(f"module 'paretune.storages' has no attribute {name!r}")
