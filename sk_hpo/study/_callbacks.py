"""Callbacks for :meth:`Study.optimize`."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from sk_hpo._validation import check_param, int_range
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study._study import Study

__all__ = ["MaxTrialsCallback"]


class MaxTrialsCallback:
    """Stop ``optimize`` once the study holds ``n_trials`` trials in ``states``.

    ``optimize(n_trials=...)`` counts the trials of one call in one process; this callback
    counts the trials of the whole study, so several processes sharing a study stop
    together at a total budget, and a resumed study stops where the budget says.

    Parameters
    ----------
    n_trials : int
        The budget of trials in ``states``.
    states : container of TrialState or None, default=(TrialState.COMPLETE,)
        The states counted; None counts every trial (running ones included).

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.study import MaxTrialsCallback
    >>> study = sk_hpo.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=100,
    ...                callbacks=[MaxTrialsCallback(5)])
    >>> len(study.trials)
    5
    """

    def __init__(
        self,
        n_trials: int,
        states: Container[TrialState] | None = (TrialState.COMPLETE,),
    ) -> None:
        check_param("MaxTrialsCallback", "n_trials", n_trials, [int_range(1)])
        self.n_trials = int(n_trials)
        self.states = states

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if len(study.get_trials(deepcopy=False, states=self.states)) >= self.n_trials:
            study.stop()

    def __repr__(self) -> str:
        return f"MaxTrialsCallback(n_trials={self.n_trials}, states={self.states!r})"
