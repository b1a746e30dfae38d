"""Several processes sharing one study (SQLite file or PostgreSQL database): no lost or
duplicated work, no stuck database.

Timing rules, so that the tests pass on a loaded 2-core machine and still fail on a bug:
a subprocess gets a generous deadline (its start-up, importing scikit-learn, can take
seconds under load), which costs nothing when it is fast; a test that needs a short grace
period uses it only where no live process can be mistaken for a dead one; waits poll for
the expected state instead of sleeping a fixed time; a subprocess's stderr is shown when
it fails.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import sk_hpo
from sk_hpo._direction import StudyDirection
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import SQLiteStorage
from sk_hpo.trial._state import TrialState
from tests.conftest import make_storage

DEADLINE = 120.0  # seconds a subprocess may take on a loaded machine; never reached when fine

_WORKER = textwrap.dedent(
    """
    import sys, time
    import sk_hpo
    from sk_hpo.pruners import NopPruner
    from sk_hpo.samplers import RandomSampler
    from sk_hpo.storages import PostgreSQLStorage, SQLiteStorage
    url, seed, n, sleep, interval = sys.argv[1:6]
    Storage = PostgreSQLStorage if url.startswith("postgresql") else SQLiteStorage
    interval = float(interval)
    storage = Storage(url, heartbeat_interval=interval, grace_period=8 * interval)
    study = sk_hpo.load_study(storage=storage, study_name="s",
                              sampler=RandomSampler(seed=int(seed)), pruner=NopPruner())
    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        time.sleep(float(sleep))
        return x
    study.optimize(objective, n_trials=int(n))
    """
)

# Imports sk_hpo once, then forks the racing processes (a fork of this single-threaded
# interpreter starts in milliseconds, so the race itself is not diluted by start-up).
_RACE = textwrap.dedent(
    """
    import json, multiprocessing, sys, time
    from sk_hpo.storages import PostgreSQLStorage, SQLiteStorage
    scenario, url, sid, n_procs, rounds = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    SQLiteStorage = PostgreSQLStorage if url.startswith("postgresql") else SQLiteStorage
    GRACE = 0.2

    def stale(barrier, out):
        storage = SQLiteStorage(url, heartbeat_interval=GRACE / 4, grace_period=GRACE)
        for _ in range(rounds):
            barrier.wait()  # new trials have gone stale: all racers go
            out.put(storage.fail_stale_trials(sid))

    def claim(barrier, out):
        storage = SQLiteStorage(url, heartbeat_interval=None)
        trial_id = storage.create_new_trial(sid)
        barrier.wait()
        won = [k for k in map(str, range(rounds)) if storage.claim_trial_key(sid, trial_id, k)]
        out.put([trial_id, won])

    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(n_procs + (scenario == "stale"))  # the main process sets the pace
    out = ctx.Queue()
    procs = [ctx.Process(target=globals()[scenario], args=(barrier, out))
             for _ in range(n_procs)]
    for p in procs:
        p.start()
    if scenario == "stale":
        writer = SQLiteStorage(url, heartbeat_interval=GRACE / 4, grace_period=GRACE)
        for _ in range(rounds):
            for _ in range(3):
                writer.create_new_trial(sid, heartbeat=True)
            time.sleep(1.5 * GRACE)
            barrier.wait()
    n_results = n_procs * (rounds if scenario == "stale" else 1)
    results = [out.get(timeout=60) for _ in range(n_results)]
    for p in procs:
        p.join(60)
    print(json.dumps({"results": results, "exitcodes": [p.exitcode for p in procs]}))
    """
)

# Holds the write lock of the database (raw sqlite3: starts at once) until killed.
_LOCK_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO trials (study_id, number, state) VALUES (?, 999, 1)",
                 (int(sys.argv[2]),))
    print("locked", flush=True)
    time.sleep(60)
    """
)


def _start(url, seed, n, sleep, interval=10.0):
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER, url, str(seed), str(n), str(sleep), str(interval)],
        stderr=subprocess.PIPE, text=True,
    )


def _check_exit(proc):
    _, err = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 0, f"worker exited with {proc.returncode}:\n{err}"


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request, tmp_path):
    """A storage processes can share; processes open it again by its ``url``."""
    return make_storage(request.param, request, tmp_path, heartbeat_interval=0.25,
                        grace_period=2.0)


def _create(storage):
    study = sk_hpo.create_study(storage=storage, study_name="s", sampler=RandomSampler(seed=0),
                                pruner=NopPruner())
    return storage.url, study._study_id


def _race(scenario, url, sid, n_procs, rounds):
    done = subprocess.run(
        [sys.executable, "-c", _RACE, scenario, url, str(sid), str(n_procs), str(rounds)],
        capture_output=True, text=True, timeout=DEADLINE,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["exitcodes"] == [0] * n_procs, done.stderr
    return out["results"]


def _poll(condition, what):
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def test_four_processes_no_lost_or_duplicated_numbers(storage):
    # Default heartbeats (10 s, grace 60 s): a worker stalled by the load is not failed.
    url, sid = _create(storage)
    procs = [_start(url, seed, 30, 0.0) for seed in range(4)]
    for p in procs:
        _check_exit(p)
    trials = storage.get_all_trials(sid)
    assert [t.number for t in trials] == list(range(120))
    assert all(t.state == TrialState.COMPLETE for t in trials)


def test_killed_worker_trial_becomes_fail(storage):
    url, sid = _create(storage)
    victim = _start(url, 1, 1, 3600.0, interval=0.25)
    _poll(lambda: storage.get_n_trials(sid) == 1 or victim.poll() is not None,
          "the victim started its trial")
    assert victim.poll() is None, victim.communicate()[1]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    # The survivor's trial outlasts the grace period (2 s) while this process keeps looking for
    # stale trials: only its heartbeats (every 0.25 s) keep it from being failed.
    survivor = _start(url, 2, 1, 2.5, interval=0.25)

    def survivor_done():
        storage.fail_stale_trials(sid)  # fails the survivor's trial if its heartbeats stop
        return survivor.poll() is not None

    def victim_trial_failed():
        storage.fail_stale_trials(sid)
        return storage.get_all_trials(sid)[0].state == TrialState.FAIL

    _poll(survivor_done, "the survivor finished")
    _check_exit(survivor)
    _poll(victim_trial_failed, "the victim's trial is failed")
    states = [t.state for t in storage.get_all_trials(sid)]
    assert states == [TrialState.FAIL, TrialState.COMPLETE]


def test_processes_failing_the_same_stale_trials_at_once(storage):
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    results = _race("stale", storage.url, sid, n_procs=2, rounds=4)
    failed = sorted(n for numbers in results for n in numbers)
    assert failed == list(range(12))  # each stale trial failed by exactly one process
    trials = storage.get_all_trials(sid)
    assert {t.state for t in trials} == {TrialState.FAIL}
    assert all(t.datetime_complete >= t.datetime_start for t in trials)


def test_claim_raced_by_four_processes_has_one_winner_per_key(storage):
    sid = storage.create_new_study("s", [StudyDirection.MINIMIZE])
    results = _race("claim", storage.url, sid, n_procs=4, rounds=60)
    won = sorted(int(k) for _, keys in results for k in keys)
    assert won == list(range(60))  # every key won, none twice
    owners = dict(storage._read(lambda tx: tx.all("SELECT key, trial_id FROM claims")))
    assert owners == {k: trial_id for trial_id, keys in results for k in keys}


def test_process_killed_holding_the_write_lock_leaves_database_usable(tmp_path):
    url, sid = _create(SQLiteStorage(f"sqlite:///{tmp_path}/mp.db"))
    storage = SQLiteStorage(url, timeout=DEADLINE)
    holder = subprocess.Popen([sys.executable, "-c", _LOCK_HOLDER, str(tmp_path / "mp.db"),
                               str(sid)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "locked\n"
    blocked: list = []  # a writer waiting for the lock meanwhile: it must wait, not fail
    writer = threading.Thread(target=lambda: blocked.append(storage._create_new_trial(sid)))
    writer.start()
    time.sleep(0.2)
    assert writer.is_alive() and not blocked
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    writer.join(DEADLINE)
    assert [t.number for t in blocked] == [0]  # the killed transaction left nothing behind
    study = sk_hpo.load_study(storage=url, study_name="s", sampler=RandomSampler(seed=0),
                              pruner=NopPruner())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert [t.number for t in study.trials] == [0, 1, 2]
    conn = sqlite3.connect(tmp_path / "mp.db")
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
