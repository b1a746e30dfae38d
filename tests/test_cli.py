import subprocess
import time
import sys

import pytest

import sk_hpo
from sk_hpo import cli
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import InMemoryStorage


def fill(storage):
    """Two studies: 'svc' with 3 trials (best 0.25), 'empty' with none."""
    study = sk_hpo.create_study(
        storage=storage, study_name="svc", sampler=RandomSampler(seed=0), pruner=NopPruner()
    )
    for value in (0.5, 0.25, 0.75):
        trial = study.ask()
        trial.suggest_float("C", 1e-2, 1e2, log=True)
        study.tell(trial, value)
    sk_hpo.create_study(storage=storage, study_name="empty", direction="maximize",
                        sampler=RandomSampler(seed=0), pruner=NopPruner())
    return storage


@pytest.fixture
def memory(monkeypatch):
    """Route any URL to one in-memory storage (the CLI logic without a database file)."""
    storage = fill(InMemoryStorage())
    monkeypatch.setattr(cli, "_open_storage", lambda url: storage)
    return storage


def test_studies_lists_counts_and_best_values(memory, capsys):
    assert cli.main(["studies", "sqlite:///hpo.db"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "DIRECTION", "TRIALS", "STALE", "BEST", "VALUE"]
    assert lines[1].split() == ["svc", "minimize", "3", "-", "0.25"]
    assert lines[2].split() == ["empty", "maximize", "0", "-", "-"]


def test_report_writes_the_file(memory, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert cli.main(["report", "sqlite:///hpo.db", "--study", "svc", "-o", str(out),
                     "--no-plots", "--title", "SVC search"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>SVC search</title>" in page and 'id="trials"' in page
    assert "3 trials" in capsys.readouterr().out


def test_unknown_study_is_a_one_line_error(memory, tmp_path, capsys):
    status = cli.main(["report", "sqlite:///hpo.db", "--study", "nope", "-o",
                       str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("sk-hpo: error: ") and "nope" in err and "Traceback" not in err


def test_ambiguous_study_needs_a_name(memory, tmp_path, capsys):
    assert cli.main(["report", "sqlite:///hpo.db", "-o", str(tmp_path / "r.html")]) == 2
    assert "Pass study_name" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url, match",
    [
        ("mysql://ann:s3cret@host/db", "'storage' URL 'mysql://ann:***@host/db' is not supported"),
        ("sqlite:///no/such/file.db", "no database file at 'no/such/file.db'"),
    ],
)
def test_bad_url(url, match, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["studies", url]) == 2
    assert match in capsys.readouterr().err
    assert not (tmp_path / "no").exists()  # a missing database is not created


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_console_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "sk_hpo.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("sk-hpo ")


def test_sqlite_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    fill("sqlite:///hpo.db")
    assert cli.main(["studies", "sqlite:///hpo.db"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["svc", "minimize", "3", "-", "0.25"]
    assert cli.main(["report", "sqlite:///hpo.db", "--study", "svc", "-o", "r.html"]) == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("<img") >= 5 and "0.25" in page


def test_not_a_database(tmp_path, capsys):
    (tmp_path / "junk.db").write_text("hello")
    assert cli.main(["studies", f"sqlite:///{tmp_path / 'junk.db'}"]) == 2
    err = capsys.readouterr().err
    assert "not an SQLite database" in err and "Traceback" not in err


def test_studies_shows_stale_running_trials_and_changes_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'hpo.db'}"
    # A process that beats every 10 ms with a 50 ms grace, then dies mid-trial.
    storage = sk_hpo.storages.SQLiteStorage(url, heartbeat_interval=0.01, grace_period=0.05)
    sid = storage.create_new_study("dead", ["minimize"])
    storage.create_new_trial(sid, heartbeat=True)
    storage.close()
    time.sleep(0.1)
    before = (tmp_path / "hpo.db").stat().st_mtime_ns
    assert cli.main(["studies", url]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["dead", "minimize", "1", "1", "-"]
    assert (tmp_path / "hpo.db").stat().st_mtime_ns == before  # listed, not failed
    assert sk_hpo.storages.SQLiteStorage(url).get_stale_trial_numbers(sid) == [0]
