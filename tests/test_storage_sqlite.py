"""SQLite-specific behaviour: URLs, schema, persistence."""

from __future__ import annotations

import sqlite3

import pytest

import sk_hpo
from sk_hpo.exceptions import DuplicatedStudyError
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import SQLiteStorage, get_storage
from sk_hpo.storages._sqlite import SCHEMA_VERSION


@pytest.mark.parametrize("url", ["sqlite://x.db", "sqlite:///", "postgres:///x", "x.db"])
def test_bad_url(url):
    with pytest.raises(ValueError, match="sqlite:////absolute"):
        SQLiteStorage(url)


def test_schema_version_and_foreign_file(tmp_path):
    SQLiteStorage(f"sqlite:///{tmp_path}/a.db")
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    conn.execute("UPDATE schema_version SET version=99")
    conn.commit()
    with pytest.raises(ValueError, match="schema version 99"):
        SQLiteStorage(f"sqlite:///{tmp_path}/a.db")
    other = sqlite3.connect(tmp_path / "b.db")
    other.execute("CREATE TABLE foo (x)")
    other.commit()
    with pytest.raises(ValueError, match="not created by sk_hpo"):
        SQLiteStorage(f"sqlite:///{tmp_path}/b.db")
    (tmp_path / "c.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValueError, match="not an SQLite database"):
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
