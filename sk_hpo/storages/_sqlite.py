"""SQLite storage: studies shared by several processes of one machine through one file.

The SQL is the shared core's (:mod:`sk_hpo.storages._sql`); this module opens the file. Writes
use ``BEGIN IMMEDIATE`` in WAL mode and are retried with jittered sleeps while another process
holds the lock. Reading never creates nor changes a file: a missing or empty file reads as a
storage without studies until the first write creates it.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from typing import Any

from sk_hpo._validation import InvalidParameterError
from sk_hpo.exceptions import StorageInternalError
from sk_hpo.storages._dialect import SQLiteDialect
from sk_hpo.storages._schema import SCHEMA_VERSION, create_statements
from sk_hpo.storages._sql import SQLStorage
from sk_hpo.storages._url import mask_url

__all__ = ["SCHEMA_VERSION", "SQLiteStorage", "parse_sqlite_url"]

_DIALECT = SQLiteDialect()


def parse_sqlite_url(url: str) -> str:
    """Return the file path of ``sqlite:///relative.db`` or ``sqlite:////abs/path.db``.

    Examples
    --------
    >>> parse_sqlite_url("sqlite:///a.db")
    'a.db'
    >>> parse_sqlite_url("sqlite:////tmp/a.db")
    '/tmp/a.db'
    """
    if not isinstance(url, str):
        raise InvalidParameterError(
            f"The 'url' parameter of SQLiteStorage must be a str. Got {mask_url(url)!r} instead."
        )
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme.split("+")[0] in ("postgresql", "postgres"):
        raise ValueError(
            f"The storage URL {mask_url(url)!r} is a PostgreSQL URL; open it with "
            "PostgreSQLStorage (or pass the URL as storage=...), not SQLiteStorage."
        )
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError(
            f"The SQLite storage URL {mask_url(url)!r} is invalid; use 'sqlite:///relative/path.db' "
            "(relative to the working directory) or 'sqlite:////absolute/path.db'."
        )
    path, _, options = url[len(prefix):].partition("?")
    if options:
        raise ValueError(
            f"The SQLite storage URL {mask_url(url)!r} has query options ({options!r}), which are not "
            f"supported; pass them as arguments instead, e.g. "
            f"SQLiteStorage('{prefix}{path}', timeout=120.0)."
        )
    if path == ":memory:" or not path:
        raise ValueError(
            f"The SQLite storage URL {mask_url(url)!r} names no file; an in-memory database would be "
            "empty for every connection: use storage=None for an in-memory study."
        )
    return path




def _is_read_only(error: BaseException) -> bool:
    return getattr(error, "sqlite_errorname", "").startswith("SQLITE_READONLY") or (
        "readonly" in str(error).lower()
    )


class SQLiteStorage(SQLStorage):
    """Studies in an SQLite file, shareable by the threads and processes of one machine.

    Parameters
    ----------
    url : str
        ``'sqlite:///relative/path.db'`` or ``'sqlite:////absolute/path.db'``.
    timeout : float, default=60.0
        Seconds to wait for a lock held by another process before raising.
    heartbeat_interval : float or None, default=10.0
        Seconds between heartbeats of RUNNING trials; None disables heartbeats.
    grace_period : float or None, default=None
        Seconds without heartbeat after which a RUNNING trial of this process may be marked
        FAIL (by any process); None means ``6 * heartbeat_interval``. Stored with each
        trial's heartbeat: the settings of the process that runs a trial decide.

    Notes
    -----
    Reading never creates nor changes the file: a study read from a missing file is not
    found, and the file is created (in WAL mode) by the first write. A file written by an
    older sk_hpo is refused until migrated with ``sk-hpo storage upgrade URL``.

    Examples
    --------
    >>> import tempfile, os, sk_hpo
    >>> path = os.path.join(tempfile.mkdtemp(), "s.db")
    >>> storage = SQLiteStorage("sqlite:///" + path)
    >>> study = sk_hpo.create_study(storage=storage, study_name="demo")
    >>> sk_hpo.get_all_study_names(storage)
    ['demo']
    """

    _dialect = _DIALECT

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 60.0,
        heartbeat_interval: float | None = 10.0,
        grace_period: float | None = None,
    ) -> None:
        self.url = url
        # Absolute now: threads and processes opening connections later, perhaps from
        # another working directory, must all reach this file.
        self._path = os.path.abspath(parse_sqlite_url(url))
        directory = os.path.dirname(self._path)
        if not os.path.isdir(directory):
            raise FileNotFoundError(
                f"The directory {directory!r} of storage URL {mask_url(url)!r} does not exist; create it "
                "first (sk_hpo creates the database file, not its directories)."
            )
        if os.path.isdir(self._path):
            raise ValueError(
                f"The storage URL {mask_url(url)!r} names a directory, not a database file; add a file "
                f"name, e.g. {url.rstrip('/') + '/study.db'!r}."
            )
        self._set_timing("SQLiteStorage", timeout, heartbeat_interval, grace_period)
        self._init_runtime()
        if self._holds_data() and not getattr(self, "_defer_open", False):
            self._connection(write=False)  # check the file and its schema now

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._dialect = _DIALECT

    def _describe(self) -> str:
        return f"SQLite file {self._path!r}"

    def _identity(self) -> Any:
        return ("sqlite", self._path)

    def _holds_data(self) -> bool:
        try:
            return os.path.getsize(self._path) > 0
        except OSError:
            return False

    def _no_study_named(self, study_name: str) -> str:
        if not self._holds_data():
            state = "does not exist" if not os.path.exists(self._path) else "is empty (0 bytes)"
            return (
                f"No study named {study_name!r}: the SQLite file {self._path!r} {state}; "
                "check the storage URL (relative paths are from the current directory), or "
                "create the study with sk_hpo.create_study(study_name=...)."
            )
        return super()._no_study_named(study_name)

    # -- connections ------------------------------------------------------------------------------
    def _connection(self, write: bool) -> Any:
        if not write and getattr(self._local, "conn", None) is None and not self._holds_data():
            return self._empty_connection()
        return super()._connection(write)

    def _empty_connection(self) -> sqlite3.Connection:
        """An in-memory database with the schema and no study: what a missing file reads as."""
        conn = getattr(self._local, "empty", None)
        if conn is None:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            for statement in create_statements(_DIALECT.types):
                conn.execute(statement)
            self._local.empty = conn
        return conn

    def _connect_file(self) -> sqlite3.Connection:
        # mode=rw never creates the file; a write-protected file opens read-only.
        uri = f"file:{urllib.parse.quote(self._path)}?mode=rw"
        if not os.path.exists(self._path):
            uri = f"file:{urllib.parse.quote(self._path)}?mode=rwc"
        try:
            return sqlite3.connect(uri, uri=True, timeout=min(self.timeout, 1.0),
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            raise self._error(e) from None

    def _open(self, write: bool) -> sqlite3.Connection:
        conn = self._connect_file()
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            if self._init_schema(conn, write) is None:  # no schema: read as empty
                conn.close()
                return self._empty_connection()
        except BaseException as e:
            conn.close()
            if isinstance(e, sqlite3.Error) and not _DIALECT.is_busy(e):
                raise self._error(e) from None
            raise
        self._local.conn = conn
        return conn

    def _create_schema(self, conn: Any) -> None:
        conn.execute("PRAGMA journal_mode=WAL")  # persistent, so set once, with the schema
        super()._create_schema(conn)

    def _open_for_upgrade(self) -> sqlite3.Connection:
        if not self._holds_data():
            raise FileNotFoundError(
                f"No database to upgrade: the SQLite file {self._path!r} does not exist or "
                "is empty."
            )
        return self._connect_file()

    def _error(self, error: BaseException) -> BaseException:
        """A clear error for ``error``: read-only, unreadable or damaged file."""
        where = f"The SQLite file {self._path!r} of storage URL {mask_url(self.url)!r}"
        if _is_read_only(error):
            return PermissionError(
                f"{where} is read-only; make it writable (e.g. chmod u+w) to change its "
                "studies (reading works as is)."
            )
        text = str(error).lower()
        if "unable to open" in text:
            return OSError(
                f"{where} cannot be opened: {error}; check that it and its directory exist and "
                "are readable and writable (SQLite writes its -wal and -shm files next to the "
                "database)."
            )
        if isinstance(error, sqlite3.DatabaseError) and not _DIALECT.is_busy(error):
            kind = ("is not an SQLite database" if "not a database" in text
                    else "is damaged")
            return StorageInternalError(
                f"{where} {kind} ({error}); restore it from a backup (or try "
                "`sqlite3 FILE .recover`), or use another file."
            )
        return error
