"""Optuna's ``constraints_func`` sampler argument: constraints computed after a trial."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.trial._constraints import CONSTRAINTS_KEY
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["store_constraints"]


def store_constraints(
    constraints_func: Callable[[FrozenTrial], Sequence[float]],
    study: Study,
    trial: FrozenTrial,
    state: TrialState,
    values: Any,
    owner: str,
) -> None:
    """Evaluate ``constraints_func`` on a COMPLETE or PRUNED trial and store the result.

    The values go to the system attribute ``"constraints"`` (a list: constraints ``"0"``,
    ``"1"``, ... of :attr:`FrozenTrial.constraints`), as Optuna stores them. NaN is refused.
    """
    if state not in (TrialState.COMPLETE, TrialState.PRUNED):
        return
    shown = None if values is None else list(np.atleast_1d(values).astype(float))
    frozen = study._storage.get_trial(trial._trial_id)._replace(state=state, values=shown)
    result = constraints_func(frozen)
    constraints = [float(c) for c in np.atleast_1d(np.asarray(result, dtype=float))]
    if any(np.isnan(constraints)):
        raise ValueError(
            f"The 'constraints_func' of {owner} returned NaN for trial #{trial.number}: "
            f"{result!r}; return finite numbers (<= 0 is feasible)."
        )
    study._storage.set_trial_system_attr(trial._trial_id, CONSTRAINTS_KEY, constraints)
