"""The SQL storage core shared by SQLite and PostgreSQL.

Values are stored as JSON text or floats (never pickle), so opening an untrusted database never
executes code. Every method is one short transaction, retried while the database is busy (and,
on a server, after a dropped connection: such retries are idempotent, see ``_Tx.retry``).
Dialect differences live in :mod:`sk_hpo.storages._dialect`; a subclass opens connections.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Container, Iterable, Sequence
from typing import Any

from sk_hpo._direction import StudyDirection
from sk_hpo._json import check_json_value
from sk_hpo._validation import NONE, check_param, interval
from sk_hpo.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    distribution_to_json,
    json_to_distribution,
)
from sk_hpo.exceptions import DuplicatedStudyError, StudyNotFoundError, UpdateFinishedTrialError
from sk_hpo.storages._base import BaseStorage, StudySummary, as_directions, as_values
from sk_hpo.storages._cached import FinishedTrialCache
from sk_hpo.storages._dialect import Dialect
from sk_hpo.storages._schema import SCHEMA_VERSION, create_statements, upgrade_statements
from sk_hpo.storages._url import mask_url
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["SQLStorage"]

_UNFINISHED_SQL = "state NOT IN ({})".format(
    ",".join(str(s.value) for s in TrialState if s.is_finished())
)
_RUNNING = TrialState.RUNNING.value
_WAITING = TrialState.WAITING.value

# Connections inherited by a forked child (the thread-locals holding them) are kept
# referenced, never closed nor collected: closing one would end the parent's session on the
# shared socket.
_INHERITED: list[Any] = []


def _ts(dt: datetime.datetime | None) -> float | None:
    return None if dt is None else dt.timestamp()


def _dt(ts: float | None) -> datetime.datetime | None:
    return None if ts is None else datetime.datetime.fromtimestamp(ts)


def _values_columns(values: list[float] | None) -> tuple[float | None, str | None]:
    """``(value, values_json)``: the first objective in ``value``, all of them in JSON when
    there are several."""
    if values is None:
        return None, None
    return values[0], (json.dumps(values) if len(values) > 1 else None)


def _read_values(value: float | None, values_json: str | None) -> list[float] | None:
    if values_json is not None:
        return [float(v) for v in json.loads(values_json)]
    return None if value is None else [value]


class _Tx:
    """One transaction's statements, with the dialect's placeholders.

    ``retry`` is True when an earlier attempt of this write lost its connection, so it may
    have committed: a write then recognises its own earlier effect instead of repeating it.
    """

    __slots__ = ("conn", "dialect", "retry")

    def __init__(self, conn: Any, dialect: Dialect, retry: bool) -> None:
        self.conn, self.dialect, self.retry = conn, dialect, retry

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.dialect.sql(sql), args)

    def one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.execute(sql, args).fetchone()

    def all(self, sql: str, args: Sequence[Any] = ()) -> list:
        return self.execute(sql, args).fetchall()


class SQLStorage(BaseStorage):
    """Base of the SQL storages: the methods of BaseStorage over the shared schema.

    A subclass sets ``_dialect`` and ``url`` and implements :meth:`_open` (a new connection,
    schema checked) and :meth:`_describe` (how to name the database in messages).
    """

    _dialect: Dialect
    url: str
    timeout: float

    def _set_timing(
        self,
        owner: str,
        timeout: float,
        heartbeat_interval: float | None,
        grace_period: float | None,
    ) -> None:
        """Check and keep the lock timeout and the heartbeat settings (grace: 6 beats)."""
        positive = [interval(0, None, closed="neither")]
        self.timeout = float(check_param(owner, "timeout", timeout, positive))
        check_param(owner, "heartbeat_interval", heartbeat_interval, [*positive, NONE])
        check_param(owner, "grace_period", grace_period, [*positive, NONE])
        if grace_period is None and heartbeat_interval is not None:
            grace_period = 6.0 * heartbeat_interval
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period

    def _init_runtime(self) -> None:
        old = getattr(self, "_local", None)
        if old is not None:  # a forked child: keep every thread's inherited connection alive
            _INHERITED.append(old)
        self._local = threading.local()
        self._pid = os.getpid()
        self._cache = FinishedTrialCache()
        self._last_stale_check: dict[int, float] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_local", "_pid", "_cache", "_last_stale_check", "_dialect")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({mask_url(self.url)!r})"

    # -- connections and transactions ------------------------------------------------------------
    def _open(self, write: bool) -> Any:
        """A new connection with a checked schema (created when ``write``)."""
        raise NotImplementedError

    def _describe(self) -> str:
        """The database as named in messages (never with a password)."""
        raise NotImplementedError

    def _connection(self, write: bool) -> Any:
        if os.getpid() != self._pid:
            self._init_runtime()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open(write)
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken
                pass

    def _error(self, error: BaseException) -> BaseException:
        """The error to raise for a database error that retries did not cure."""
        return error

    def _run(self, fn: Callable[[_Tx], Any], write: bool, snapshot: bool = True) -> Any:
        dialect = self._dialect
        begin = None if not snapshot else dialect.begin_write if write else dialect.begin_read
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        retry = False
        while True:
            conn = None
            try:
                conn = self._connection(write)
                if begin is None:  # one statement: its own (autocommit) transaction
                    return fn(_Tx(conn, dialect, retry))
                conn.execute(begin)
                try:
                    result = fn(_Tx(conn, dialect, retry))
                    conn.execute("COMMIT")
                except BaseException:
                    try:
                        dialect.rollback(conn)
                    except Exception:  # the connection is gone: the server rolls back
                        pass
                    raise
                return result
            except Exception as e:
                disconnect = dialect.is_disconnect(e, conn) or isinstance(e, ConnectionError)
                if not (disconnect or dialect.is_busy(e)):
                    if dialect.is_database_error(e):
                        raise self._error(e) from None
                    raise
                if time.monotonic() > deadline:
                    raise self._error(e) from None
                if disconnect:
                    self._drop_connection()
                    retry = retry or write
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.05 if not disconnect else 1.0)

    def _write(self, fn: Callable[[_Tx], Any]) -> Any:
        """Run ``fn(tx)`` in one write transaction, retried while busy or disconnected."""
        return self._run(fn, write=True)

    def _write_one(self, fn: Callable[[_Tx], Any]) -> Any:
        """Run ``fn(tx)``, one write statement, as its own (autocommit) transaction."""
        return self._run(fn, write=True, snapshot=False)

    def _read(self, fn: Callable[[_Tx], Any]) -> Any:
        """Run ``fn(tx)`` in one read transaction: all its statements see one snapshot."""
        return self._run(fn, write=False)

    def _read_one(self, fn: Callable[[_Tx], Any]) -> Any:
        """Run ``fn(tx)``, one statement (or statements needing no common snapshot), with
        no explicit transaction: fewer round trips to a server."""
        return self._run(fn, write=False, snapshot=False)

    def _init_schema(self, conn: Any, write: bool) -> int | None:
        """Check the schema on a new connection; create it when absent and ``write``.

        Returns the database's version, or None when it has no schema (and not ``write``).
        """
        tables = {r[0] for r in conn.execute(self._dialect.tables_sql).fetchall()}
        if "schema_version" not in tables:
            if tables & {"studies", "trials"} or (tables and self._dialect.name == "sqlite"):
                raise ValueError(
                    f"The database {self._describe()} was not created by sk_hpo (it has "
                    f"tables {sorted(tables)!r} but no schema_version table); use a new "
                    "file or database."
                )
            if not write:
                return None
            self._create_schema(conn)
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        version = None if row is None else row[0]
        self._check_version(version)
        return version

    def _create_schema(self, conn: Any) -> None:
        conn.execute(self._dialect.begin_write)
        try:
            self._lock_schema(conn)
            tables = {r[0] for r in conn.execute(self._dialect.tables_sql).fetchall()}
            if "schema_version" not in tables:  # another process may have just made it
                for statement in create_statements(self._dialect.types):
                    conn.execute(statement)
                conn.execute(f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION})")
            conn.execute("COMMIT")
        except BaseException:
            self._dialect.rollback(conn)
            raise

    def _lock_schema(self, conn: Any) -> None:
        """Serialise schema creation and upgrades between processes (inside a transaction)."""

    def _check_version(self, version: int | None, *, upgrading: bool = False) -> None:
        if version == SCHEMA_VERSION:
            return
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise ValueError(
                f"The database {self._describe()} has schema version {version}, newer than "
                f"this sk_hpo reads (version {SCHEMA_VERSION}): it was written by a newer "
                "sk_hpo; upgrade sk_hpo (pip install -U sk-hpo) to open it."
            )
        if isinstance(version, int) and 1 <= version < SCHEMA_VERSION:
            if upgrading:
                return
            raise ValueError(
                f"The database {self._describe()} has schema version {version}, older than "
                f"this sk_hpo's version {SCHEMA_VERSION}; migrate it once with "
                f"`sk-hpo storage upgrade {mask_url(self.url)}` (back it up first; processes "
                "of the older sk_hpo cannot open it afterwards)."
            )
        raise ValueError(
            f"The database {self._describe()} has an invalid schema version {version!r}; it "
            "is damaged or was not written by sk_hpo."
        )

    def upgrade(self) -> tuple[int, int]:
        """Migrate the database to this sk_hpo's schema in one transaction.

        Returns ``(old_version, new_version)``; ``(n, n)`` when it was up to date. Stop the
        processes of older sk_hpo versions first: they cannot open the upgraded database.
        """
        conn = self._open_for_upgrade()
        try:
            dialect = self._dialect
            conn.execute(dialect.begin_write)
            try:
                self._lock_schema(conn)
                tables = {r[0] for r in conn.execute(dialect.tables_sql).fetchall()}
                if "schema_version" not in tables:
                    raise ValueError(
                        f"The database {self._describe()} holds no sk_hpo schema (no "
                        "schema_version table): there is nothing to upgrade."
                    )
                row = conn.execute("SELECT version FROM schema_version").fetchone()
                old = None if row is None else row[0]
                self._check_version(old, upgrading=True)
                for statement in upgrade_statements(old, dialect.types):
                    conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                dialect.rollback(conn)
                raise
        finally:
            conn.close()
        self._drop_connection()
        return old, SCHEMA_VERSION

    def _open_for_upgrade(self) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        self._drop_connection()

    # -- studies ----------------------------------------------------------------------------------
    _STUDY_COLUMNS = "name, directions, user_attrs, system_attrs, datetime_start"

    def _check_study(self, tx: _Tx, study_id: int, lock: bool = False) -> tuple:
        row = tx.one(
            f"SELECT {self._STUDY_COLUMNS} FROM studies WHERE study_id=?"
            + (tx.dialect.lock if lock else ""),
            (study_id,),
        )
        if row is None:
            raise self._study_not_found(study_id)
        return row

    @staticmethod
    def _study_not_found(study_id: int) -> StudyNotFoundError:
        return StudyNotFoundError(
            f"No study with study_id={study_id!r} exists: it was deleted, perhaps by "
            "another process; open it again with sk_hpo.load_study."
        )

    def create_new_study(
        self, study_name: str, directions: Sequence[StudyDirection] | StudyDirection
    ) -> int:
        directions = as_directions(directions)
        names = json.dumps([d.value for d in directions])

        def fn(tx):
            row = tx.one(
                "INSERT INTO studies (name, direction, directions, datetime_start) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING study_id",
                (study_name, directions[0].value, names, time.time()),
            )
            if row is not None:
                return row[0]
            if tx.retry:  # our own insert committed before the connection dropped
                row = tx.one("SELECT study_id, directions FROM studies WHERE name=?",
                             (study_name,))
                if row is not None and row[1] == names:
                    return row[0]
            raise DuplicatedStudyError(
                f"A study named {study_name!r} already exists; pass load_if_exists=True to "
                "continue it or choose another study_name."
            )

        return self._write(fn)

    def delete_study(self, study_id: int) -> None:
        def fn(tx):
            self._check_study(tx, study_id, lock=True)
            sub = "SELECT trial_id FROM trials WHERE study_id=?"
            tx.execute(f"DELETE FROM params WHERE trial_id IN ({sub})", (study_id,))
            tx.execute(f"DELETE FROM intermediate_values WHERE trial_id IN ({sub})", (study_id,))
            tx.execute("DELETE FROM claims WHERE study_id=?", (study_id,))
            tx.execute("DELETE FROM trials WHERE study_id=?", (study_id,))
            tx.execute("DELETE FROM studies WHERE study_id=?", (study_id,))

        self._write(fn)
        self._cache.clear()

    def _no_study_named(self, study_name: str) -> str:
        return (
            f"No study named {study_name!r} exists in {self._describe()}; create it with "
            "sk_hpo.create_study(study_name=...) first."
        )

    def get_study_id_from_name(self, study_name: str) -> int:
        row = self._read_one(lambda tx: tx.one("SELECT study_id FROM studies WHERE name=?",
                                           (study_name,)))
        if row is None:
            raise StudyNotFoundError(self._no_study_named(study_name))
        return row[0]

    def get_study_name_from_id(self, study_id: int) -> str:
        return self._read_one(lambda tx: self._check_study(tx, study_id))[0]

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        names = self._read_one(lambda tx: self._check_study(tx, study_id))[1]
        return [StudyDirection(d) for d in json.loads(names)]

    def get_all_studies(self) -> list[StudySummary]:
        rows = self._read_one(lambda tx: tx.all(
            "SELECT study_id, name, directions, user_attrs, datetime_start FROM studies "
            "ORDER BY study_id"
        ))
        summaries = []
        for study_id, name, names, user_attrs, start in rows:
            directions = [StudyDirection(d) for d in json.loads(names)]
            best = None
            if len(directions) == 1:
                try:
                    best = self.get_best_trial(study_id).value
                except ValueError:
                    pass
            summaries.append(
                StudySummary(
                    study_name=name,
                    study_id=study_id,
                    direction=directions[0],
                    n_trials=self.get_n_trials(study_id),
                    best_value=best,
                    datetime_start=_dt(start),
                    user_attrs=json.loads(user_attrs),
                    directions=directions,
                )
            )
        return summaries

    def _set_study_attr(self, column: str, study_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)

        def fn(tx):
            row = self._check_study(tx, study_id, lock=True)
            attrs = json.loads(row[2] if column == "user_attrs" else row[3])
            attrs[key] = value
            tx.execute(f"UPDATE studies SET {column}=? WHERE study_id=?",
                       (json.dumps(attrs), study_id))

        self._write(fn)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr("user_attrs", study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr("system_attrs", study_id, key, value)

    def compare_and_set_study_system_attr(
        self, study_id: int, key: str, expected: Any, value: Any
    ) -> bool:
        value = check_json_value(key, value)
        expected = None if expected is None else check_json_value(key, expected)

        def fn(tx):
            attrs = json.loads(self._check_study(tx, study_id, lock=True)[3])
            current = attrs.get(key)
            if current != expected:
                return tx.retry and current == value  # our own earlier attempt set it
            attrs[key] = value
            tx.execute("UPDATE studies SET system_attrs=? WHERE study_id=?",
                       (json.dumps(attrs), study_id))
            return True

        return self._write(fn)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return json.loads(self._read_one(lambda tx: self._check_study(tx, study_id))[2])

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return json.loads(self._read_one(lambda tx: self._check_study(tx, study_id))[3])

    # -- trials: writes ---------------------------------------------------------------------------
    def _beat(self, heartbeat: bool, now: float) -> tuple[float | None, float | None]:
        """``(heartbeat, grace)`` of a trial started now by this process."""
        if heartbeat and self.heartbeat_interval is not None and self.grace_period is not None:
            return now, self.grace_period
        return None, None

    def create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None, *, heartbeat: bool = False
    ) -> int:
        return self._insert_trial(study_id, template_trial, heartbeat)[0]

    def _create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None, *, heartbeat: bool = False
    ) -> FrozenTrial:
        trial_id, number, now = self._insert_trial(study_id, template_trial, heartbeat)
        if template_trial is not None:
            return self.get_trial(trial_id)
        return FrozenTrial(
            number=number, state=TrialState.RUNNING, value=None, datetime_start=_dt(now),
            datetime_complete=None, params={}, distributions={}, user_attrs={},
            system_attrs={}, intermediate_values={}, trial_id=trial_id, internal_params={},
        )

    def _insert_trial(
        self, study_id: int, template_trial: FrozenTrial | None, heartbeat: bool
    ) -> tuple[int, int, float]:
        """Write a new trial; return ``(trial_id, number, the time it was started)``."""
        t = template_trial
        if t is not None:
            t.internal_params  # noqa: B018 - validate params against distributions
            user_attrs = {k: check_json_value(k, v) for k, v in t.user_attrs.items()}
            system_attrs = {k: check_json_value(k, v) for k, v in t.system_attrs.items()}
        now = time.time()
        beat, grace = self._beat(heartbeat, now)
        token = uuid.uuid4().hex if self._dialect.write_tokens else None

        def fn(tx):
            if tx.retry:
                row = tx.one("SELECT trial_id, number FROM trials WHERE token=?", (token,))
                if row is not None:
                    return tuple(row)
            # The next number, computed in the INSERT: of two creators taking the same one,
            # the later inserts nothing and tries again, with a snapshot that shows the
            # other's trial (SQLite's write lock orders them). The study row cannot be
            # deleted meanwhile.
            if t is None:
                row = (_RUNNING, None, None, now, None, beat, grace, token, "{}", "{}")
            else:
                row = (t.state.value, *_values_columns(t.values), _ts(t.datetime_start),
                       _ts(t.datetime_complete), beat, grace, token,
                       json.dumps(user_attrs), json.dumps(system_attrs))
            while True:
                created = tx.one(
                    "INSERT INTO trials (study_id, number, state, value, values_json, "
                    "datetime_start, datetime_complete, heartbeat, grace, token, user_attrs, "
                    "system_attrs) SELECT study_id, (SELECT COALESCE(MAX(number) + 1, 0) FROM "
                    "trials WHERE study_id=s.study_id), ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM "
                    f"studies s WHERE study_id=?{tx.dialect.lock_key_share} ON CONFLICT "
                    "(study_id, number) DO NOTHING RETURNING trial_id, number",
                    (*row, study_id),
                )
                if created is not None:
                    break
                self._check_study(tx, study_id)  # raises when the study is gone
            trial_id, number = created
            if t is not None:
                for name, value in t.internal_params.items():
                    tx.execute(
                        "INSERT INTO params (trial_id, name, value, distribution) "
                        "VALUES (?, ?, ?, ?)",
                        (trial_id, name, value, distribution_to_json(t.distributions[name])),
                    )
                for step, v in t.intermediate_values.items():
                    tx.execute("INSERT INTO intermediate_values (trial_id, step, value) "
                               "VALUES (?, ?, ?)", (trial_id, step, v))
            return trial_id, number

        one = t is None and self._dialect.autocommit_writes  # one statement: no BEGIN/COMMIT
        trial_id, number = (self._write_one if one else self._write)(fn)
        return trial_id, number, now

    @staticmethod
    def _writable_state(tx: _Tx, trial_id: int, *columns: str, lock: bool = False) -> tuple:
        """``(state, number, *columns)`` of an unfinished trial; raise if finished or absent."""
        row = tx.one(
            f"SELECT {', '.join(('state', 'number') + columns)} FROM trials WHERE trial_id=?"
            + (tx.dialect.lock if lock else ""),
            (trial_id,),
        )
        return SQLStorage._check_writable(trial_id, row)

    @staticmethod
    def _check_writable(trial_id: int, row: tuple | None) -> tuple:
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
        args = (trial_id, param_name, float(param_value_internal),
                distribution_to_json(distribution))

        # The common case, a new parameter of an unfinished trial: one statement.
        if self._write_one(lambda tx: tx.execute(
            "INSERT INTO params (trial_id, name, value, distribution) SELECT ?, ?, ?, ? "
            f"WHERE EXISTS (SELECT 1 FROM trials WHERE trial_id=? AND {_UNFINISHED_SQL}) "
            "ON CONFLICT (trial_id, name) DO NOTHING",
            (*args, trial_id),
        ).rowcount) == 1:
            return

        def fn(tx):  # set again, or the trial is finished or unknown
            # The trial's state and the parameter's old distribution in one statement.
            row = tx.one(
                "SELECT t.state, t.number, p.distribution FROM trials t LEFT JOIN params p "
                "ON p.trial_id = t.trial_id AND p.name = ? WHERE t.trial_id = ?"
                + tx.dialect.lock_of_t,
                (param_name, trial_id),
            )
            self._check_writable(trial_id, row)
            if row[2] is not None:
                check_distribution_compatibility(json_to_distribution(row[2]), distribution)
            tx.execute(
                "INSERT INTO params (trial_id, name, value, distribution) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (trial_id, name) DO UPDATE SET value=excluded.value, "
                "distribution=excluded.distribution",
                args,
            )

        self._write(fn)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        values = as_values(values)
        value, values_json = _values_columns(values)
        # One UPDATE on the common path; its WHERE clause does the state check.
        now = time.time()
        if state == TrialState.RUNNING:  # only a WAITING trial may start
            sql = ("UPDATE trials SET state=?, value=?, values_json=?, datetime_start=?, "
                   f"heartbeat=NULL WHERE trial_id=? AND state={_WAITING}")
            args = (state.value, value, values_json, now, trial_id)
        elif state.is_finished():
            sql = ("UPDATE trials SET state=?, value=?, values_json=?, datetime_complete=? "
                   f"WHERE trial_id=? AND {_UNFINISHED_SQL}")
            args = (state.value, value, values_json, now, trial_id)
        else:
            sql = (f"UPDATE trials SET state=?, value=?, values_json=? WHERE trial_id=? AND "
                   f"{_UNFINISHED_SQL}")
            args = (state.value, value, values_json, trial_id)

        children = self._dialect.children_sql
        if state.is_finished() and children:  # the finished trial back, for the cache
            sql = (sql.replace("UPDATE trials SET", "UPDATE trials t SET", 1)
                   + f" RETURNING {self._TRIAL_COLUMNS}{children}, study_id, (SELECT "
                   "datetime_start FROM studies s WHERE s.study_id = t.study_id)")

        def fn(tx):
            cursor = tx.execute(sql, args)
            if cursor.rowcount == 1:
                if children and state.is_finished():
                    row = cursor.fetchone()
                    self._cache.add(row[11], row[12], self._build(None, [row[:11]])[0])
                return True
            if tx.retry and state.is_finished():  # our own earlier attempt may have told it
                row = tx.one("SELECT state, value, values_json FROM trials WHERE trial_id=?",
                             (trial_id,))
                if row is not None and row[0] == state.value and (
                    _read_values(row[1], row[2]) == values or values is None
                ):
                    return True
            self._writable_state(tx, trial_id)  # raises when unknown or finished
            return False  # RUNNING asked, but the trial is not WAITING: someone else took it

        return self._write_one(fn)  # the UPDATE alone decides: no transaction around it

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        row = (trial_id, int(step), float(value))  # SQLite keeps NaN as NULL, read back as NaN

        def fn(tx):  # one statement, guarded by the trial's state
            if tx.execute(
                "INSERT INTO intermediate_values (trial_id, step, value) SELECT ?, ?, ? "
                f"WHERE EXISTS (SELECT 1 FROM trials WHERE trial_id=? AND {_UNFINISHED_SQL}) "
                "ON CONFLICT (trial_id, step) DO UPDATE SET value=excluded.value",
                (*row, trial_id),
            ).rowcount != 1:
                self._writable_state(tx, trial_id)  # raises: unknown or finished

        self._write_one(fn)

    def _set_trial_attr(self, column: str, trial_id: int, key: str, value: Any) -> None:
        value = check_json_value(key, value)
        if self._dialect.autocommit_writes and self._append_trial_attr(column, trial_id, key,
                                                                        value):
            return

        def fn(tx):  # set again, NaN, or the trial is finished or unknown
            attrs = json.loads(self._writable_state(tx, trial_id, column, lock=True)[2])
            attrs[key] = value
            tx.execute(f"UPDATE trials SET {column}=? WHERE trial_id=?",
                       (json.dumps(attrs), trial_id))

        self._write(fn)

    def _append_trial_attr(self, column: str, trial_id: int, key: str, value: Any) -> bool:
        """Add a new ``key`` to the attributes of an unfinished trial in one statement (no
        row lock held across round trips): the JSON text gets ``"key": value`` appended.
        False when that cannot be done: ``key`` is there already, the trial is finished or
        unknown, or a value is NaN or infinite (the server's JSON refuses them)."""
        try:
            pair = json.dumps({key: value}, allow_nan=False)[1:-1]
        except ValueError:
            return False
        sql = (f"UPDATE trials SET {column} = CASE WHEN {column} = '{{}}' THEN '{{' || ? || '}}' "
               f"ELSE left({column}, -1) || ', ' || ? || '}}' END WHERE trial_id=? AND "
               f"{_UNFINISHED_SQL} AND ({column}::json -> ?::text) IS NULL")
        try:
            return self._write_one(
                lambda tx: tx.execute(sql, (pair, pair, trial_id, key)).rowcount
            ) == 1
        except Exception as e:  # an older value the server's JSON refuses (NaN)
            if self._dialect.is_database_error(e):
                return False
            raise

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr("user_attrs", trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr("system_attrs", trial_id, key, value)

    def claim_trial_key(self, study_id: int, trial_id: int, key: str) -> bool:
        def fn(tx):
            self._check_study(tx, study_id)
            won = tx.execute(
                "INSERT INTO claims (study_id, key, trial_id) VALUES (?, ?, ?) "
                "ON CONFLICT (study_id, key) DO NOTHING",
                (study_id, key, trial_id),
            ).rowcount == 1
            if not won and tx.retry:  # our own earlier attempt may have claimed it
                row = tx.one("SELECT trial_id FROM claims WHERE study_id=? AND key=?",
                             (study_id, key))
                won = row is not None and row[0] == trial_id
            return won

        return self._write(fn)

    def release_trial_claims(self, trial_id: int) -> None:
        self._write(lambda tx: tx.execute("DELETE FROM claims WHERE trial_id=?", (trial_id,)))

    def get_claimed_keys(self, study_id: int) -> set[str]:
        def fn(tx):
            self._check_study(tx, study_id)
            return {r[0] for r in tx.all("SELECT key FROM claims WHERE study_id=?",
                                         (study_id,))}

        return self._read_one(fn)

    # -- trials: reads ----------------------------------------------------------------------------
    _TRIAL_COLUMNS = ("trial_id, number, state, value, values_json, datetime_start, "
                      "datetime_complete, user_attrs, system_attrs")

    def _trials_sql(self, where: str) -> str:
        """A query of the trials matching ``where`` (alias t), their params and intermediate
        values included when the dialect can (see :meth:`_build`)."""
        return (f"SELECT {self._TRIAL_COLUMNS}{self._dialect.children_sql} FROM trials t "
                f"WHERE {where}")

    def _build(self, tx: _Tx | None, rows: list[tuple]) -> list[FrozenTrial]:
        """The trials of ``rows`` (from :meth:`_trials_sql`); ``tx`` reads their params and
        intermediate values when the rows do not hold them (then it may be None)."""
        if not rows:
            return []
        ids = [r[0] for r in rows]
        params: dict[int, dict] = {i: {} for i in ids}
        steps: dict[int, dict] = {i: {} for i in ids}
        if len(rows[0]) > 9:  # the children as JSON: [[name, value, distribution]], [[step, value]]
            for r in rows:
                for name, value, dist in json.loads(r[9] or "[]"):
                    params[r[0]][name] = (float(value), dist)
                for step, value in json.loads(r[10] or "[]"):
                    steps[r[0]][step] = math.nan if value is None else float(value)  # "NaN"
        else:
            dialect = tx.dialect
            id_arg = (dialect.ids_arg(ids),)
            for tid, name, value, dist in tx.all(
                f"SELECT trial_id, name, value, distribution FROM params WHERE "
                f"{dialect.ids('trial_id')} ORDER BY {dialect.param_order}",
                id_arg,
            ):
                params[tid][name] = (value, dist)
            for tid, step, value in tx.all(
                f"SELECT trial_id, step, value FROM intermediate_values WHERE "
                f"{dialect.ids('trial_id')} ORDER BY step",
                id_arg,
            ):
                steps[tid][step] = math.nan if value is None else value  # SQLite: NaN is NULL
        trials = []
        for tid, number, state, value, values_json, start, complete, user, system in (
            r[:9] for r in rows
        ):
            distributions = {n: json_to_distribution(d) for n, (_, d) in params[tid].items()}
            internal = {n: v for n, (v, _) in params[tid].items()}
            trials.append(
                FrozenTrial(
                    number=number,
                    state=TrialState(state),
                    value=None,
                    values=_read_values(value, values_json),
                    datetime_start=_dt(start),
                    datetime_complete=_dt(complete),
                    params={n: distributions[n].to_external_repr(v) for n, v in internal.items()},
                    distributions=distributions,
                    user_attrs=json.loads(user),
                    system_attrs=json.loads(system),
                    intermediate_values=steps[tid],
                    trial_id=tid,
                    internal_params=internal,
                )
            )
        return trials

    def get_trial(self, trial_id: int) -> FrozenTrial:
        cached = self._cache.find(trial_id)  # finished trials never change
        if cached is not None:
            return cached

        def fn(tx):
            rows = tx.all(self._trials_sql("trial_id=?"), (trial_id,))
            if not rows:
                raise KeyError(f"No trial with trial_id={trial_id!r} exists.")
            return self._build(tx, rows)[0]

        # One statement (one snapshot) when the rows hold the children.
        return (self._read_one if self._dialect.children_sql else self._read)(fn)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        row = self._read_one(lambda tx: tx.one(
            "SELECT trial_id FROM trials WHERE study_id=? AND number=?", (study_id, trial_number)
        ))
        if row is None:
            raise KeyError(f"No trial number {trial_number!r} in study_id={study_id!r}.")
        return row[0]

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        def fn(tx):
            stamp = self._check_study(tx, study_id)[4]
            known = self._cache.known_ids(study_id, stamp)
            # Finished trials never change: fetch only those not cached yet.
            rows = tx.all(
                self._trials_sql(f"study_id=? AND {tx.dialect.ids('trial_id', negate=True)} "
                                 "ORDER BY number"),
                (study_id, tx.dialect.ids_arg(known)),
            )
            return stamp, self._build(tx, rows)

        stamp, fresh = self._read(fn)
        trials = self._cache.merge(study_id, stamp, fresh)
        if states is not None:
            trials = [t for t in trials if t.state in states]
        if deepcopy:
            trials = copy.deepcopy(trials)
        return trials

    def get_n_trials(self, study_id: int, states: Container[TrialState] | None = None) -> int:
        if states is None:
            return self._read_one(lambda tx: tx.one(
                "SELECT COUNT(*) FROM trials WHERE study_id=?", (study_id,))[0])
        return super().get_n_trials(study_id, states)

    def pop_waiting_trial(self, study_id: int, *, heartbeat: bool = False) -> FrozenTrial | None:
        # A cheap read first: most asks find no WAITING trial and need no write.
        if self._read_one(lambda tx: tx.one(
            "SELECT 1 FROM trials WHERE study_id=? AND state=? LIMIT 1", (study_id, _WAITING)
        )) is None:
            return None

        def fn(tx):
            self._check_study(tx, study_id)
            row = tx.one(
                "SELECT trial_id FROM trials WHERE study_id=? AND state=? ORDER BY number "
                "LIMIT 1" + tx.dialect.lock_skip,
                (study_id, _WAITING),
            )
            if row is None:
                return None
            now = time.time()
            beat, grace = self._beat(heartbeat, now)
            tx.execute(
                "UPDATE trials SET state=?, datetime_start=?, heartbeat=?, grace=? "
                "WHERE trial_id=?",
                (_RUNNING, now, beat, grace, row[0]),
            )
            return row[0]

        trial_id = self._write(fn)
        return None if trial_id is None else self.get_trial(trial_id)

    # -- heartbeats -------------------------------------------------------------------------------
    def record_heartbeat(self, trial_ids: Iterable[int]) -> None:
        ids = list(trial_ids)
        if self.heartbeat_interval is None or not ids:
            return
        self._write(lambda tx: tx.execute(
            f"UPDATE trials SET heartbeat=? WHERE {tx.dialect.ids('trial_id')} AND state=?",
            (time.time(), tx.dialect.ids_arg(ids), _RUNNING),
        ))

    _STALE_SQL = "study_id=? AND state=? AND heartbeat + grace < ?"

    def get_stale_trial_numbers(self, study_id: int) -> list[int]:
        now = time.time()
        rows = self._read_one(lambda tx: tx.all(
            f"SELECT number FROM trials WHERE {self._STALE_SQL} ORDER BY number",
            (study_id, _RUNNING, now),
        ))
        return [r[0] for r in rows]

    def fail_stale_trials(self, study_id: int) -> list[int]:
        # Each trial's own grace period decides (the one its process was started with).
        now = time.time()
        last = self._last_stale_check.get(study_id)
        every = 2.0 if self.grace_period is None else min(2.0, self.grace_period / 2)
        if last is not None and now - last < every:
            return []
        self._last_stale_check[study_id] = now
        args = (study_id, _RUNNING, now)

        # A cheap read first: no write lock on the common path.
        if self._read_one(lambda tx: tx.one(
            f"SELECT trial_id FROM trials WHERE {self._STALE_SQL} LIMIT 1", args
        )) is None:
            return []

        def fn(tx):
            rows = tx.all(
                f"UPDATE trials SET state=?, datetime_complete=? WHERE {self._STALE_SQL} "
                "RETURNING trial_id, number",
                (TrialState.FAIL.value, now, *args),
            )
            if rows:  # what a dead process held (a grid point, a candidate) is for others
                tx.execute(f"DELETE FROM claims WHERE {tx.dialect.ids('trial_id')}",
                           (tx.dialect.ids_arg([r[0] for r in rows]),))
            return sorted(r[1] for r in rows)

        return self._write(fn)
