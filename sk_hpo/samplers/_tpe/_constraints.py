"""Constraints for the TPE sampler: each finished trial's objective values and violation.

A trial is feasible when all its constraint values are <= 0 (Optuna's rule); its violation
is the sum of its positive constraint values. Constraints come from
:meth:`~sk_hpo.trial.Trial.set_constraint` (system attributes ``"constraints:<key>"``) or from
a sampler's ``constraints_func`` (Optuna's older, deprecated way), stored by
:func:`sk_hpo.samplers._constraints_func.store_constraints` after the trial.

Notations
---------
n : number of finished trials read.
m : number of objectives.
values : array of shape (n, m); a COMPLETE trial's values, NaN for a pruned trial.
violation : array of shape (n,); 0 for a feasible trial.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sk_hpo.trial._constraints import violation
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["Outcomes"]


class Outcomes:
    """Objective values and violations of the finished trials, looked up by trial number.

    Finished trials never change, so each is read once (:meth:`extend`); a lookup is array
    indexing. Split results are memoised until the next trials are read (several groups of
    parameters rank the same trials in one ask).

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.trial import create_trial
    >>> study = sk_hpo.create_study(directions=["minimize", "minimize"])
    >>> study.add_trial(create_trial(values=[1.0, 2.0], system_attrs={"constraints:c": 0.5}))
    >>> out = Outcomes()
    >>> out.extend(study.trials)
    >>> values, violation = out.rows(np.array([0]))
    >>> values.tolist(), violation.tolist()
    ([[1.0, 2.0]], [0.5])
    """

    def __init__(self) -> None:
        self._values = np.empty((0, 0))
        self._violation = np.empty(0)
        self._row_of_number = np.empty(0, dtype=int)
        self.any_violation = False
        self.memo: dict[Any, Any] = {}

    def extend(self, trials: Sequence[FrozenTrial]) -> None:
        """Read newly finished trials (COMPLETE or PRUNED)."""
        if not trials:
            return
        m = max([len(t.values) for t in trials if t.values is not None] + [self._values.shape[1]])
        rows = np.full((len(trials), max(m, 1)), np.nan)
        for i, t in enumerate(trials):
            if t.state == TrialState.COMPLETE and t.values is not None:
                rows[i, : len(t.values)] = t.values
        viol = violation(trials)
        if self._values.shape[1] < rows.shape[1]:
            old = np.full((len(self._values), rows.shape[1]), np.nan)
            old[:, : self._values.shape[1]] = self._values
            self._values = old
        start = len(self._values)
        self._values = np.vstack([self._values, rows])
        self._violation = np.append(self._violation, viol)
        numbers = np.array([t.number for t in trials], dtype=int)
        top = int(numbers.max()) + 1
        if top > len(self._row_of_number):
            grown = np.full(max(top, 2 * len(self._row_of_number)), -1, dtype=int)
            grown[: len(self._row_of_number)] = self._row_of_number
            self._row_of_number = grown
        self._row_of_number[numbers] = np.arange(start, start + len(trials))
        self.any_violation = self.any_violation or bool(np.any(viol > 0))
        self.memo.clear()

    def rows(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(values, violation)`` of the trials numbered ``numbers`` (read before)."""
        idx = self._row_of_number[np.asarray(numbers, dtype=int)]
        return self._values[idx], self._violation[idx]
