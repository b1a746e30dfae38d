"""PostgreSQL-specific behaviour: connection errors, dropped connections, masking, schema.

Runs against the throwaway server of ``tests/conftest.py`` (skipped without PostgreSQL server
binaries, except under CI=true).
"""

from __future__ import annotations

import os
import pickle
import sys

import pytest

import sk_hpo
from sk_hpo import cli
from sk_hpo._direction import StudyDirection
from sk_hpo.distributions import FloatDistribution
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import PostgreSQLStorage, get_storage, upgrade_storage
from sk_hpo.trial._state import TrialState
from tests.conftest import PG_PASSWORD, _free_port

psycopg = pytest.importorskip("psycopg")


def with_password(url, password):
    return url.replace(f":{PG_PASSWORD}@", f":{password}@")


def test_url_is_masked_everywhere(postgresql_url, capsys):
    storage = get_storage(postgresql_url)
    assert isinstance(storage, PostgreSQLStorage)
    assert PG_PASSWORD not in repr(storage) and ":***@" in repr(storage)
    sk_hpo.create_study(storage=storage, study_name="s")
    assert cli.main(["studies", postgresql_url]) == 0
    assert cli.main(["storage", "upgrade", postgresql_url]) == 0
    out = capsys.readouterr().out
    assert "up to date (schema version 2)" in out and PG_PASSWORD not in out


def test_unreachable_server_is_a_quick_clear_error():
    port = _free_port()  # nothing listens there
    url = f"postgresql://ann:s3cret@127.0.0.1:{port}/db"
    with pytest.raises(ConnectionError, match=rf"Cannot connect to the PostgreSQL server at "
                       rf"127.0.0.1:{port} \(storage URL 'postgresql://ann:\*\*\*@") as info:
        PostgreSQLStorage(url, connect_timeout=2)
    assert "s3cret" not in str(info.value)


def test_wrong_password_and_missing_database(postgresql_url, capsys):
    bad = with_password(postgresql_url, "wrong-pw")
    with pytest.raises(PermissionError, match=r"refused the credentials .*wrong user or "
                       "password") as info:
        PostgreSQLStorage(bad)
    assert "wrong-pw" not in str(info.value)
    assert cli.main(["studies", bad]) == 2
    err = capsys.readouterr().err
    assert "refused the credentials" in err and "wrong-pw" not in err and "Traceback" not in err
    missing = postgresql_url.rsplit("/", 1)[0] + "/no_such_db"
    with pytest.raises(LookupError, match="does not exist on the PostgreSQL server at "
                       r"127.0.0.1:\d+; create it first"):
        PostgreSQLStorage(missing)


def test_missing_driver_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ImportError, match=r'pip install "sk-hpo\[postgres\]"'):
        PostgreSQLStorage("postgresql://u:p@127.0.0.1:1/db")


def test_newer_schema_is_refused(postgresql_url):
    storage = PostgreSQLStorage(postgresql_url)
    storage._write(lambda tx: tx.execute("UPDATE schema_version SET version = 99"))
    with pytest.raises(ValueError, match=r"schema version 99, newer than this sk_hpo reads "
                       r"\(version 2\).*upgrade sk_hpo") as info:
        PostgreSQLStorage(postgresql_url)
    assert PG_PASSWORD not in str(info.value)
    with pytest.raises(ValueError, match="newer than this sk_hpo"):
        upgrade_storage(postgresql_url)


def _terminate_others(url):
    """Kill every other session on the database (a server restart, a network cut)."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def test_a_dropped_connection_is_opened_again(postgresql_url):
    storage = PostgreSQLStorage(postgresql_url)
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    first = storage._create_new_trial(sid)
    _terminate_others(postgresql_url)
    second = storage._create_new_trial(sid)
    storage.set_trial_state_values(second._trial_id, TrialState.COMPLETE, [1.0])
    _terminate_others(postgresql_url)
    assert [t.number for t in storage.get_all_trials(sid)] == [first.number, 1]


class _LosesAReply:
    """A connection that loses the reply of the first statement starting with ``prefix``: the
    statement succeeds, then the connection drops; the caller cannot tell whether its write
    happened (a COMMIT of a transaction, or a statement committed on its own)."""

    def __init__(self, conn, prefix):
        self._conn, self._prefix = conn, prefix

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, sql, *args):
        result = self._conn.execute(sql, *args)
        if self._prefix is not None and sql.startswith(self._prefix):
            self._prefix = None
            self._conn.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return result


@pytest.mark.parametrize("operation, prefix", [
    ("create_trial", "INSERT INTO trials"), ("tell", "UPDATE trials t SET state"),
    ("claim", "COMMIT"), ("create_study", "COMMIT"), ("param", "INSERT INTO params"),
    ("report", "INSERT INTO intermediate_values"), ("attr", "UPDATE trials SET system_attrs"),
])
def test_a_write_whose_reply_was_lost_is_retried_without_duplicate(postgresql_url, operation,
                                                                   prefix):
    storage = PostgreSQLStorage(postgresql_url)
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    tid = storage.create_new_trial(sid)
    storage._local.conn = lossy = _LosesAReply(storage._local.conn, prefix)
    if operation == "create_trial":
        assert storage.get_trial_number_from_id(storage.create_new_trial(sid)) == 1
        assert [t.number for t in storage.get_all_trials(sid)] == [0, 1]
    elif operation == "tell":
        assert storage.set_trial_state_values(tid, TrialState.COMPLETE, [0.5])
        assert storage.get_trial(tid).values == [0.5]
    elif operation == "claim":
        assert storage.claim_trial_key(sid, tid, "k")
        assert storage.get_claimed_keys(sid) == {"k"}
    elif operation == "create_study":
        other = storage.create_new_study("t", [StudyDirection.MAXIMIZE])
        assert storage.get_study_id_from_name("t") == other
    elif operation == "param":
        storage.set_trial_param(tid, "x", 0.5, FloatDistribution(0, 1))
        assert storage.get_trial(tid).params == {"x": 0.5}
    elif operation == "attr":
        storage.set_trial_system_attr(tid, "k", [1])
        assert storage.get_trial(tid).system_attrs == {"k": [1]}
    else:
        storage.set_trial_intermediate_value(tid, 3, 0.25)
        assert storage.get_trial(tid).intermediate_values == {3: 0.25}
    assert lossy._prefix is None and storage._local.conn is not lossy  # lost, then reopened


def test_a_forked_child_and_its_parent_keep_working(postgresql_url):
    storage = PostgreSQLStorage(postgresql_url)
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    storage.create_new_trial(sid)
    pid = os.fork()
    if pid == 0:  # the child: its own connection, the parent's left alone
        try:
            storage.create_new_trial(sid)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    storage.create_new_trial(sid)  # the parent's connection survived the child's exit
    clone = pickle.loads(pickle.dumps(storage))
    assert [t.number for t in clone.get_all_trials(sid)] == [0, 1, 2]


def test_a_study_runs_end_to_end(postgresql_url):
    study = sk_hpo.create_study(storage=postgresql_url, study_name="e2e",
                                sampler=RandomSampler(seed=0))
    study.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.2) ** 2, n_trials=10)
    loaded = sk_hpo.load_study(study_name="e2e", storage=postgresql_url)
    assert loaded.best_value == study.best_value and len(loaded.trials) == 10


def test_upgrading_a_database_without_schema_says_so(postgresql_server):
    import psycopg as pg

    admin, url_of = postgresql_server
    with pg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bare")
        conn.execute("CREATE DATABASE bare")
    with pytest.raises(ValueError, match="holds no sk_hpo schema .*nothing to upgrade"):
        upgrade_storage(url_of("bare"))


def test_a_trial_reads_back_the_same_in_one_statement(postgresql_url):
    # Params and intermediate values come back as JSON built by the server: their order,
    # float type, NaN and infinity survive; a told trial is served from the finished cache,
    # filled from the tell's RETURNING, equal to what another process reads.
    storage = PostgreSQLStorage(postgresql_url)
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    tid = storage.create_new_trial(sid)
    storage.set_trial_param(tid, "b", 1.0, FloatDistribution(0, 2))
    storage.set_trial_param(tid, "a", 0.1, FloatDistribution(0, 1))
    storage.set_trial_intermediate_value(tid, 2, float("nan"))
    storage.set_trial_intermediate_value(tid, 1, float("inf"))
    running = storage.get_trial(tid)
    assert list(running.params.items()) == [("b", 1.0), ("a", 0.1)]
    assert isinstance(running.params["b"], float)
    steps = running.intermediate_values
    assert list(steps) == [1, 2] and steps[1] == float("inf") and steps[2] != steps[2]
    assert storage.set_trial_state_values(tid, TrialState.COMPLETE, [0.5])
    told = storage.get_trial(tid)
    assert told is storage._cache.find(tid)
    fresh = PostgreSQLStorage(postgresql_url).get_trial(tid)
    for trial in (told, fresh):
        assert trial.state == TrialState.COMPLETE and trial.values == [0.5]
        assert trial.params == {"b": 1.0, "a": 0.1} and trial.number == 0
        assert trial.distributions == running.distributions
    assert told.datetime_complete == fresh.datetime_complete
    assert told.system_attrs == fresh.system_attrs == {}


def test_a_creator_that_loses_the_race_for_a_number_takes_the_next(postgresql_url):
    # Trial numbers are computed in the INSERT, with no lock held across round trips: a
    # creator meeting another's uncommitted trial of the same number waits for it, inserts
    # nothing, and tries again with the next number (no error, no duplicate).
    import threading
    import time

    storage = PostgreSQLStorage(postgresql_url)
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    storage.create_new_trial(sid)
    with psycopg.connect(postgresql_url) as other:  # a transaction, open until commit
        other.execute("INSERT INTO trials (study_id, number, state) VALUES (%s, 1, %s)",
                      (sid, TrialState.RUNNING.value))
        created = []
        thread = threading.Thread(target=lambda: created.append(storage._create_new_trial(sid)))
        thread.start()
        with psycopg.connect(postgresql_url, autocommit=True) as watcher:
            while not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = "
                                      "'Lock' AND datname = current_database()").fetchone():
                assert thread.is_alive()
                time.sleep(0.01)
        other.commit()
        thread.join()
    assert created[0].number == 2
    assert [t.number for t in storage.get_all_trials(sid)] == [0, 1, 2]
    storage.delete_study(sid)
    with pytest.raises(sk_hpo.exceptions.StudyNotFoundError, match=f"study_id={sid}"):
        storage.create_new_trial(sid)


def test_a_trial_attribute_is_added_in_one_statement_and_read_back_the_same(postgresql_url):
    # A new key is appended to the JSON text by one UPDATE; a key set again, a NaN value
    # (refused by the server's JSON) or a finished trial take the locked read-modify-write.
    storage = PostgreSQLStorage(postgresql_url)
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    tid = storage.create_new_trial(sid)
    values = {"w": "host/1/Main'\"{}", "n": None, "big": 1e300, "list": [1, {"a": "b"}],
              "é": "ü"}
    for key, value in values.items():
        storage.set_trial_system_attr(tid, key, value)
    storage.set_trial_system_attr(tid, "w", 2)  # set again: its place is kept
    storage.set_trial_system_attr(tid, "nan", float("nan"))
    storage.set_trial_system_attr(tid, "after_nan", 1.5)
    attrs = PostgreSQLStorage(postgresql_url).get_trial(tid).system_attrs
    assert list(attrs) == [*values, "nan", "after_nan"]
    assert {**attrs, "nan": 0} == {**values, "w": 2, "nan": 0, "after_nan": 1.5}
    assert attrs["nan"] != attrs["nan"] and isinstance(attrs["big"], float)
    storage.set_trial_user_attr(tid, "u", [1])
    storage.set_trial_state_values(tid, TrialState.COMPLETE, [0.0])
    with pytest.raises(sk_hpo.exceptions.UpdateFinishedTrialError, match="already finished"):
        storage.set_trial_user_attr(tid, "v", 1)
    assert PostgreSQLStorage(postgresql_url).get_trial(tid).user_attrs == {"u": [1]}
