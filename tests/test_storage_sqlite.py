"""SQLite-specific behaviour: URLs, schema, persistence."""

from __future__ import annotations

import os
import pickle
import sqlite3
import stat
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
    writer.set_trial_state_values(writer.create_new_trial(sid)._trial_id, TrialState.COMPLETE, 1.0)
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
    mine.set_trial_state_values(mine.create_new_trial(sid)._trial_id, TrialState.COMPLETE, 1.0)
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
