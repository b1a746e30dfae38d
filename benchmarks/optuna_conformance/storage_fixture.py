"""Stands in for Optuna's test fixture ``optuna.testing.storages``.

Optuna's fixture builds Optuna's storages (RDB via SQLAlchemy, journal, gRPC). This one keeps its
names and storage modes and builds sk_hpo's: ``"inmemory"`` and ``"sqlite"`` (a temporary file).
The other modes raise; the deselection rules drop the tests that use them.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import AbstractContextManager
from typing import Any

import sk_hpo

STORAGE_MODES: list[Any] = [
    "inmemory",
    "sqlite",
    "cached_sqlite",
    "journal",
    "journal_redis",
    "grpc_rdb",
    "grpc_journal_file",
]
STORAGE_MODES_HEARTBEAT = ["sqlite", "cached_sqlite"]


class StorageSupplier(AbstractContextManager):
    def __init__(self, storage_specifier: str, **kwargs: Any) -> None:
        self.storage_specifier = storage_specifier
        self.extra_args = kwargs
        self.directory: tempfile.TemporaryDirectory | None = None

    def __enter__(self):
        if self.storage_specifier == "inmemory":
            if self.extra_args:
                raise ValueError("InMemoryStorage does not accept any arguments!")
            return sk_hpo.storages.InMemoryStorage()
        if self.storage_specifier == "sqlite":
            self.directory = tempfile.TemporaryDirectory()
            path = os.path.join(self.directory.name, "study.db")
            return sk_hpo.storages.SQLiteStorage(f"sqlite:///{path}", **self.extra_args)
        raise NotImplementedError(f"sk_hpo has no storage mode {self.storage_specifier!r}")

    def __exit__(self, *exc_info: Any) -> None:
        if self.directory is not None:
            self.directory.cleanup()
