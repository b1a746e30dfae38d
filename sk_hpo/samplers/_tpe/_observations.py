"""What the TPE sampler remembers of a study between asks.

Finished trials never change, so their parameters, ranking keys and search-space
contribution are read once and kept as arrays: an ask then costs numpy work over the
trials, not Python work. Running trials are read afresh at every ask.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from sk_hpo.distributions import BaseDistribution
from sk_hpo.samplers._budgets import rank_key
from sk_hpo.samplers._search_space import SearchSpaceTracker
from sk_hpo.samplers._tpe._constraints import Outcomes
from sk_hpo.samplers._tpe._mass_cache import CellMassCache
from sk_hpo.samplers._tpe.parzen_estimator import ParzenEstimator, SpaceArrays
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["StudyObservations", "same_distribution"]

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


class _Table:
    """Finished trials holding a set of parameters: numbers, values and rank keys."""

    def __init__(self, n_names: int) -> None:
        self.n_read = 0
        self.numbers = np.empty(0)
        self.X = np.empty((0, n_names))
        self.keys = np.empty((0, 3))
        self.trials: list[FrozenTrial] = []


class StudyObservations:
    """Incremental view of one study's trials for the TPE sampler.

    Attributes
    ----------
    tracker : SearchSpaceTracker
        Search space of the finished (COMPLETE and PRUNED) trials.
    pending : dict of int to dict
        The sampler's relative proposals by ``trial_id``, kept until their trial stops
        running: another thread may ask before the trial stores its parameters.
    outcomes : Outcomes
        Objective values and constraint violations of the finished trials.
    """

    def __init__(self) -> None:
        self.tracker = SearchSpaceTracker()
        self.pending: dict[int, dict[str, float]] = {}
        self.outcomes = Outcomes()
        self._finished: list[FrozenTrial] = []
        self._ids: set[int] = set()
        self._tables: dict[tuple[str, ...], _Table] = {}
        self._n_settled = 0  # leading trials that are final (finished or failed) and read
        self._mass_caches: dict[Hashable, tuple[tuple, dict[int, CellMassCache]]] = {}
        # The Parzen estimators of the last ask, by (group, mixture): their kernels'
        # normalisers are kept for the next fit.
        self.estimators: dict[Hashable, ParzenEstimator] = {}

    @property
    def n_finished(self) -> int:
        return len(self._finished)

    def sync(self, trials: Sequence[FrozenTrial]) -> None:
        """Read the finished trials of ``trials`` (all the study's, ordered by number) not
        read yet.

        Trials before the first one that may still change (RUNNING or WAITING) are final
        and read: later syncs scan only from there, so an ask does not pay Python work per
        trial of the study.
        """
        new = []
        settled = True
        for k in range(self._n_settled, len(trials)):
            trial = trials[k]
            if trial.state in _FINISHED:
                if trial._trial_id not in self._ids:
                    self._ids.add(trial._trial_id)
                    new.append(trial)
            elif trial.state != TrialState.FAIL:
                settled = False
            if settled:
                self._n_settled = k + 1
        if new:
            self._finished.extend(new)
            self.tracker.update(new)
            self.outcomes.extend(new)

    def table(self, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(numbers, X, keys)`` of the finished trials holding all of ``names``.

        ``numbers`` is ``(n,)``, ``X`` the ``(n, len(names))`` internal values, ``keys`` the
        ``(n, 3)`` :func:`rank_key` rows, in the order the trials were read.
        """
        key = tuple(names)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = _Table(len(names))
        if table.n_read < len(self._finished):
            new = [
                t
                for t in self._finished[table.n_read :]
                if all(n in t.distributions for n in names)
            ]
            table.n_read = len(self._finished)
            if new:
                table.trials.extend(new)
                table.numbers = np.append(table.numbers, [t.number for t in new])
                rows = [[t.internal_params[n] for n in names] for t in new]
                table.X = np.vstack([table.X, np.array(rows, dtype=float)])
                table.keys = np.vstack([table.keys, np.array([rank_key(t) for t in new])])
        return table.numbers, table.X, table.keys

    def table_trials(self, names: Sequence[str]) -> list[FrozenTrial]:
        """The trials of :meth:`table` ``(names)``, in its row order."""
        return self._tables[tuple(names)].trials

    def mass_caches(self, key: Hashable, space: SpaceArrays) -> dict[int, CellMassCache]:
        """Grid-cell mass caches of the discrete columns of ``space``, by column index, kept
        under ``key`` (e.g. a group and a mixture) while those columns stay the same."""
        disc = np.flatnonzero(~space.is_cat & (space.step > 0))
        signature = tuple(
            (space.low[j], space.high[j], space.step[j], space.is_log[j]) for j in disc
        )
        entry = self._mass_caches.get(key)
        if entry is None or entry[0] != signature:
            caches = {
                int(j): CellMassCache(
                    space.low[j],
                    space.step[j],
                    int(np.round((space.high[j] - space.low[j]) / space.step[j])) + 1,
                )
                for j in disc
            }
            entry = self._mass_caches[key] = (signature, caches)
        return entry[1]

    def reporting(self, trials: Sequence[FrozenTrial], current: FrozenTrial) -> list[FrozenTrial]:
        """The running trials but ``current`` that reported an intermediate value.

        ``trials`` are the study's, as last passed to :meth:`sync`. Such a trial reached a
        step: the sampler ranks it as a trial pruned there would rank
        (:func:`~sk_hpo.samplers._budgets.rank_key`), and no longer as a constant lie.
        """
        return [
            t
            for t in trials[self._n_settled :]
            if t.state == TrialState.RUNNING and t.number != current.number
            and t.intermediate_values
        ]

    def running_configs(
        self,
        trials: Sequence[FrozenTrial],
        current: FrozenTrial,
        search_space: dict[str, BaseDistribution],
    ) -> dict[int, dict[str, float]]:
        """Internal values (within ``search_space``) of the running trials but ``current``,
        by trial number.

        ``trials`` are the study's, as last passed to :meth:`sync`. A trial's stored
        parameters are completed by the sampler's pending proposal for it. Proposals of
        trials that stopped running are forgotten.
        """
        configs = {}
        running_ids = set()
        for t in trials[self._n_settled :]:
            if t.state != TrialState.RUNNING:
                continue
            running_ids.add(t._trial_id)
            if t.number == current.number:
                continue
            config = {
                n: v
                for n, v in t.internal_params.items()
                if n in search_space and same_distribution(t.distributions[n], search_space[n])
            }
            config.update(self.pending.get(t._trial_id, {}))
            configs[t.number] = config
        for trial_id in set(self.pending) - running_ids:
            del self.pending[trial_id]
        return configs


def same_distribution(a: BaseDistribution, b: BaseDistribution) -> bool:
    """``a == b``, answered without serialising when they are the same object."""
    return a is b or a == b
