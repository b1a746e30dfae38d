"""A per-process cache of finished trials, shared by the SQL storages.

A finished trial never changes again, so a storage fetches it once: later reads of the study
fetch only the trials the cache does not hold (unfinished ones and new ones). The cache keys
each study by its start stamp, so a study deleted and re-created under the same id by another
process is never mixed with the old one.
"""

from __future__ import annotations

import threading

from sk_hpo.trial._frozen import FrozenTrial

__all__ = ["FinishedTrialCache"]


class FinishedTrialCache:
    """Finished trials by study, for one process (thread-safe).

    Examples
    --------
    >>> cache = FinishedTrialCache()
    >>> cache.known_ids(0, stamp=1.0)
    []
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._studies: dict[int, tuple[float, dict[int, FrozenTrial]]] = {}

    def known_ids(self, study_id: int, stamp: float) -> list[int]:
        """Ids of the cached (finished) trials of the study started at ``stamp``."""
        with self._lock:
            cached_stamp, trials = self._studies.get(study_id, (None, {}))
            return sorted(trials) if cached_stamp == stamp else []

    def merge(self, study_id: int, stamp: float, fresh: list[FrozenTrial]) -> list[FrozenTrial]:
        """Cache the finished ones of ``fresh``; return all trials of the study by number."""
        with self._lock:
            if self._studies.get(study_id, (None,))[0] != stamp:
                self._studies[study_id] = (stamp, {})
            cache = self._studies[study_id][1]
            for t in fresh:
                if t.state.is_finished():
                    cache[t._trial_id] = t
            by_number = {t.number: t for t in cache.values()}
        by_number.update({t.number: t for t in fresh})
        return [by_number[n] for n in sorted(by_number)]

    def add(self, study_id: int, stamp: float, trial: FrozenTrial) -> None:
        """Cache ``trial``, just finished, of the study started at ``stamp``."""
        with self._lock:
            if self._studies.get(study_id, (None,))[0] != stamp:
                self._studies[study_id] = (stamp, {})
            self._studies[study_id][1][trial._trial_id] = trial

    def find(self, trial_id: int) -> FrozenTrial | None:
        """The cached trial of id ``trial_id`` (ids are never reused), or None."""
        with self._lock:
            for _, trials in self._studies.values():
                trial = trials.get(trial_id)
                if trial is not None:
                    return trial
        return None

    def clear(self) -> None:
        with self._lock:
            self._studies.clear()
