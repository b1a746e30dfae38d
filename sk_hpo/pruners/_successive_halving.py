from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from sk_hpo._direction import StudyDirection
from sk_hpo._validation import check_param, int_range, options
from sk_hpo.pruners._base import BasePruner
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["SuccessiveHalvingPruner"]

_PRUNED_KEY = "pruned_at_rung"


class SuccessiveHalvingPruner(BasePruner):
    """Asynchronous successive halving (ASHA).

    A trial that reported at step ``s`` has used ``s + 1`` units of resource (epochs, folds).
    Rung ``k`` is reached at ``min_resource * reduction_factor ** (min_early_stopping_rate + k)``
    units. On reaching a rung, the trial's value there is recorded in its system attributes
    (``"completed_rung_<k>"``, in the storage) and the trial continues only when it is in
    the top ``1 / reduction_factor`` of all trials that reached that rung so far (RUNNING,
    COMPLETE and PRUNED alike). The first trial at a rung always continues. A pruning
    decision is recorded too (``"pruned_at_rung"``), so asking again gives the same answer.
    Since the rungs live in the storage, several processes sharing a study prune
    consistently.

    Parameters
    ----------
    min_resource : int or "auto", default=1
        Resource units before the first rung. ``"auto"`` (Optuna's default) takes 1% of the
        most steps a COMPLETE trial reported (at least 1), and prunes nothing before a trial
        is COMPLETE.
    reduction_factor : int, default=4
        ``eta``: a rung keeps the best ``1 / eta`` of the trials.
    min_early_stopping_rate : int, default=0
        Shifts every rung by ``eta ** min_early_stopping_rate``.
    bootstrap_count : int, default=0
        A rung promotes nobody until more than this many trials reached it. Needs an int
        ``min_resource``.

    Notes
    -----
    A trial whose value at a rung is NaN is pruned there and that NaN is not recorded, so
    rungs only ever hold numbers. NaN values reported between rungs are never looked at.
    Ties with the rung's threshold are promoted.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(pruner=SuccessiveHalvingPruner(reduction_factor=2))
    >>> first = study.ask()
    >>> first.report(0.1, step=0)
    >>> first.should_prune()  # the first trial at a rung always goes on
    False
    >>> second = study.ask()
    >>> second.report(0.9, step=0)
    >>> second.should_prune()
    True
    """

    def __init__(
        self,
        min_resource: int = 1,
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        owner = "SuccessiveHalvingPruner"
        self.min_resource = check_param(
            owner, "min_resource", min_resource, [int_range(1), options("auto")]
        )
        self.reduction_factor = check_param(
            owner, "reduction_factor", reduction_factor, [int_range(2)]
        )
        self.min_early_stopping_rate = check_param(
            owner, "min_early_stopping_rate", min_early_stopping_rate, [int_range(0)]
        )
        self.bootstrap_count = check_param(
            owner, "bootstrap_count", bootstrap_count, [int_range(0)]
        )
        if self.bootstrap_count > 0 and self.min_resource == "auto":
            raise ValueError(
                f"SuccessiveHalvingPruner cannot use bootstrap_count={bootstrap_count!r} with "
                "min_resource='auto' (the rungs are unknown until a trial completes); give "
                "min_resource an int."
            )
        self._prefix = ""

    def _rung_key(self, rung: int) -> str:
        return f"{self._prefix}completed_rung_{rung}"

    def rung_resource(self, rung: int, min_resource: int | None = None) -> int:
        """Resource units (``step + 1``) at which rung ``rung`` is reached."""
        if min_resource is None:
            min_resource = self.min_resource
        return min_resource * self.reduction_factor ** (self.min_early_stopping_rate + rung)

    def _min_resource(self, study: Study) -> int | None:
        """``min_resource``, estimated from the COMPLETE trials when ``"auto"``."""
        if self.min_resource != "auto":
            return self.min_resource
        steps = [
            t.last_step
            for t in study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.last_step is not None
        ]
        return max((max(steps) + 1) // 100, 1) if steps else None

    def decision_steps(self, n_steps: int) -> frozenset[int]:
        """The rungs' steps, ``rung_resource(k) - 1``, below ``n_steps``.

        Examples
        --------
        >>> sorted(SuccessiveHalvingPruner(1, 3).decision_steps(27))
        [0, 2, 8, 26]
        """
        return rung_steps(self.rung_resource, n_steps)

    def halving_rate(self) -> int | None:
        """``reduction_factor``: HPOSearchCV may pause trials at the rungs rather than
        prune them (see :meth:`BasePruner.halving_rate`; ``bootstrap_count`` then plays no
        part). None with ``min_resource="auto"``, whose rungs are not known in advance.

        Examples
        --------
        >>> SuccessiveHalvingPruner(reduction_factor=3).halving_rate()
        3
        """
        return None if self.min_resource == "auto" else self.reduction_factor

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None:
            return False
        if self._prefix + _PRUNED_KEY in trial.system_attrs:
            return True  # the decision at a rung is final, however often it is asked
        min_resource = self._min_resource(study)
        if min_resource is None:
            return False
        value = trial.intermediate_values[step]
        rung = 0
        while self._rung_key(rung) in trial.system_attrs:
            rung += 1
        all_trials: list[FrozenTrial] | None = None
        while step + 1 >= self.rung_resource(rung, min_resource):
            if math.isnan(value):
                return self._pruned(study, trial, rung)
            key = self._rung_key(rung)
            study._storage.set_trial_system_attr(trial._trial_id, key, value)
            if all_trials is None:
                all_trials = study._get_trials(deepcopy=False)
            competing = [
                t.system_attrs[key]
                for t in all_trials
                if key in t.system_attrs and t._trial_id != trial._trial_id
            ]
            competing.append(value)
            maximize = study.direction == StudyDirection.MAXIMIZE
            if len(competing) <= self.bootstrap_count or not _promotable(
                value, competing, self.reduction_factor, maximize
            ):
                return self._pruned(study, trial, rung)
            rung += 1
        return False

    def _pruned(self, study: Study, trial: FrozenTrial, rung: int) -> bool:
        study._storage.set_trial_system_attr(trial._trial_id, self._prefix + _PRUNED_KEY, rung)
        return True

    def __repr__(self) -> str:
        return (
            f"SuccessiveHalvingPruner(min_resource={self.min_resource!r}, "
            f"reduction_factor={self.reduction_factor}, "
            f"min_early_stopping_rate={self.min_early_stopping_rate}, "
            f"bootstrap_count={self.bootstrap_count})"
        )


def rung_steps(rung_resource: Callable[[int], int], n_steps: int) -> frozenset[int]:
    """Steps ``rung_resource(k) - 1`` of the rungs ``k = 0, 1, ...`` below ``n_steps``."""
    steps, rung = set(), 0
    while (resource := rung_resource(rung)) <= n_steps:
        steps.add(resource - 1)
        rung += 1
    return frozenset(steps)


def _promotable(value: float, competing: list[float], eta: int, maximize: bool) -> bool:
    """Whether ``value`` is in the top ``max(n // eta, 1)`` of the ``n`` ``competing`` values.

    ``competing`` includes ``value``; none is NaN (a NaN at a rung is never recorded).
    """
    ranked = sorted(competing, reverse=maximize)
    threshold = ranked[max(len(ranked) // eta, 1) - 1]
    return value >= threshold if maximize else value <= threshold
