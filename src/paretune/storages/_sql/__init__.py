"""SQL storage (SQLite, PostgreSQL) through SQLAlchemy."""

from paretune.storages._sql._schema import SCHEMA_VERSION as SCHEMA_VERSION
from paretune.storages._sql._storage import SQLStorage as SQLStorage

__all__ = ["SCHEMA_VERSION", "SQLStorage"]
