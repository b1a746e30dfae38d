"""Several processes sharing one SQLite study."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import SQLiteStorage
from sk_hpo.trial._state import TrialState

_WORKER = textwrap.dedent(
    """
    import sys, time
    import sk_hpo
    from sk_hpo.pruners import NopPruner
    from sk_hpo.samplers import RandomSampler
    from sk_hpo.storages import SQLiteStorage
    url, seed, n, sleep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    storage = SQLiteStorage(url, heartbeat_interval=0.2, grace_period=1.0)
    study = sk_hpo.load_study(storage=storage, study_name="s",
                              sampler=RandomSampler(seed=seed), pruner=NopPruner())
    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        time.sleep(sleep)
        return x
    study.optimize(objective, n_trials=n)
    """
)


def _start(url, seed, n, sleep):
    return subprocess.Popen([sys.executable, "-c", _WORKER, url, str(seed), str(n), str(sleep)])


def _create(tmp_path):
    url = f"sqlite:///{tmp_path}/mp.db"
    study = sk_hpo.create_study(storage=url, study_name="s", sampler=RandomSampler(seed=0),
                                pruner=NopPruner())
    return url, study._study_id


def test_four_processes_no_lost_or_duplicated_numbers(tmp_path):
    url, sid = _create(tmp_path)
    procs = [_start(url, seed, 50, 0.0) for seed in range(4)]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    trials = SQLiteStorage(url).get_all_trials(sid)
    assert [t.number for t in trials] == list(range(200))
    assert all(t.state == TrialState.COMPLETE for t in trials)


def test_killed_worker_trial_becomes_fail(tmp_path):
    url, sid = _create(tmp_path)
    victim = _start(url, 1, 1, 30.0)
    storage = SQLiteStorage(url, heartbeat_interval=0.2, grace_period=1.0)
    deadline = time.monotonic() + 15
    while storage.get_n_trials(sid) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    survivor = _start(url, 2, 3, 0.5)  # asks after the grace period and finishes its own trials
    assert survivor.wait(timeout=30) == 0
    time.sleep(1.1)
    storage.fail_stale_trials(sid)
    states = [t.state for t in storage.get_all_trials(sid)]
    assert states[0] == TrialState.FAIL
    assert states[1:] == [TrialState.COMPLETE] * 3
