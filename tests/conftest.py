"""Fixtures shared by several test files."""

import subprocess
import sys

import pytest


@pytest.fixture
def run_workers():
    """``run_workers(script, *args, n=2)``: run ``n`` Python processes of ``script`` at once.

    Each gets ``args`` as ``sys.argv[1:]``; the test fails, showing a worker's stderr, when
    one exits with an error or does not finish within 120 s. Returns their stdouts.
    """

    def run(script, *args, n=2):
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", script, *map(str, args)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for _ in range(n)
        ]
        outputs = []
        for w in workers:
            out, err = w.communicate(timeout=120)
            assert w.returncode == 0, err
            outputs.append(out)
        return outputs

    return run


# -- a throwaway PostgreSQL server ----------------------------------------------------------------
import contextlib  # noqa: E402
import glob  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402

PG_PASSWORD = "pw-s3cret"  # a password the tests check is never shown


def postgres_bindir():
    """The folder of the PostgreSQL server binaries (initdb, pg_ctl), or None."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(os.path.dirname(shutil.which("initdb")))
    for folder in candidates:
        if folder and all(os.path.exists(os.path.join(folder, b)) for b in ("initdb", "pg_ctl")):
            return folder
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_server(bindir, *, durable=False):
    """Run a throwaway PostgreSQL server from ``bindir`` on a free loopback port.

    Tests run it without durability (no fsync, asynchronous commits: a server crash may lose
    data, which a throwaway server never holds); ``durable=True`` keeps PostgreSQL's defaults,
    as a real server runs, for benchmarks. Yields ``(admin_conninfo, url_of)``, ``url_of(dbname)`` giving a database's URL; the
    server and its data are removed on exit. Runs it as the ``postgres`` user when root.
    """
    root = tempfile.mkdtemp(prefix="sk_hpo_pg_")
    as_user = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = os.path.join(root, "data"), os.path.join(root, "log")
    pwfile = os.path.join(root, "pw")
    with open(pwfile, "w") as f:
        f.write(PG_PASSWORD)
    if as_user:
        shutil.chown(pwfile, "postgres", "postgres")
    port = _free_port()

    def run(*cmd):
        result = subprocess.run([*as_user, *cmd], capture_output=True, text=True, cwd=root)
        assert result.returncode == 0, f"{cmd[0]} failed: {result.stdout}{result.stderr}"

    try:
        run(os.path.join(bindir, "initdb"), "-D", data, "-U", "postgres", "--pwfile", pwfile,
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(os.path.join(bindir, "pg_ctl"), "-D", data, "-l", log, "-o", options, "-w", "start")
        admin = f"host=127.0.0.1 port={port} user=postgres password={PG_PASSWORD} dbname=postgres"
        yield admin, lambda db: f"postgresql://postgres:{PG_PASSWORD}@127.0.0.1:{port}/{db}"
    finally:
        subprocess.run([*as_user, os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate",
                        "-w", "stop"], capture_output=True, cwd=root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_server():
    """A PostgreSQL server of its own on a free loopback port, for the whole session.

    Yields ``(admin_conninfo, url_of(dbname))``. Skips when no server binaries exist,
    except under ``CI=true``, where it fails (CI installs them: ``.ci/run``).
    """
    bindir = postgres_bindir()
    if bindir is None:
        reason = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install the "
                  "'postgresql' package to run the PostgreSQL storage tests")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: these tests must run)")
        pytest.skip(reason)
    pytest.importorskip("psycopg", reason='psycopg 3 missing: pip install "sk-hpo[postgres]"')
    import psycopg

    from sk_hpo.storages import PostgreSQLStorage

    with postgres_server(bindir) as (admin, url_of):
        # A template with sk_hpo's schema: a test's database is a quick copy of it.
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE sk_hpo_template")
            if conn.info.server_version >= 150000:  # a plain file copy: quicker when small
                _COPY_TEMPLATE[0] += " STRATEGY FILE_COPY"
        PostgreSQLStorage(url_of("sk_hpo_template")).close()
        yield admin, url_of


_DB_NUMBERS = itertools.count()
_COPY_TEMPLATE = ["TEMPLATE sk_hpo_template"]


@pytest.fixture
def postgresql_url(postgresql_server):
    """The URL of a new database, with sk_hpo's schema and no study, on the session's
    PostgreSQL server."""
    import psycopg

    admin, url_of = postgresql_server
    name = f"t{os.getpid()}_{next(_DB_NUMBERS)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} {_COPY_TEMPLATE[0]}")
    yield url_of(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def make_storage(kind, request, tmp_path, **options):
    """A storage of ``kind`` ('memory', 'sqlite' or 'postgresql') for a parametrized test."""
    from sk_hpo.storages import InMemoryStorage, PostgreSQLStorage, SQLiteStorage

    if kind == "memory":
        return InMemoryStorage()
    if kind == "sqlite":
        return SQLiteStorage(f"sqlite:///{tmp_path}/s.db", **options)
    return PostgreSQLStorage(request.getfixturevalue("postgresql_url"), **options)
