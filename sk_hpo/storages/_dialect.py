"""What differs between SQLite and PostgreSQL for the SQL storage core, in one place.

The core writes SQL with ``?`` placeholders, ``INSERT ... ON CONFLICT``, ``RETURNING`` and
the ``ids`` helper for "column in a list of ids"; a dialect translates placeholders, fills in
the DDL types, says how a write transaction locks (SQLite: ``BEGIN IMMEDIATE`` takes the
database's one write lock; PostgreSQL: row locks with ``SELECT ... FOR UPDATE``) and which
errors mean "try again" (busy / serialization failure) or "the connection dropped".
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

__all__ = ["Dialect", "PostgresDialect", "SQLiteDialect"]


class Dialect:
    """The SQLite side, used as the defaults."""

    name = "sqlite"
    types = {"ID": "INTEGER PRIMARY KEY AUTOINCREMENT", "FLOAT": "REAL", "PARAM_SEQ": ""}
    begin_write = "BEGIN IMMEDIATE"  # the write lock up front: no deadlock, no upgrade race
    begin_read = "BEGIN"
    lock = ""  # BEGIN IMMEDIATE already serialises writers
    lock_skip = ""
    lock_of_t = ""  # the rows of table alias t only (a join's outer side cannot be locked)
    lock_key_share = ""  # the row must not be deleted meanwhile; other sharers do not wait
    # Whether a write of one statement runs on its own (no BEGIN ... COMMIT round trips).
    # SQLite: no, BEGIN IMMEDIATE takes the write lock up front, before the statement reads.
    autocommit_writes = False
    param_order = "rowid"  # the order params were suggested in
    tables_sql = "SELECT name FROM sqlite_master WHERE type='table'"
    # Extra columns of a trials query (alias t) giving its params and intermediate values as
    # JSON: a trial in one statement. Empty: they are read by two more statements (cheap in a
    # local file).
    children_sql = ""
    # A write interrupted by a dropped connection may have committed: retries must be
    # idempotent. SQLite files do not drop; tokens are only needed over a network.
    write_tokens = False

    def sql(self, text: str) -> str:
        return text

    def ids(self, column: str, negate: bool = False) -> str:
        """SQL for "``column`` is (not) in the list given as one parameter (see ids_arg)."""
        return f"{column} {'NOT IN' if negate else 'IN'} (SELECT value FROM json_each(?))"

    def ids_arg(self, ids: list[int]) -> Any:
        return json.dumps(ids)

    def is_busy(self, error: BaseException) -> bool:
        if not isinstance(error, sqlite3.OperationalError):
            return False
        text = str(error).lower()
        return "locked" in text or "busy" in text

    def is_disconnect(self, error: BaseException, conn: Any) -> bool:
        return False

    def is_database_error(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.Error)

    def rollback(self, conn: Any) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


SQLiteDialect = Dialect


class PostgresDialect(Dialect):
    name = "postgresql"
    types = {"ID": "BIGSERIAL PRIMARY KEY", "FLOAT": "DOUBLE PRECISION",
             "PARAM_SEQ": "seq BIGSERIAL, "}
    begin_write = "BEGIN"  # READ COMMITTED, with row locks where a write reads first
    # One snapshot for a read of several statements (a trial and its params).
    begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    lock = " FOR UPDATE"
    lock_skip = " FOR UPDATE SKIP LOCKED"
    lock_of_t = " FOR UPDATE OF t"
    lock_key_share = " FOR KEY SHARE"
    autocommit_writes = True
    param_order = "seq"
    tables_sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    # A server round trip costs more than building JSON there.
    children_sql = (
        ", (SELECT json_agg(json_build_array(p.name, p.value, p.distribution) ORDER BY p.seq)"
        " FROM params p WHERE p.trial_id = t.trial_id)::text"
        ", (SELECT json_agg(json_build_array(i.step, i.value) ORDER BY i.step)"
        " FROM intermediate_values i WHERE i.trial_id = t.trial_id)::text"
    )
    write_tokens = True

    def __init__(self) -> None:
        import psycopg

        self._psycopg = psycopg
        self._translated: dict[str, str] = {}

    def sql(self, text: str) -> str:
        out = self._translated.get(text)
        if out is None:
            out = self._translated[text] = text.replace("?", "%s")
        return out

    def ids(self, column: str, negate: bool = False) -> str:
        test = f"{column} = ANY(?::bigint[])"
        return f"NOT ({test})" if negate else test

    def ids_arg(self, ids: list[int]) -> Any:
        return list(ids)

    def is_busy(self, error: BaseException) -> bool:
        errors = self._psycopg.errors
        return isinstance(
            error, (errors.SerializationFailure, errors.DeadlockDetected,
                    errors.LockNotAvailable)
        )

    def is_disconnect(self, error: BaseException, conn: Any) -> bool:
        if not isinstance(error, self._psycopg.OperationalError) or self.is_busy(error):
            return False
        return conn is None or conn.closed or conn.broken

    def is_database_error(self, error: BaseException) -> bool:
        return isinstance(error, self._psycopg.Error)

    def rollback(self, conn: Any) -> None:
        if conn.closed or conn.broken:
            return
        if conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
