"""SQLite-specific behaviour: URLs, schema, persistence."""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import pytest

import sk_hpo
from sk_hpo._direction import StudyDirection
from sk_hpo.exceptions import DuplicatedStudyError, StorageInternalError, StudyNotFoundError
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import SQLiteStorage, get_storage
from sk_hpo.storages._sqlite import SCHEMA_VERSION
from sk_hpo.trial._state import TrialState


@pytest.mark.parametrize(
    "url, match",
    [
        ("sqlite://x.db", "sqlite:////absolute"),
        ("sqlite:///", "sqlite:////absolute"),
        ("x.db", "sqlite:////absolute"),
        ("postgresql://u:s3cret@host/db", r"'postgresql://u:\*\*\*@host/db' is a PostgreSQL "
         "URL; open it with PostgreSQLStorage"),
        ("sqlite:///a.db?timeout=5", r"query options \('timeout=5'\).*SQLiteStorage\("
         "'sqlite:///a.db', timeout="),
        ("sqlite:///:memory:", "use storage=None"),
    ],
)
def test_bad_url(url, match):
    with pytest.raises(ValueError, match=match):
        SQLiteStorage(url)


@pytest.mark.parametrize(
    "url, match",
    [
        ("mysql://u:s3cret@h/db", r"'mysql://u:\*\*\*@h/db' is not supported; use "
         "'sqlite:///relative/path.db'.*'postgresql://user:password@host:port/database'"),
    ],
)
def test_get_storage_names_unsupported_url(url, match):
    with pytest.raises(ValueError, match=match):
        get_storage(url)


def test_missing_directory_or_directory_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"directory '.*nope' of storage URL .* create it"):
        SQLiteStorage(f"sqlite:///{tmp_path}/nope/s.db")
    assert not (tmp_path / "nope").exists()
    with pytest.raises(ValueError, match="names a directory, not a database file"):
        SQLiteStorage(f"sqlite:///{tmp_path}")


def test_relative_and_absolute_urls_name_one_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = SQLiteStorage("sqlite:///rel.db")
    assert not (tmp_path / "rel.db").exists()  # opening never creates a file; writing does
    relative.create_new_study("a", StudyDirection.MINIMIZE)
    assert (tmp_path / "rel.db").exists()
    absolute = SQLiteStorage(f"sqlite:///{tmp_path}/rel.db")  # sqlite:////tmp/.../rel.db
    assert absolute.url.startswith("sqlite:////")
    assert [s.study_name for s in absolute.get_all_studies()] == ["a"]
    # Later connections (a new thread, an unpickled copy) reach the same file from elsewhere.
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    names: list = []
    thread = threading.Thread(target=lambda: names.extend(sk_hpo.get_all_study_names(relative)))
    thread.start()
    thread.join()
    assert names == ["a"]
    assert sk_hpo.get_all_study_names(pickle.loads(pickle.dumps(relative))) == ["a"]
    assert not (tmp_path / "elsewhere" / "rel.db").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that bind the user (not root)")
def test_read_only_file_reads_but_refuses_writes(tmp_path):
    url = f"sqlite:///{tmp_path}/ro.db"
    writer = SQLiteStorage(url)  # used by this thread only: closing it closes the file
    sid = writer.create_new_study("s", StudyDirection.MINIMIZE)
    writer.set_trial_state_values(writer.create_new_trial(sid), TrialState.COMPLETE, 1.0)
    writer.close()
    os.chmod(tmp_path / "ro.db", stat.S_IRUSR)
    storage = SQLiteStorage(url)
    loaded = sk_hpo.load_study(storage=storage, study_name="s", sampler=RandomSampler(seed=0),
                               pruner=NopPruner())
    assert loaded.best_value == 1.0
    with pytest.raises(PermissionError, match=r"ro.db' of storage URL .* is read-only; make it"):
        storage.create_new_study("t", StudyDirection.MINIMIZE)


def test_study_recreated_by_another_process_gets_a_new_id(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    mine, theirs = SQLiteStorage(url), SQLiteStorage(url)
    sid = mine.create_new_study("a", StudyDirection.MINIMIZE)
    mine.set_trial_state_values(mine.create_new_trial(sid), TrialState.COMPLETE, 1.0)
    assert len(mine.get_all_trials(sid)) == 1  # now cached
    theirs.delete_study(sid)
    new = theirs.create_new_study("a", StudyDirection.MINIMIZE)
    assert new != sid  # ids are never reused: an old handle cannot write into the new study
    with pytest.raises(StudyNotFoundError, match="deleted, perhaps by another process"):
        mine.create_new_trial(sid)
    with pytest.raises(StudyNotFoundError, match="open it again with sk_hpo.load_study"):
        mine.get_all_trials(sid)
    assert theirs.get_all_trials(new) == []


def test_study_object_of_a_deleted_study_refuses_to_optimize(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    study = sk_hpo.create_study(storage=SQLiteStorage(url), study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    theirs = SQLiteStorage(url)
    sk_hpo.delete_study(study_name="s", storage=theirs)
    fresh = sk_hpo.create_study(storage=theirs, study_name="s")
    with pytest.raises(StudyNotFoundError, match="deleted"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert fresh.trials == []


def test_schema_version_and_foreign_file(tmp_path):
    SQLiteStorage(f"sqlite:///{tmp_path}/a.db").create_new_study("s", StudyDirection.MINIMIZE)
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    conn.execute("UPDATE schema_version SET version=99")
    conn.commit()
    with pytest.raises(ValueError, match="schema version 99, newer than this sk_hpo reads "
                       r"\(version 2\).*upgrade sk_hpo"):
        SQLiteStorage(f"sqlite:///{tmp_path}/a.db")
    other = sqlite3.connect(tmp_path / "b.db")
    other.execute("CREATE TABLE foo (x)")
    other.commit()
    with pytest.raises(ValueError, match="not created by sk_hpo"):
        SQLiteStorage(f"sqlite:///{tmp_path}/b.db")
    (tmp_path / "c.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StorageInternalError, match=r"c.db' .* is not an SQLite database"):
        SQLiteStorage(f"sqlite:///{tmp_path}/c.db")


def test_persistence_and_study_api(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    assert isinstance(get_storage(url), SQLiteStorage)
    study = sk_hpo.create_study(
        storage=url, study_name="s", sampler=RandomSampler(seed=0), pruner=NopPruner()
    )
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    with pytest.raises(DuplicatedStudyError, match="load_if_exists"):
        sk_hpo.create_study(storage=url, study_name="s")
    again = sk_hpo.create_study(
        storage=url, study_name="s", load_if_exists=True,
        sampler=RandomSampler(seed=1), pruner=NopPruner(),
    )
    again.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    loaded = sk_hpo.load_study(storage=SQLiteStorage(url), study_name="s",
                               sampler=RandomSampler(seed=2), pruner=NopPruner())
    assert [t.number for t in loaded.trials] == list(range(7))
    assert loaded.best_value == min(t.value for t in study.trials + again.trials)


_ASKER = """
import sys, sk_hpo
study = sk_hpo.create_study(storage=sys.argv[1], study_name="s")
study.ask().suggest_float("x", 0, 1)
"""


def test_a_trial_from_ask_is_told_by_another_process_however_late(tmp_path, run_workers):
    # Optuna's ask-here, tell-there pattern: a bare ask() trial has no heartbeat, so another
    # process's stale check never fails it (trials run by optimize do have heartbeats).
    url = f"sqlite:///{tmp_path / 'a.db'}"
    run_workers(_ASKER, url, n=1)  # asks trial 0, then exits without telling it
    teller = sk_hpo.load_study(
        study_name="s", storage=SQLiteStorage(url, heartbeat_interval=0.05, grace_period=0.1)
    )
    time.sleep(0.3)
    teller.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)  # runs the stale check
    assert teller.tell(0, 0.5).state == TrialState.COMPLETE
    assert [t.state for t in teller.trials] == [TrialState.COMPLETE] * 2


# The schema of sk_hpo 0.1 (version 1), as it created it.
_V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE studies (
    study_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
    direction INTEGER NOT NULL, user_attrs TEXT NOT NULL DEFAULT '{}',
    system_attrs TEXT NOT NULL DEFAULT '{}', datetime_start REAL NOT NULL);
CREATE TABLE trials (
    trial_id INTEGER PRIMARY KEY AUTOINCREMENT, study_id INTEGER NOT NULL,
    number INTEGER NOT NULL, state INTEGER NOT NULL, value REAL, datetime_start REAL,
    datetime_complete REAL, heartbeat REAL, user_attrs TEXT NOT NULL DEFAULT '{}',
    system_attrs TEXT NOT NULL DEFAULT '{}', UNIQUE(study_id, number));
CREATE INDEX trials_state ON trials (study_id, state);
CREATE TABLE params (
    trial_id INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL,
    distribution TEXT NOT NULL, PRIMARY KEY (trial_id, name));
CREATE TABLE intermediate_values (
    trial_id INTEGER NOT NULL, step INTEGER NOT NULL, value REAL,
    PRIMARY KEY (trial_id, step));
CREATE TABLE claims (
    study_id INTEGER NOT NULL, key TEXT NOT NULL, trial_id INTEGER NOT NULL,
    UNIQUE(study_id, key));
INSERT INTO schema_version VALUES (1);
INSERT INTO studies VALUES (1, 'old', 'maximize', '{"u": 1}', '{}', 1700000000.0);
INSERT INTO trials VALUES (1, 1, 0, 1, 0.75, 1700000001.0, 1700000002.0, NULL, '{}', '{}');
INSERT INTO trials VALUES (2, 1, 1, 0, NULL, 1700000003.0, NULL, 1700000003.0, '{}', '{}');
INSERT INTO params VALUES (1, 'x', 0.5,
    '{"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0, "log": false, "step": null}}');
INSERT INTO intermediate_values VALUES (1, 0, 0.5);
INSERT INTO claims VALUES (1, 'k', 2);
"""


def make_v1_database(path):
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript(_V1_SCHEMA)
        conn.execute("PRAGMA journal_mode=WAL")
    return f"sqlite:///{path}"


def test_a_version_1_database_is_refused_until_upgraded_then_reads_the_same(tmp_path, capsys):
    from sk_hpo import cli

    url = make_v1_database(tmp_path / "old.db")
    before = (tmp_path / "old.db").read_bytes()
    with pytest.raises(ValueError, match=r"old.db' has schema version 1, older than this "
                       r"sk_hpo's version 2; migrate it once with `sk-hpo storage upgrade "
                       "sqlite:///.*old.db`"):
        SQLiteStorage(url)
    assert (tmp_path / "old.db").read_bytes() == before  # refusing changed nothing
    assert cli.main(["studies", url]) == 2
    assert "sk-hpo storage upgrade" in capsys.readouterr().err

    assert cli.main(["storage", "upgrade", url]) == 0
    assert "from schema version 1 to 2" in capsys.readouterr().out
    assert cli.main(["storage", "upgrade", url]) == 0
    assert "up to date (schema version 2)" in capsys.readouterr().out

    storage = SQLiteStorage(url)
    sid = storage.get_study_id_from_name("old")
    assert storage.get_study_directions(sid) == [StudyDirection.MAXIMIZE]
    done, running = storage.get_all_trials(sid)
    assert (done.values, done.value, done.params, done.intermediate_values) == (
        [0.75], 0.75, {"x": 0.5}, {0: 0.5})
    assert running.state == TrialState.RUNNING and storage.get_claimed_keys(sid) == {"k"}
    # Its heartbeat (from 2023) is older than the grace version 1 used: stale, failed once.
    assert storage.get_stale_trial_numbers(sid) == [1]
    assert storage.fail_stale_trials(sid) == [1]
    assert storage.get_claimed_keys(sid) == set()
    study = sk_hpo.load_study(study_name="old", storage=storage, sampler=RandomSampler(0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert study.best_value == 0.75 and len(study.trials) == 4


def test_an_upgrade_that_fails_changes_nothing(tmp_path, monkeypatch):
    from sk_hpo.storages import _schema, upgrade_storage

    url = make_v1_database(tmp_path / "old.db")
    broken = {1: _schema._MIGRATIONS[1] + ["THIS IS NOT SQL"]}
    monkeypatch.setattr(_schema, "_MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        upgrade_storage(url)
    with contextlib.closing(sqlite3.connect(tmp_path / "old.db")) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
        columns = [r[1] for r in conn.execute("PRAGMA table_info(trials)")]
    assert "grace" not in columns  # the ALTERs were rolled back with the rest


def test_reading_never_creates_or_changes_a_file(tmp_path, capsys):
    from sk_hpo import cli

    missing = f"sqlite:///{tmp_path}/missing.db"
    with pytest.raises(StudyNotFoundError, match=r"missing.db' does not exist; check the "
                       "storage URL"):
        sk_hpo.load_study(study_name="s", storage=missing)
    assert sk_hpo.get_all_study_names(missing) == []
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "empty.db").touch()
    with pytest.raises(StudyNotFoundError, match=r"empty.db' is empty \(0 bytes\)"):
        sk_hpo.load_study(study_name="s", storage=f"sqlite:///{tmp_path}/empty.db")
    assert cli.main(["studies", f"sqlite:///{tmp_path}/empty.db"]) == 2
    err = capsys.readouterr().err
    assert "is empty (0 bytes)" in err and "Traceback" not in err
    assert (tmp_path / "empty.db").stat().st_size == 0
    # A 0-byte file may still be written to (a temp file made for a new study).
    sk_hpo.create_study(study_name="s", storage=f"sqlite:///{tmp_path}/empty.db")
    assert (tmp_path / "empty.db").stat().st_size > 0


def make_database_in_a_process(url, n_trials):
    """A study 's' of ``n_trials`` in ``url``, written by a process that has exited (so no
    connection is left open), then moved out of WAL mode: every page is in the file."""
    script = (
        "import sys, sk_hpo; s = sk_hpo.create_study(study_name='s', storage=sys.argv[1]); "
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=int(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", script, url, str(n_trials)], check=True)
    with contextlib.closing(sqlite3.connect(url[len("sqlite:///"):])) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


def test_a_read_only_file_not_in_wal_mode_is_readable(tmp_path):
    url = f"sqlite:///{tmp_path}/ro.db"
    make_database_in_a_process(url, n_trials=2)
    before = (tmp_path / "ro.db").read_bytes()
    os.chmod(tmp_path / "ro.db", stat.S_IRUSR)
    try:
        loaded = sk_hpo.load_study(study_name="s", storage=f"sqlite:///{tmp_path}/ro.db")
        assert len(loaded.trials) == 2
    finally:
        os.chmod(tmp_path / "ro.db", stat.S_IRUSR | stat.S_IWUSR)
    assert (tmp_path / "ro.db").read_bytes() == before


def test_garbage_over_a_data_page_is_a_clear_error(tmp_path, capsys):
    from sk_hpo import cli

    url = f"sqlite:///{tmp_path}/bad.db"
    make_database_in_a_process(url, n_trials=30)
    data = bytearray((tmp_path / "bad.db").read_bytes())
    page = 4096
    data[page:] = b"\xde\xad\xbe\xef" * ((len(data) - page) // 4)  # keep the header page
    (tmp_path / "bad.db").write_bytes(bytes(data))
    with pytest.raises(StorageInternalError, match=r"bad.db' of storage URL .* is (damaged|not "
                       r"an SQLite database) \(.*\); restore it from a backup"):
        SQLiteStorage(url).get_all_studies()
    assert cli.main(["studies", url]) == 2
    err = capsys.readouterr().err
    assert "bad.db" in err and "restore it from a backup" in err and "Traceback" not in err


def test_a_non_str_url_is_refused_in_the_template():
    with pytest.raises(TypeError, match="'url' parameter of SQLiteStorage must be a str. Got '3'"):
        SQLiteStorage(3)
