"""SQLite storage: studies shared by several processes through one database file.

Values are stored as JSON text or REAL (never pickle), so opening an untrusted database never
executes code. Every method is one short transaction; writes use ``BEGIN IMMEDIATE`` and are
retried with jittered sleeps while another process holds the lock.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import os
import random
import sqlite3
import threading
import time
from collections.abc import Container, Iterable
from typing import Any

from sk_hpo._direction import StudyDirection
from sk_hpo._json import check_json_value
from sk_hpo.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    distribution_to_json,
    json_to_distribution,
)
from sk_hpo.exceptions import DuplicatedStudyError, StudyNotFoundError, UpdateFinishedTrialError
from sk_hpo.storages._base import BaseStorage, StudySummary
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["SCHEMA_VERSION", "SQLiteStorage", "parse_sqlite_url"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS studies (
    study_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
    direction INTEGER NOT NULL, user_attrs TEXT NOT NULL DEFAULT '{}',
    system_attrs TEXT NOT NULL DEFAULT '{}', datetime_start REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    trial_id INTEGER PRIMARY KEY AUTOINCREMENT, study_id INTEGER NOT NULL,
    number INTEGER NOT NULL, state INTEGER NOT NULL, value REAL, datetime_start REAL,
    datetime_complete REAL, heartbeat REAL, user_attrs TEXT NOT NULL DEFAULT '{}',
    system_attrs TEXT NOT NULL DEFAULT '{}', UNIQUE(study_id, number));
CREATE INDEX IF NOT EXISTS trials_state ON trials (study_id, state);
CREATE TABLE IF NOT EXISTS params (
    trial_id INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL,
    distribution TEXT NOT NULL, PRIMARY KEY (trial_id, name));
CREATE TABLE IF NOT EXISTS intermediate_values (
    trial_id INTEGER NOT NULL, step INTEGER NOT NULL, value REAL,
    PRIMARY KEY (trial_id, step));
CREATE TABLE IF NOT EXISTS claims (
    study_id INTEGER NOT NULL, key TEXT NOT NULL, trial_id INTEGER NOT NULL,
    UNIQUE(study_id, key));
"""

_UNFINISHED_SQL = "state NOT IN ({})".format(
    ",".join(str(s.value) for s in TrialState if s.is_finished())
)


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
        raise TypeError(f"The SQLite storage URL must be a string, got {url!r}.")
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme.split("+")[0] in ("postgresql", "postgres"):
        raise ValueError(
            f"The storage URL {url!r} is not supported: the PostgreSQL storage is not available "
            "yet; use 'sqlite:////absolute/path.db' to share a study between processes."
        )
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError(
            f"The SQLite storage URL {url!r} is invalid; use 'sqlite:///relative/path.db' "
            "(relative to the working directory) or 'sqlite:////absolute/path.db'."
        )
    path, _, options = url[len(prefix):].partition("?")
    if options:
        raise ValueError(
            f"The SQLite storage URL {url!r} has query options ({options!r}), which are not "
            f"supported; pass them as arguments instead, e.g. "
            f"SQLiteStorage('{prefix}{path}', timeout=120.0)."
        )
    if path == ":memory:" or not path:
        raise ValueError(
            f"The SQLite storage URL {url!r} names no file; an in-memory database would be "
            "empty for every connection: use storage=None for an in-memory study."
        )
    return path


def _ts(dt: datetime.datetime | None) -> float | None:
    return None if dt is None else dt.timestamp()


def _dt(ts: float | None) -> datetime.datetime | None:
    return None if ts is None else datetime.datetime.fromtimestamp(ts)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _is_read_only(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorname", "").startswith("SQLITE_READONLY") or (
        "readonly" in str(error).lower()
    )


class SQLiteStorage(BaseStorage):
    """Studies in an SQLite file, shareable by threads and processes.

    Parameters
    ----------
    url : str
        ``'sqlite:///relative/path.db'`` or ``'sqlite:////absolute/path.db'``.
    timeout : float, default=60.0
        Seconds to wait for a lock held by another process before raising.
    heartbeat_interval : float or None, default=10.0
        Seconds between heartbeats of RUNNING trials; None disables heartbeats.
    grace_period : float or None, default=None
        Seconds without heartbeat after which a RUNNING trial is marked FAIL;
        None means ``6 * heartbeat_interval``.

    Examples
    --------
    >>> import tempfile, os, sk_hpo
    >>> path = os.path.join(tempfile.mkdtemp(), "s.db")
    >>> storage = SQLiteStorage("sqlite:///" + path)
    >>> study = sk_hpo.create_study(storage=storage, study_name="demo")
    >>> sk_hpo.get_all_study_names(storage)
    ['demo']
    """

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
                f"The directory {directory!r} of storage URL {url!r} does not exist; create it "
                "first (sk_hpo creates the database file, not its directories)."
            )
        if os.path.isdir(self._path):
            raise ValueError(
                f"The storage URL {url!r} names a directory, not a database file; add a file "
                f"name, e.g. {url.rstrip('/') + '/study.db'!r}."
            )
        self.timeout = float(timeout)
        self.heartbeat_interval = heartbeat_interval
        if grace_period is None and heartbeat_interval is not None:
            grace_period = 6.0 * heartbeat_interval
        self.grace_period = grace_period
        self._init_runtime()
        self._connect()  # validate / create the schema now

    def _init_runtime(self) -> None:
        self._local = threading.local()
        self._pid = os.getpid()
        # study_id -> (study start stamp, finished trials by id); the stamp tells a study
        # deleted and re-created under the same id by another process.
        self._cache: dict[int, tuple[float, dict[int, FrozenTrial]]] = {}
        self._cache_lock = threading.Lock()
        self._last_stale_check: dict[int, float] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "_path": self._path,
            "timeout": self.timeout,
            "heartbeat_interval": self.heartbeat_interval,
            "grace_period": self.grace_period,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    # -- connection ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if os.getpid() != self._pid:
            self._init_runtime()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            conn = sqlite3.connect(
                self._path, timeout=min(self.timeout, 1.0), isolation_level=None,
                check_same_thread=False,
            )
            try:
                self._retry(lambda: self._setup(conn))
            except BaseException:
                conn.close()
                raise
        except sqlite3.OperationalError as e:
            raise self._os_error(e) from None
        self._local.conn = conn
        return conn

    def _os_error(self, error: sqlite3.OperationalError) -> Exception:
        """The error to raise for ``error``: a clear one when the file cannot be written."""
        if _is_read_only(error):
            return PermissionError(
                f"The SQLite file {self._path!r} of storage URL {self.url!r} is read-only; make "
                "it writable (e.g. chmod u+w) to change its studies."
            )
        if "unable to open" in str(error).lower():
            return OSError(
                f"The SQLite file {self._path!r} of storage URL {self.url!r} cannot be opened: "
                f"{error}; check that it and its directory exist and are readable and writable "
                "(SQLite writes its -wal and -shm files next to the database)."
            )
        return error

    def _setup(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError) and _is_busy(e):
                raise
            raise ValueError(
                f"The file of storage URL {self.url!r} is not an SQLite database: {e}."
            ) from None
        if tables and "schema_version" not in tables:
            raise ValueError(
                f"The SQLite file of {self.url!r} was not created by sk_hpo (no schema_version "
                "table); use a new file name."
            )
        if not tables:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if not conn.execute(
                    "SELECT name FROM sqlite_master WHERE name='schema_version'"
                ).fetchone():
                    for statement in _SCHEMA.split(";"):
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            raise ValueError(
                f"The SQLite file of {self.url!r} has schema version {row and row[0]!r}, but "
                f"this sk_hpo reads version {SCHEMA_VERSION}; upgrade sk_hpo or use a new file."
            )

    def _retry(self, fn):
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as e:
                if not _is_busy(e) or time.monotonic() > deadline:
                    raise
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.05)

    def _write(self, fn):
        """Run ``fn(conn)`` in one BEGIN IMMEDIATE transaction, retrying while busy."""
        conn = self._connect()

        def attempt():
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
                conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

        try:
            return self._retry(attempt)
        except sqlite3.OperationalError as e:
            raise self._os_error(e) from None

    def _read(self, fn):
        """Run ``fn(conn)`` in one read transaction: all its statements see one snapshot."""
        conn = self._connect()

        def attempt():
            conn.execute("BEGIN")
            try:
                return fn(conn)
            finally:
                conn.execute("COMMIT")

        return self._retry(attempt)

    def _identity(self) -> Any:
        return ("sqlite", self._path)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- studies -------------------------------------------------------------------------------
    @staticmethod
    def _check_study(conn: sqlite3.Connection, study_id: int) -> tuple:
        row = conn.execute(
            "SELECT name, direction, user_attrs, system_attrs, datetime_start FROM studies "
            "WHERE study_id=?",
            (study_id,),
        ).fetchone()
        if row is None:
            raise StudyNotFoundError(
                f"No study with study_id={study_id!r} exists: it was deleted, perhaps by "
                "another process; open it again with sk_hpo.load_study."
            )
        return row

    def create_new_study(self, study_name: str, direction: StudyDirection) -> int:
        direction = StudyDirection._coerce(direction)

        def fn(conn):
            try:
                cur = conn.execute(
                    "INSERT INTO studies (name, direction, datetime_start) VALUES (?, ?, ?)",
                    (study_name, direction.value, time.time()),
                )
            except sqlite3.IntegrityError:
                raise DuplicatedStudyError(
                    f"A study named {study_name!r} already exists; pass load_if_exists=True to "
                    "continue it or choose another study_name."
                ) from None
            return cur.lastrowid

        return self._write(fn)

    def delete_study(self, study_id: int) -> None:
        def fn(conn):
            self._check_study(conn, study_id)
            sub = "SELECT trial_id FROM trials WHERE study_id=?"
            conn.execute(f"DELETE FROM params WHERE trial_id IN ({sub})", (study_id,))
            conn.execute(f"DELETE FROM intermediate_values WHERE trial_id IN ({sub})", (study_id,))
            conn.execute("DELETE FROM claims WHERE study_id=?", (study_id,))
            conn.execute("DELETE FROM trials WHERE study_id=?", (study_id,))
            conn.execute("DELETE FROM studies WHERE study_id=?", (study_id,))

        self._write(fn)
        with self._cache_lock:
            self._cache.clear()

    def get_study_id_from_name(self, study_name: str) -> int:
        row = self._read(
            lambda c: c.execute(
                "SELECT study_id FROM studies WHERE name=?", (study_name,)
            ).fetchone()
        )
        if row is None:
            raise StudyNotFoundError(
                f"No study named {study_name!r} exists in this storage; create it with "
                "sk_hpo.create_study(study_name=...) first."
            )
        return row[0]

    def get_study_name_from_id(self, study_id: int) -> str:
        return self._read(lambda c: self._check_study(c, study_id))[0]

    def get_study_direction(self, study_id: int) -> StudyDirection:
        return StudyDirection(self._read(lambda c: self._check_study(c, study_id))[1])

    def get_all_studies(self) -> list[StudySummary]:
        rows = self._read(
            lambda c: c.execute(
                "SELECT study_id, name, direction, user_attrs, datetime_start FROM studies "
                "ORDER BY study_id"
            ).fetchall()
        )
        summaries = []
        for study_id, name, direction, user_attrs, start in rows:
            try:
                best = self.get_best_trial(study_id).value
            except ValueError:
                best = None
            summaries.append(
                StudySummary(
                    study_name=name,
                    study_id=study_id,
                    direction=StudyDirection(direction),
                    n_trials=self.get_n_trials(study_id),
                    best_value=best,
                    datetime_start=_dt(start),
                    user_attrs=json.loads(user_attrs),
                )
            )
        return summaries

    def _set_study_attr(self, column: str, study_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)

        def fn(conn):
            row = self._check_study(conn, study_id)
            attrs = json.loads(row[2] if column == "user_attrs" else row[3])
            attrs[key] = value
            conn.execute(
                f"UPDATE studies SET {column}=? WHERE study_id=?", (json.dumps(attrs), study_id)
            )

        self._write(fn)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr("user_attrs", study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr("system_attrs", study_id, key, value)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return json.loads(self._read(lambda c: self._check_study(c, study_id))[2])

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return json.loads(self._read(lambda c: self._check_study(c, study_id))[3])

    # -- trials: writes ------------------------------------------------------------------------
    def create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None, *, heartbeat: bool = False
    ) -> FrozenTrial:
        if template_trial is not None:
            template_trial.internal_params  # noqa: B018 - validate params against distributions
            user_attrs = {k: check_json_value(k, v) for k, v in template_trial.user_attrs.items()}
            system_attrs = {
                k: check_json_value(k, v) for k, v in template_trial.system_attrs.items()
            }

        now = time.time()
        beat = now if heartbeat and self.heartbeat_interval is not None else None

        def fn(conn):
            self._check_study(conn, study_id)
            number = conn.execute(
                "SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id=?", (study_id,)
            ).fetchone()[0]
            t = template_trial
            if t is None:
                row = (study_id, number, TrialState.RUNNING.value, None, now, None, beat,
                       "{}", "{}")
            else:
                row = (study_id, number, t.state.value, t.value, _ts(t.datetime_start),
                       _ts(t.datetime_complete), beat, json.dumps(user_attrs),
                       json.dumps(system_attrs))
            trial_id = conn.execute(
                "INSERT INTO trials (study_id, number, state, value, datetime_start, "
                "datetime_complete, heartbeat, user_attrs, system_attrs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            ).lastrowid
            if t is not None:
                conn.executemany(
                    "INSERT INTO params VALUES (?, ?, ?, ?)",
                    [
                        (trial_id, name, value, distribution_to_json(t.distributions[name]))
                        for name, value in t.internal_params.items()
                    ],
                )
                conn.executemany(
                    "INSERT INTO intermediate_values VALUES (?, ?, ?)",
                    [(trial_id, step, v) for step, v in t.intermediate_values.items()],
                )
            return trial_id, number

        trial_id, number = self._write(fn)
        if template_trial is not None:
            return self.get_trial(trial_id)
        return FrozenTrial(
            number=number, state=TrialState.RUNNING, value=None, datetime_start=_dt(now),
            datetime_complete=None, params={}, distributions={}, user_attrs={},
            system_attrs={}, intermediate_values={}, trial_id=trial_id, internal_params={},
        )

    @staticmethod
    def _writable_state(conn: sqlite3.Connection, trial_id: int, *columns: str) -> tuple:
        """``(state, number, *columns)`` of an unfinished trial; raise if finished or absent."""
        row = conn.execute(
            f"SELECT {', '.join(('state', 'number') + columns)} FROM trials WHERE trial_id=?",
            (trial_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"No trial with trial_id={trial_id!r} exists.")
        state = TrialState(row[0])
        if state.is_finished():
            raise UpdateFinishedTrialError(
                f"Trial #{row[1]} is already finished with state {state.name}; "
                "a finished trial cannot be changed."
            )
        return row

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        def fn(conn):
            self._writable_state(conn, trial_id)
            old = conn.execute(
                "SELECT distribution FROM params WHERE trial_id=? AND name=?",
                (trial_id, param_name),
            ).fetchone()
            if old is not None:
                check_distribution_compatibility(json_to_distribution(old[0]), distribution)
            conn.execute(
                "INSERT OR REPLACE INTO params VALUES (?, ?, ?, ?)",
                (trial_id, param_name, float(param_value_internal),
                 distribution_to_json(distribution)),
            )

        self._write(fn)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, value: float | None = None
    ) -> bool:
        # One UPDATE on the common path; its WHERE clause does the state check.
        now = time.time()
        if state == TrialState.RUNNING:  # only a WAITING trial may start
            sql = ("UPDATE trials SET state=?, value=?, datetime_start=?, heartbeat=NULL "
                   f"WHERE trial_id=? AND state={TrialState.WAITING.value}")
            args = (state.value, value, now, trial_id)
        elif state.is_finished():
            sql = ("UPDATE trials SET state=?, value=?, datetime_complete=? "
                   f"WHERE trial_id=? AND {_UNFINISHED_SQL}")
            args = (state.value, value, now, trial_id)
        else:
            sql = f"UPDATE trials SET state=?, value=? WHERE trial_id=? AND {_UNFINISHED_SQL}"
            args = (state.value, value, trial_id)

        def fn(conn):
            if conn.execute(sql, args).rowcount == 1:
                return True
            self._writable_state(conn, trial_id)  # raises when unknown or finished
            return False  # RUNNING asked, but the trial is not WAITING: someone else took it

        return self._write(fn)

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        row = (trial_id, int(step), float(value))  # NaN is stored as NULL and read back as NaN

        def fn(conn):
            self._writable_state(conn, trial_id)
            conn.execute("INSERT OR REPLACE INTO intermediate_values VALUES (?, ?, ?)", row)

        self._write(fn)

    def _set_trial_attr(self, column: str, trial_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)

        def fn(conn):
            attrs = json.loads(self._writable_state(conn, trial_id, column)[2])
            attrs[key] = value
            conn.execute(f"UPDATE trials SET {column}=? WHERE trial_id=?",
                         (json.dumps(attrs), trial_id))

        self._write(fn)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr("user_attrs", trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr("system_attrs", trial_id, key, value)

    def claim_trial_key(self, study_id: int, trial_id: int, key: str) -> bool:
        def fn(conn):
            self._check_study(conn, study_id)
            cur = conn.execute("INSERT OR IGNORE INTO claims VALUES (?, ?, ?)",
                               (study_id, key, trial_id))
            return cur.rowcount == 1

        return self._write(fn)

    def release_trial_claims(self, trial_id: int) -> None:
        def fn(conn):
            conn.execute("DELETE FROM claims WHERE trial_id=?", (trial_id,))

        self._write(fn)

    def get_claimed_keys(self, study_id: int) -> set[str]:
        def fn(conn):
            self._check_study(conn, study_id)
            return {r[0] for r in conn.execute(
                "SELECT key FROM claims WHERE study_id=?", (study_id,))}

        return self._read(fn)

    # -- trials: reads -------------------------------------------------------------------------
    _TRIAL_COLUMNS = ("trial_id, number, state, value, datetime_start, datetime_complete, "
                      "user_attrs, system_attrs")

    def _build(self, conn: sqlite3.Connection, rows: list[tuple]) -> list[FrozenTrial]:
        if not rows:
            return []
        ids = [r[0] for r in rows]
        params: dict[int, dict] = {i: {} for i in ids}
        values: dict[int, dict] = {i: {} for i in ids}
        marks = ",".join("?" * len(ids))
        for tid, name, value, dist in conn.execute(
            f"SELECT trial_id, name, value, distribution FROM params WHERE trial_id IN ({marks}) "
            "ORDER BY rowid",  # the order they were suggested in, as in memory
            ids,
        ):
            params[tid][name] = (value, dist)
        for tid, step, value in conn.execute(
            f"SELECT trial_id, step, value FROM intermediate_values "
            f"WHERE trial_id IN ({marks}) ORDER BY step",
            ids,
        ):
            values[tid][step] = math.nan if value is None else value  # SQLite keeps NaN as NULL
        trials = []
        for tid, number, state, value, start, complete, user, system in rows:
            distributions = {n: json_to_distribution(d) for n, (_, d) in params[tid].items()}
            internal = {n: v for n, (v, _) in params[tid].items()}
            trials.append(
                FrozenTrial(
                    number=number,
                    state=TrialState(state),
                    value=value,
                    datetime_start=_dt(start),
                    datetime_complete=_dt(complete),
                    params={n: distributions[n].to_external_repr(v) for n, v in internal.items()},
                    distributions=distributions,
                    user_attrs=json.loads(user),
                    system_attrs=json.loads(system),
                    intermediate_values=values[tid],
                    trial_id=tid,
                    internal_params=internal,
                )
            )
        return trials

    def get_trial(self, trial_id: int) -> FrozenTrial:
        def fn(conn):
            rows = conn.execute(
                f"SELECT {self._TRIAL_COLUMNS} FROM trials WHERE trial_id=?", (trial_id,)
            ).fetchall()
            if not rows:
                raise KeyError(f"No trial with trial_id={trial_id!r} exists.")
            return self._build(conn, rows)[0]

        return self._read(fn)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        row = self._read(lambda c: c.execute(
            "SELECT trial_id FROM trials WHERE study_id=? AND number=?", (study_id, trial_number)
        ).fetchone())
        if row is None:
            raise KeyError(f"No trial number {trial_number!r} in study_id={study_id!r}.")
        return row[0]

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        def fn(conn):
            stamp = self._check_study(conn, study_id)[4]
            with self._cache_lock:
                cached_stamp, cache = self._cache.get(study_id, (None, {}))
                known = sorted(cache) if cached_stamp == stamp else []
            # Finished trials never change: fetch only those not cached yet.
            rows = conn.execute(
                f"SELECT {self._TRIAL_COLUMNS} FROM trials WHERE study_id=? "
                f"AND trial_id NOT IN (SELECT value FROM json_each(?)) ORDER BY number",
                (study_id, json.dumps(known)),
            ).fetchall()
            return stamp, self._build(conn, rows)

        stamp, fresh = self._read(fn)
        with self._cache_lock:
            if self._cache.get(study_id, (None,))[0] != stamp:
                self._cache[study_id] = (stamp, {})
            cache = self._cache[study_id][1]
            for t in fresh:
                if t.state.is_finished():
                    cache[t._trial_id] = t
            cached = list(cache.values())
        by_number = {t.number: t for t in cached}
        by_number.update({t.number: t for t in fresh})
        trials = [by_number[n] for n in sorted(by_number)]
        if states is not None:
            trials = [t for t in trials if t.state in states]
        if deepcopy:
            trials = copy.deepcopy(trials)
        return trials

    def get_n_trials(self, study_id: int, states: Container[TrialState] | None = None) -> int:
        if states is None:
            return self._read(lambda c: c.execute(
                "SELECT COUNT(*) FROM trials WHERE study_id=?", (study_id,)).fetchone()[0])
        return super().get_n_trials(study_id, states)

    def pop_waiting_trial(self, study_id: int, *, heartbeat: bool = False) -> FrozenTrial | None:
        def fn(conn):
            self._check_study(conn, study_id)
            row = conn.execute(
                "SELECT trial_id FROM trials WHERE study_id=? AND state=? ORDER BY number "
                "LIMIT 1",
                (study_id, TrialState.WAITING.value),
            ).fetchone()
            if row is None:
                return None
            now = time.time()
            beat = now if heartbeat and self.heartbeat_interval is not None else None
            conn.execute(
                "UPDATE trials SET state=?, datetime_start=?, heartbeat=? WHERE trial_id=?",
                (TrialState.RUNNING.value, now, beat, row[0]),
            )
            return row[0]

        trial_id = self._write(fn)
        return None if trial_id is None else self.get_trial(trial_id)

    # -- heartbeats ----------------------------------------------------------------------------
    def record_heartbeat(self, trial_ids: Iterable[int]) -> None:
        ids = list(trial_ids)
        if self.heartbeat_interval is None or not ids:
            return
        now = time.time()
        self._write(lambda c: c.executemany(
            "UPDATE trials SET heartbeat=? WHERE trial_id=? AND state=?",
            [(now, i, TrialState.RUNNING.value) for i in ids],
        ))

    def fail_stale_trials(self, study_id: int) -> list[int]:
        if self.grace_period is None:
            return []
        now = time.time()
        last = self._last_stale_check.get(study_id)
        if last is not None and now - last < min(2.0, self.grace_period / 2):
            return []
        self._last_stale_check[study_id] = now
        limit = now - self.grace_period
        running = TrialState.RUNNING.value

        def find(conn):
            return conn.execute(
                "SELECT trial_id FROM trials WHERE study_id=? AND state=? "
                "AND heartbeat < ?",
                (study_id, running, limit),
            ).fetchone()

        if self._read(find) is None:  # cheap read first: no write lock on the common path
            return []

        def fn(conn):
            rows = conn.execute(
                "SELECT trial_id, number FROM trials WHERE study_id=? AND state=? "
                "AND heartbeat < ? ORDER BY number",
                (study_id, running, limit),
            ).fetchall()
            conn.executemany(
                "UPDATE trials SET state=?, datetime_complete=? WHERE trial_id=?",
                [(TrialState.FAIL.value, now, r[0]) for r in rows],
            )
            # What a dead process held (a grid point, a candidate) is for others to take.
            conn.executemany("DELETE FROM claims WHERE trial_id=?", [(r[0],) for r in rows])
            return [r[1] for r in rows]

        return self._write(fn)
