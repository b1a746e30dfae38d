from __future__ import annotations

import threading

from sk_hpo.storages._base import BaseStorage

__all__ = ["HeartbeatThread"]


class HeartbeatThread:
    """Beats, every ``storage.heartbeat_interval`` seconds, for the trials this process runs.

    One daemon thread per study object, started with its first trial and idle (exited) while
    no trial runs. Does nothing for storages without heartbeats. The first beat comes one
    interval after :meth:`add`: a storage stamps a trial's heartbeat when the trial starts.
    """

    def __init__(self, storage: BaseStorage) -> None:
        self._storage = storage
        self._trial_ids: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, trial_id: int) -> None:
        if self._storage.heartbeat_interval is None:
            return
        with self._lock:
            self._trial_ids.add(trial_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sk_hpo-heartbeat", daemon=True
                )
                self._thread.start()

    def discard(self, trial_id: int) -> None:
        with self._lock:
            self._trial_ids.discard(trial_id)
            if not self._trial_ids:
                self._wake.set()

    def _run(self) -> None:
        interval = self._storage.heartbeat_interval
        assert interval is not None
        while True:
            woken = self._wake.wait(interval)
            with self._lock:
                if not self._trial_ids:
                    self._thread = None
                    return
                self._wake.clear()
                if woken:  # emptied, then given a new trial (stamped when it started): no beat
                    continue
                ids = list(self._trial_ids)
            try:
                self._storage.record_heartbeat(ids)
            except Exception:  # a transient storage error must not stop the beat
                continue
