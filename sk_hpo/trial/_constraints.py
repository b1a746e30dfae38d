"""Constraint values of a trial, stored as system attributes (Optuna 5's keys)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from sk_hpo._validation import REAL, STR, InvalidParameterError, check_param

__all__ = ["CONSTRAINTS_KEY", "check_constraint", "constraints_of", "is_feasible", "violation"]

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
