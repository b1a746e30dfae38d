"""Storages: where studies live (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from sk_hpo._validation import InvalidParameterError
from sk_hpo.storages._base import BaseStorage, StudySummary
from sk_hpo.storages._in_memory import InMemoryStorage
from sk_hpo.storages._postgres import PostgreSQLStorage, is_postgres_url
from sk_hpo.storages._sqlite import SQLiteStorage
from sk_hpo.storages._url import mask_url

__all__ = [
    "BaseStorage",
    "InMemoryStorage",
    "PostgreSQLStorage",
    "SQLiteStorage",
    "StudySummary",
    "get_storage",
    "mask_url",
    "upgrade_storage",
]


def get_storage(storage: str | BaseStorage | None) -> BaseStorage:
    """Return a storage for ``storage``: None (a new in-memory one), a URL, or a storage.

    URLs: ``'sqlite:///path.db'`` (processes of one machine) and
    ``'postgresql://user:password@host:port/database'`` (several machines; needs the extra
    ``postgres``).

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
        if is_postgres_url(storage):
            return PostgreSQLStorage(storage)
        raise ValueError(
            f"The 'storage' URL {mask_url(storage)!r} is not supported; use "
            "'sqlite:///relative/path.db' or 'sqlite:////absolute/path.db' (one machine), "
            "'postgresql://user:password@host:port/database' (several machines), a storage "
            "object, or None for memory."
        )
    raise InvalidParameterError(
        "The 'storage' parameter must be None, a URL str or an instance of 'BaseStorage'. "
        f"Got {mask_url(repr(storage))} instead."
    )


def upgrade_storage(url: str) -> tuple[int, int]:
    """Migrate the database at ``url`` to this sk_hpo's schema, in one transaction.

    What ``sk-hpo storage upgrade URL`` runs. Returns ``(old_version, new_version)``, equal
    when the database was up to date. Stop the processes of older sk_hpo versions first:
    they cannot open the upgraded database.

    Examples
    --------
    >>> import os, tempfile
    >>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "s.db")
    >>> SQLiteStorage(url).create_new_study("s", ["minimize"])
    1
    >>> upgrade_storage(url)
    (2, 2)
    """
    if isinstance(url, str) and url.startswith("sqlite://"):
        cls: type = SQLiteStorage
    elif is_postgres_url(url):
        cls = PostgreSQLStorage
    else:
        raise ValueError(
            f"The storage URL {mask_url(url)!r} cannot be upgraded: only SQLite and "
            "PostgreSQL URLs hold a schema."
        )
    storage = cls.__new__(cls)
    storage._defer_open = True  # its schema is old: opening would refuse it
    cls.__init__(storage, url)
    return storage.upgrade()
