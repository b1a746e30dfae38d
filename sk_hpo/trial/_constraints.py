"""Constraint values of a trial, stored as system attributes (Optuna 5's keys)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from sk_hpo._validation import REAL, STR, InvalidParameterError, check_param
from sk_hpo._warnings import warn_user

__all__ = [
    "CONSTRAINTS_KEY",
    "check_constraint",
    "constraints_of",
    "is_feasible",
    "new_constraint",
    "violation",
]

CONSTRAINTS_KEY = "constraints"  # "constraints:<name>" per constraint; the list form is older


def constraints_of(system_attrs: Mapping[str, Any]) -> dict[str, float]:
    """The constraints held in ``system_attrs``, by name (a list under ``"constraints"``
    counts as names ``"0"``, ``"1"``, ...)."""
    found = {str(i): float(c) for i, c in enumerate(system_attrs.get(CONSTRAINTS_KEY) or ())}
    prefix = CONSTRAINTS_KEY + ":"
    for key, value in system_attrs.items():
        if key.startswith(prefix):
            found[key[len(prefix):]] = float(value)
    return found


def is_feasible(trial: Any) -> bool:
    """Whether every constraint of ``trial`` is <= 0 (True for a trial without any)."""
    return all(c <= 0 for c in constraints_of(trial.system_attrs).values())


def violation(trials: Any) -> np.ndarray:
    """Sum of the positive constraint values of each trial, shape (n,)."""
    return np.array(
        [sum(max(c, 0.0) for c in constraints_of(t.system_attrs).values()) for t in trials],
        dtype=float,
    )


def new_constraint(
    system_attrs: Mapping[str, Any], number: int, key: Any, value: Any
) -> tuple[str, float] | None:
    """``(attribute, value)`` to store for ``trial.set_constraint(key, value)``, checked; None
    (with a warning) when the constraint is set already: the first value stays, as in
    Optuna."""
    key, checked = check_constraint("Trial.set_constraint", key, value)
    attr = f"{CONSTRAINTS_KEY}:{key}"
    if attr in system_attrs:
        warn_user(
            f"Constraint {key!r} of trial #{number} is already set to "
            f"{system_attrs[attr]!r}; the new value {checked!r} is ignored."
        )
        return None
    return attr, checked


def check_constraint(owner: str, key: Any, value: Any) -> tuple[str, float]:
    """``(key, value)`` checked: a str name and a finite number (not NaN)."""
    check_param(owner, "key", key, [STR])
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise InvalidParameterError(
            f"The 'value' parameter of {owner} must be {REAL.text}. Got {value!r} instead. "
            "A trial is feasible when all its constraint values are <= 0."
        )
    number = float(value)
    if math.isnan(number):
        raise InvalidParameterError(
            f"The 'value' parameter of {owner} must be a float other than NaN. Got {value!r} "
            f"instead (constraint {key!r})."
        )
    return key, number
