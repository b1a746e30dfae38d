from __future__ import annotations

import copy
import datetime
import math
from typing import Any

from sk_hpo.distributions import BaseDistribution
from sk_hpo.trial._base import BaseTrial, replay_value
from sk_hpo.trial._constraints import constraints_of, new_constraint
from sk_hpo.trial._state import TrialState

# Immutable values a deep copy can share.
_ATOMIC = frozenset(
    {int, float, str, bool, type(None), TrialState, datetime.datetime}
)

__all__ = ["FrozenTrial"]


class FrozenTrial(BaseTrial):
    """The immutable record of one trial, as held by a storage.

    Samplers, pruners, callbacks and plots read trials as ``FrozenTrial`` objects. Treat them
    as read-only: a storage may hand the same object to several readers.

    Parameters
    ----------
    number : int
        Number of the trial in its study, from 0, unique per study.
    state : TrialState
    value : float or None
        Objective value (COMPLETE), last intermediate value (PRUNED) or None; for a study
        with several objectives pass ``values`` instead.
    datetime_start, datetime_complete : datetime or None
    params : dict of str to object
        Parameter values as the objective saw them (external representation).
    distributions : dict of str to BaseDistribution
    user_attrs, system_attrs : dict of str to JSON-serializable
    intermediate_values : dict of int to float
        Values given to ``trial.report``, by step.
    trial_id : int
        Storage-wide identifier.
    internal_params : dict of str to float, optional
        Internal representation of ``params``; computed from ``distributions`` when omitted.
    values : list of float or None, optional
        One value per objective (the stored record); ``value`` is ``values[0]`` when the
        study has one objective. Give ``value`` or ``values``, not both.

    Attributes
    ----------
    duration : timedelta or None
    last_step : int or None
        Largest step reported, None when nothing was reported.

    Notes
    -----
    A ``FrozenTrial`` can stand in for a :class:`~sk_hpo.trial.Trial` in an objective, to
    rebuild what a trial evaluated (``objective(study.best_trial)``): ``suggest_*`` return its
    stored parameters (with a warning when a value lies outside the range asked for),
    ``report`` does nothing, ``should_prune`` is False and ``set_user_attr`` sets the attribute
    on this object only. Trials sort by number (``sorted(study.trials)``) and are hashable.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study()
    >>> def objective(trial):
    ...     return trial.suggest_float("x", 0, 1) ** 2
    >>> study.optimize(objective, n_trials=3)
    >>> ft = study.trials[0]
    >>> ft.number, ft.state, sorted(ft.params)
    (0, TrialState.COMPLETE, ['x'])
    >>> objective(study.best_trial) == study.best_value  # re-run the best trial
    True
    """

    __slots__ = (
        "number",
        "state",
        "_values",
        "datetime_start",
        "datetime_complete",
        "params",
        "distributions",
        "user_attrs",
        "system_attrs",
        "intermediate_values",
        "_trial_id",
        "_internal_params",
    )

    def __init__(
        self,
        number: int,
        state: TrialState,
        value: float | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
        internal_params: dict[str, float] | None = None,
        *,
        values: list[float] | None = None,
    ) -> None:
        if value is not None and values is not None:
            raise ValueError(
                f"FrozenTrial takes 'value' or 'values', not both; got value={value!r} and "
                f"values={values!r}."
            )
        self.number = number
        self.state = state
        self._values = list(values) if values is not None else (
            None if value is None else [value]
        )
        self.datetime_start = datetime_start
        self.datetime_complete = datetime_complete
        self.params = params
        self.distributions = distributions
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self.intermediate_values = intermediate_values
        self._trial_id = trial_id
        self._internal_params = internal_params

    @property
    def trial_id(self) -> int:
        """Storage-wide identifier of the trial."""
        return self._trial_id

    @property
    def internal_params(self) -> dict[str, float]:
        """Parameter values in internal (float) representation."""
        if self._internal_params is None:
            self._internal_params = {
                name: self.distributions[name].to_internal_repr(value)
                for name, value in self.params.items()
            }
        return self._internal_params

    @property
    def values(self) -> list[float] | None:
        """One value per objective, or None when the trial has no value."""
        return self._values

    @values.setter
    def values(self, values: list[float] | None) -> None:
        self._values = None if values is None else list(values)

    @property
    def value(self) -> float | None:
        """The objective value: ``values[0]`` for a study with one objective, or None.

        Raises RuntimeError for a trial with several objective values (read ``values``).
        """
        if self._values is None:
            return None
        if len(self._values) != 1:
            raise RuntimeError(
                f"Trial #{self.number} has {len(self._values)} objective values; read "
                "'values' instead of 'value' in a study with several objectives."
            )
        return self._values[0]

    @value.setter
    def value(self, value: float | None) -> None:
        if self._values is not None and len(self._values) > 1:
            raise RuntimeError(
                f"Trial #{self.number} has {len(self._values)} objective values; set "
                "'values' instead of 'value' in a study with several objectives."
            )
        self._values = None if value is None else [value]

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start

    @property
    def last_step(self) -> int | None:
        return max(self.intermediate_values) if self.intermediate_values else None

    # -- standing in for a Trial ----------------------------------------------------------------

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        return replay_value(
            f"Trial #{self.number}", self.params, self.distributions, name, distribution
        )

    def report(self, value: float, step: int) -> None:
        """Do nothing: a finished trial records no more progress."""

    def should_prune(self) -> bool:
        """False: a finished trial is not pruned."""
        return False

    @property
    def constraints(self) -> dict[str, float]:
        """Constraint values by name; the trial is feasible when all are <= 0."""
        return constraints_of(self.system_attrs)

    def set_constraint(self, key: str, value: float) -> None:
        """Set a constraint on this object (not in the storage); the first value of a
        constraint stays (a warning tells)."""
        new = new_constraint(self.system_attrs, self.number, key, value)
        if new is not None:
            self.system_attrs = {**self.system_attrs, new[0]: new[1]}

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a user attribute on this object (not in the storage)."""
        self.user_attrs = {**self.user_attrs, key: value}

    def _validate(self) -> None:
        """Raise ValueError when the fields contradict each other (Optuna's checks).

        A non-WAITING trial has a start time; a RUNNING one no completion time, a finished one
        a completion time; a FAIL trial has no value, a COMPLETE one finite-or-infinite values
        (not NaN); ``params`` and ``distributions`` have the same keys and every value lies
        in its distribution.
        """
        where = f"FrozenTrial #{self.number} (state {self.state.name})"
        if self.state != TrialState.WAITING and self.datetime_start is None:
            raise ValueError(f"{where} has no datetime_start; only a WAITING trial may not.")
        if (self.state == TrialState.RUNNING) != (self.datetime_complete is None):
            raise ValueError(
                f"{where} has datetime_complete={self.datetime_complete!r}; a RUNNING trial "
                "has none and a finished trial has one."
            )
        if self.state == TrialState.FAIL and self._values is not None:
            raise ValueError(f"{where} has values {self._values!r}; a FAIL trial has none.")
        if self.state == TrialState.COMPLETE and (
            self._values is None or any(math.isnan(v) for v in self._values)
        ):
            raise ValueError(
                f"{where} has values {self._values!r}; a COMPLETE trial needs values that "
                "are not NaN."
            )
        if set(self.params) != set(self.distributions):
            raise ValueError(
                f"{where} has params {sorted(self.params)!r} but distributions for "
                f"{sorted(self.distributions)!r}; they must have the same keys."
            )
        for name, dist in self.distributions.items():
            try:
                inside = dist._contains(dist.to_internal_repr(self.params[name]))
            except (TypeError, ValueError):
                inside = False
            if not inside:
                raise ValueError(
                    f"{where}: the value {self.params[name]!r} of parameter {name!r} is not "
                    f"in its distribution {dist!r}."
                )

    def _replace(self, **changes: Any) -> FrozenTrial:
        """Shallow copy with some fields replaced (used by storages for copy-on-write)."""
        new = self.__copy__()
        for name, value in changes.items():
            setattr(new, name, value)
        return new

    def __copy__(self) -> FrozenTrial:
        new = FrozenTrial.__new__(FrozenTrial)
        for name in self.__slots__:
            setattr(new, name, getattr(self, name))
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenTrial:
        new = FrozenTrial.__new__(FrozenTrial)
        for name in self.__slots__:
            value = getattr(self, name)
            if name == "distributions":  # immutable by convention; choices may be estimators
                value = dict(value)
            elif type(value) in _ATOMIC:  # numbers, states, datetimes: nothing to copy
                pass
            elif type(value) is dict and all(type(v) in _ATOMIC for v in value.values()):
                value = dict(value)  # the usual flat dict of numbers and strings
            elif type(value) is list and all(type(v) in _ATOMIC for v in value):
                value = list(value)
            else:
                value = copy.deepcopy(value, memo)
            setattr(new, name, value)
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return all(
            getattr(self, n) == getattr(other, n)
            for n in self.__slots__
            if n != "_internal_params"
        )

    def __hash__(self) -> int:  # equal trials have the same number and id
        return hash((self.number, self._trial_id))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number < other.number

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number <= other.number

    def __repr__(self) -> str:
        values = self._values
        shown = (f"value={values[0]!r}" if values is not None and len(values) == 1
                 else f"value={values!r}" if values is None else f"values={values!r}")
        return (
            f"FrozenTrial(number={self.number}, state={self.state!r}, {shown}, "
            f"params={self.params!r})"
        )
