"""PostgreSQL storage: one study shared by the processes of many machines.

The SQL is the shared core's (:mod:`sk_hpo.storages._sql`); this module opens connections
through psycopg 3 (the optional extra ``postgres``) and turns the server's refusals into
clear errors, passwords masked.
"""

from __future__ import annotations

from typing import Any

from sk_hpo._validation import check_param, interval
from sk_hpo.storages._dialect import PostgresDialect
from sk_hpo.storages._sql import SQLStorage
from sk_hpo.storages._url import mask_url

__all__ = ["PostgreSQLStorage", "is_postgres_url"]

_SCHEMES = ("postgresql", "postgres")
# Any constant: the advisory lock that serialises schema creation and upgrades.
_SCHEMA_LOCK = 0x736B5F68706F


def is_postgres_url(url: str) -> bool:
    """Whether ``url`` is a PostgreSQL URL (``postgresql://``, ``postgres://``, with an
    optional ``+driver``).

    Examples
    --------
    >>> is_postgres_url("postgresql+psycopg://u:p@h/db"), is_postgres_url("sqlite:///a.db")
    (True, False)
    """
    return isinstance(url, str) and url.partition("://")[0].split("+")[0].lower() in _SCHEMES


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as e:
        raise ImportError(
            "The PostgreSQL storage needs psycopg 3, which is not installed; install it with "
            'pip install "sk-hpo[postgres]".'
        ) from e
    return psycopg


class PostgreSQLStorage(SQLStorage):
    """Studies in a PostgreSQL database, shareable by processes on many machines.

    Each process (and thread) holds its own connection, opened on first use: the storage can
    be pickled to, or forked into, worker processes. A dropped connection is opened again
    and the pending write retried without duplicating a trial or losing a told value.

    Parameters
    ----------
    url : str
        ``'postgresql://user:password@host:port/database'`` (libpq URL; query options such
        as ``?sslmode=require`` are passed on). The database must exist; sk_hpo creates its
        tables there on first use.
    timeout : float, default=60.0
        Seconds a call keeps retrying while the server is busy or unreachable before raising.
    connect_timeout : float, default=10.0
        Seconds one connection attempt may take, so that a bad host never hangs.
    heartbeat_interval : float or None, default=10.0
        Seconds between heartbeats of RUNNING trials; None disables heartbeats.
    grace_period : float or None, default=None
        Seconds without heartbeat after which a RUNNING trial of this process may be marked
        FAIL (by any process); None means ``6 * heartbeat_interval``. Machines' clocks must
        agree to well within this (NTP).

    Examples
    --------
    >>> storage = PostgreSQLStorage("postgresql://ann:s3cret@db.example:5432/hpo")  # doctest: +SKIP
    >>> storage  # doctest: +SKIP
    PostgreSQLStorage('postgresql://ann:***@db.example:5432/hpo')
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        heartbeat_interval: float | None = 10.0,
        grace_period: float | None = None,
    ) -> None:
        if not is_postgres_url(url):
            raise ValueError(
                f"The PostgreSQL storage URL {mask_url(url)!r} is invalid; use "
                "'postgresql://user:password@host:port/database'."
            )
        _import_psycopg()
        scheme, _, rest = url.partition("://")
        self.url = url
        self._conninfo = "postgresql://" + rest  # libpq does not know '+driver'
        self._set_timing("PostgreSQLStorage", timeout, heartbeat_interval, grace_period)
        self.connect_timeout = float(
            check_param("PostgreSQLStorage", "connect_timeout", connect_timeout,
                        [interval(0, None, closed="neither")])
        )
        self._dialect = PostgresDialect()
        self._init_runtime()
        if not getattr(self, "_defer_open", False):
            self._connection(write=True)  # fail now on a bad URL; create the schema

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._dialect = PostgresDialect()

    def _target(self) -> str:
        from psycopg.conninfo import conninfo_to_dict

        try:
            info = conninfo_to_dict(self._conninfo)
        except Exception:
            return mask_url(self.url)
        host = info.get("host") or "localhost"
        return f"{host}:{info.get('port') or 5432}"

    def _describe(self) -> str:
        return f"PostgreSQL database {mask_url(self.url)!r}"

    def _identity(self) -> Any:
        return ("postgresql", self._conninfo)

    def _connect(self) -> Any:
        psycopg = _import_psycopg()
        try:
            return psycopg.connect(
                self._conninfo, autocommit=True,
                connect_timeout=max(1, int(round(self.connect_timeout))),
            )
        except psycopg.OperationalError as e:
            raise self._connect_error(e) from None

    def _connect_error(self, error: BaseException) -> Exception:
        text = mask_url(str(error).strip())
        lower = text.lower()
        target = self._target()
        url = mask_url(self.url)
        if "password authentication failed" in lower or "no password supplied" in lower:
            return PermissionError(
                f"The PostgreSQL server at {target} refused the credentials of storage URL "
                f"{url!r} (wrong user or password): {text}"
            )
        if "database" in lower and "does not exist" in lower:
            return LookupError(
                f"The database of storage URL {url!r} does not exist on the PostgreSQL "
                f"server at {target}; create it first (createdb NAME, or CREATE DATABASE "
                f"NAME): {text}"
            )
        # Unreachable host, refused port, timeout: transient for the retry loop.
        return ConnectionError(
            f"Cannot connect to the PostgreSQL server at {target} (storage URL {url!r}): "
            f"{text}; check the host and port, and that the server runs and accepts TCP "
            "connections."
        )

    def _open(self, write: bool) -> Any:
        conn = self._connect()
        try:
            self._init_schema(conn, True)
        except BaseException:
            conn.close()
            raise
        self._local.conn = conn
        return conn

    def _open_for_upgrade(self) -> Any:
        return self._connect()

    def _lock_schema(self, conn: Any) -> None:
        conn.execute(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")

    def _error(self, error: BaseException) -> BaseException:
        if isinstance(error, ConnectionError | PermissionError | LookupError):
            return error
        if self._dialect.is_disconnect(error, None):
            return ConnectionError(
                f"Lost the connection to the PostgreSQL server at {self._target()} (storage "
                f"URL {mask_url(self.url)!r}) and could not restore it within timeout="
                f"{self.timeout}s: {mask_url(error)}"
            )
        return error
