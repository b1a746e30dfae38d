"""Storages: where studies live (memory, SQLite)."""

from __future__ import annotations

from sk_hpo.storages._base import BaseStorage, StudySummary
from sk_hpo.storages._in_memory import InMemoryStorage
from sk_hpo.storages._sqlite import SQLiteStorage

__all__ = ["BaseStorage", "InMemoryStorage", "SQLiteStorage", "StudySummary", "get_storage"]


def get_storage(storage: str | BaseStorage | None) -> BaseStorage:
    """Return a storage for ``storage``: None (a new in-memory one), a URL, or a storage.

    Examples
    --------
    >>> type(get_storage(None)).__name__
    'InMemoryStorage'
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, str):
        if storage.startswith("sqlite://"):
            return SQLiteStorage(storage)
        scheme = storage.partition("://")[0].split("+")[0].lower()
        why = (
            "the PostgreSQL storage is not available yet"
            if scheme in ("postgresql", "postgres")
            else "only SQLite URLs are"
        )
        raise ValueError(
            f"The 'storage' URL {storage!r} is not supported: {why}; use "
            "'sqlite:///relative/path.db' or 'sqlite:////absolute/path.db', a storage object, "
            "or None for memory."
        )
    raise TypeError(
        f"The 'storage' parameter must be None, a URL string or a BaseStorage, got {storage!r}."
    )
