from __future__ import annotations

import numbers
from typing import Any

__all__ = ["check_int", "check_unit_interval"]


def check_int(owner: str, name: str, value: Any, minimum: int) -> int:
    """Return ``value`` as an int when it is an integer >= ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(
            f"The {name!r} parameter of {owner} must be an int >= {minimum}, got {value!r}."
        )
    return int(value)


def check_unit_interval(owner: str, name: str, value: Any, high: float) -> float:
    """Return ``value`` as a float when ``0 <= value <= high``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= high:
        raise ValueError(
            f"The {name!r} parameter of {owner} must be a number in [0, {high:g}], got {value!r}."
        )
    return float(value)
