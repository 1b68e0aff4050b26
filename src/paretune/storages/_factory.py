"""Turn what the user passed as ``storage=`` into a storage object."""

from __future__ import annotations

from paretune.storages._base import BaseStorage
from paretune.storages._memory import InMemoryStorage

__all__ = ["get_storage"]


def get_storage(storage: str | BaseStorage | None) -> BaseStorage:
    """Return a storage for ``storage``.

    Args:
        storage: None for a fresh in-memory storage, a database URL
            (``sqlite:///runs.db``, ``postgresql+psycopg://user@host/db``), or a storage
            object, returned as is.

    Returns:
        The storage.

    Raises:
        StorageError: If the URL is malformed or the database cannot be opened.
        TypeError: If ``storage`` is of another type.
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, str):
        from paretune.storages._sql import SQLStorage

        return SQLStorage(storage)
    raise TypeError(
        "`storage` must be None, a database URL such as 'sqlite:///runs.db', or a storage "
        f"object, but got {type(storage).__name__}."
    )
