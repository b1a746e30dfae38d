from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sk_hpo._direction import StudyDirection
from sk_hpo._validation import check_param, int_range, interval
from sk_hpo.pruners._base import BasePruner
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["MedianPruner", "PercentilePruner"]


class PercentilePruner(BasePruner):
    """Prune a trial whose best value so far is worse than a percentile of the others'.

    At step ``s`` the trial's best reported value up to ``s`` is compared with the
    ``percentile``-th best of the values the COMPLETE trials reported at ``s``; the trial is
    pruned when it is strictly worse.

    Parameters
    ----------
    percentile : float
        In ``[0, 100]``: the share of trials considered good. 25 keeps the best quarter.
    n_startup_trials : int, default=5
        No pruning before this many trials are COMPLETE.
    n_warmup_steps : int, default=0
        No pruning before this step.
    interval_steps : int, default=1
        Decide only at steps ``n_warmup_steps + k * interval_steps``. A check whose step was
        not reported is postponed to the next reported step.
    n_min_trials : int, default=1
        No pruning at a step fewer than this many COMPLETE trials reported.

    Notes
    -----
    NaN values: the trial's best value so far ignores its NaN values, and a trial whose
    values up to the step are all NaN is pruned (once a trial is COMPLETE, after the start-up
    trials and the warm-up, at a check step); NaN values of the other trials are left out
    (they count neither for ``n_min_trials`` nor for the percentile).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(pruner=PercentilePruner(25.0, n_startup_trials=1))
    >>> for value in (1.0, 2.0):
    ...     t = study.ask()
    ...     t.report(value, step=0)
    ...     _ = study.tell(t, value)
    >>> t = study.ask()
    >>> t.report(3.0, step=0)
    >>> t.should_prune()
    True
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        owner = type(self).__name__
        self.percentile = float(check_param(owner, "percentile", percentile, [interval(0, 100)]))
        self.n_startup_trials = check_param(
            owner, "n_startup_trials", n_startup_trials, [int_range(0)]
        )
        self.n_warmup_steps = check_param(owner, "n_warmup_steps", n_warmup_steps, [int_range(0)])
        self.interval_steps = check_param(owner, "interval_steps", interval_steps, [int_range(1)])
        self.n_min_trials = check_param(owner, "n_min_trials", n_min_trials, [int_range(1)])

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or not self._is_check_step(trial):
            return False
        completed = study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not completed or len(completed) < self.n_startup_trials:
            return False
        maximize = study.direction == StudyDirection.MAXIMIZE
        own = [v for v in trial.intermediate_values.values() if not math.isnan(v)]
        if not own:
            return True
        best = max(own) if maximize else min(own)
        others = np.array(
            [t.intermediate_values.get(step, math.nan) for t in completed], dtype=float
        )
        others = others[~np.isnan(others)]
        if others.size < self.n_min_trials:
            return False
        if maximize:
            return bool(best < np.percentile(others, 100.0 - self.percentile))
        return bool(best > np.percentile(others, self.percentile))

    def _is_check_step(self, trial: FrozenTrial) -> bool:
        """Whether a check falls in ``(previous reported step, last step]``."""
        step = trial.last_step
        previous = max((s for s in trial.intermediate_values if s < step), default=-1)
        return self._check_index(step) > self._check_index(previous)

    def _check_index(self, step: int) -> int:
        """How many checks happened up to ``step``, minus one (-1 in the warm-up)."""
        if step < self.n_warmup_steps:
            return -1
        return (step - self.n_warmup_steps) // self.interval_steps

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(percentile={self.percentile!r}, "
            f"n_startup_trials={self.n_startup_trials}, n_warmup_steps={self.n_warmup_steps}, "
            f"interval_steps={self.interval_steps}, n_min_trials={self.n_min_trials})"
        )


class MedianPruner(PercentilePruner):
    """Prune a trial whose best value so far is worse than the median of the others'.

    The default pruner of a study: :class:`PercentilePruner` with ``percentile=50``.

    Parameters
    ----------
    n_startup_trials : int, default=5
        No pruning before this many trials are COMPLETE.
    n_warmup_steps : int, default=0
        No pruning before this step.
    interval_steps : int, default=1
        Decide only at steps ``n_warmup_steps + k * interval_steps`` (postponed to the next
        reported step when that step was not reported).
    n_min_trials : int, default=1
        No pruning at a step fewer than this many COMPLETE trials reported.

    Notes
    -----
    NaN values are handled as in :class:`PercentilePruner`.

    Examples
    --------
    >>> MedianPruner(n_startup_trials=5, n_warmup_steps=2)
    MedianPruner(n_startup_trials=5, n_warmup_steps=2, interval_steps=1, n_min_trials=1)
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        super().__init__(
            50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials
        )

    def __repr__(self) -> str:
        return (
            f"MedianPruner(n_startup_trials={self.n_startup_trials}, "
            f"n_warmup_steps={self.n_warmup_steps}, interval_steps={self.interval_steps}, "
            f"n_min_trials={self.n_min_trials})"
        )
