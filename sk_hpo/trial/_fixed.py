from __future__ import annotations

import datetime
from typing import Any

from sk_hpo.distributions import BaseDistribution
from sk_hpo.trial._base import BaseTrial, replay_value
from sk_hpo.trial._constraints import constraints_of, new_constraint

__all__ = ["FixedTrial"]


class FixedTrial(BaseTrial):
    """A trial whose parameters are given by hand: run an objective outside any study.

    ``suggest_*`` return the given values (with a warning when a value lies outside the range
    asked for; a parameter not given raises ``ValueError``), ``report`` does nothing and
    ``should_prune`` is False.

    Parameters
    ----------
    params : dict of str to object
        The value of each parameter the objective suggests.
    number : int, default=0
        What ``trial.number`` returns.

    Examples
    --------
    >>> from sk_hpo.trial import FixedTrial
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -10, 10)
    ...     kind = trial.suggest_categorical("kind", ["a", "b"])
    ...     return x**2 + (kind == "b")
    >>> objective(FixedTrial({"x": 2.0, "kind": "b"}))
    5.0
    """

    def __init__(self, params: dict[str, Any], number: int = 0) -> None:
        self._params = params
        self._suggested_params: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs: dict[str, Any] = {}
        self._system_attrs: dict[str, Any] = {}
        self._datetime_start = datetime.datetime.now()
        self._number = number

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        value = replay_value(
            f"FixedTrial #{self._number}", self._params, self._distributions, name, distribution
        )
        self._suggested_params[name] = value
        self._distributions[name] = distribution
        return value

    def report(self, value: float, step: int) -> None:
        """Do nothing: a fixed trial records no progress."""

    def should_prune(self) -> bool:
        """False: a fixed trial is never pruned."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a user attribute on this object."""
        self._user_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """Set a constraint on this object (feasible when all are <= 0); the first value of
        a constraint stays (a warning tells)."""
        new = new_constraint(self._system_attrs, self._number, key, value)
        if new is not None:
            self._system_attrs[new[0]] = new[1]

    @property
    def constraints(self) -> dict[str, float]:
        """Constraint values set so far, by name."""
        return constraints_of(self._system_attrs)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far."""
        return self._suggested_params

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return self._distributions

    @property
    def user_attrs(self) -> dict[str, Any]:
        return self._user_attrs

    @property
    def system_attrs(self) -> dict[str, Any]:
        return self._system_attrs

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._datetime_start

    @property
    def number(self) -> int:
        return self._number
