from __future__ import annotations

import os
import threading
import time

from sk_hpo.storages._base import BaseStorage

__all__ = ["HeartbeatThread"]


class HeartbeatThread:
    """Beats, every ``storage.heartbeat_interval`` seconds, for the trials this process runs.

    One daemon thread per study object, started with its first trial. It beats once per
    interval (never more often: a trial ending and the next one starting wake nobody), and
    exits at a beat time that finds no trial running, so that back-to-back trials share one
    thread (and its storage connection). Does nothing for storages without heartbeats. The
    first beat comes one interval after :meth:`add`: a storage stamps a trial's heartbeat
    when the trial starts.
    """

    def __init__(self, storage: BaseStorage) -> None:
        self._storage = storage
        self._trial_ids: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def add(self, trial_id: int) -> None:
        if self._storage.heartbeat_interval is None:
            return
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's thread is not here
                self._pid, self._thread = os.getpid(), None
            self._trial_ids.add(trial_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sk_hpo-heartbeat", daemon=True
                )
                self._thread.start()

    def discard(self, trial_id: int) -> None:
        with self._lock:
            self._trial_ids.discard(trial_id)

    def _run(self) -> None:
        interval = self._storage.heartbeat_interval
        assert interval is not None
        while True:
            time.sleep(interval)
            with self._lock:
                if not self._trial_ids:
                    self._thread = None
                    return
                ids = list(self._trial_ids)
            try:
                self._storage.record_heartbeat(ids)
            except Exception:  # a transient storage error must not stop the beat
                continue
