"""The heartbeat thread: one beat per interval, one thread for back-to-back trials."""

from __future__ import annotations

import threading
import time

from sk_hpo.storages._heartbeat import HeartbeatThread


class _Storage:
    heartbeat_interval = 3600.0

    def __init__(self):
        self.beats = []

    def record_heartbeat(self, ids):
        self.beats.append(ids)


def test_back_to_back_trials_share_one_thread_and_do_not_beat_early():
    storage = _Storage()
    heart = HeartbeatThread(storage)
    started = threading.active_count()
    threads = set()
    for trial_id in range(50):  # a trial ends, the next one starts
        heart.add(trial_id)
        threads.add(heart._thread)
        heart.discard(trial_id)
        time.sleep(0.002)  # let the thread run if anything woke it
    assert len(threads) == 1 and threading.active_count() <= started + 1
    assert storage.beats == []  # every trial was stamped when it started


def test_no_heartbeat_interval_starts_no_thread():
    storage = _Storage()
    storage.heartbeat_interval = None
    heart = HeartbeatThread(storage)
    heart.add(1)
    assert heart._thread is None
