"""Arguments declared as data and checked in one place, for the whole package.

Each parameter lists the :class:`Constraint` objects it may satisfy; a value satisfying none
raises :class:`InvalidParameterError` with scikit-learn's message template ("The 'n_iter'
parameter of HPOSearchCV must be ... Got ... instead."). HPOSearchCV checks its constructor
arguments in ``fit`` (scikit-learn's convention); samplers, pruners, distributions and storages
check theirs eagerly with :func:`check_param` / :func:`validate_params`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Constraint",
    "InvalidParameterError",
    "check_param",
    "int_range",
    "instance_of",
    "interval",
    "options",
    "validate_params",
]


class InvalidParameterError(ValueError, TypeError):
    """A constructor argument has a value or a type it cannot have."""


@dataclass(frozen=True)
class Constraint:
    """A predicate on a value, and how to say it in an error message."""

    check: Callable[[Any], bool]
    text: str


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def options(*values: str) -> Constraint:
    listed = ", ".join(repr(v) for v in values)
    return Constraint(lambda v: isinstance(v, str) and v in values, f"a str among {{{listed}}}")


def int_range(low: int, high: int | None = None) -> Constraint:
    upper = "inf)" if high is None else f"{high}]"
    return Constraint(
        lambda v: _is_int(v) and v >= low and (high is None or v <= high),
        f"an int in the range [{low}, {upper}",
    )


def interval(low: float | None, high: float | None, *, closed: str = "both") -> Constraint:
    """A real number between ``low`` and ``high`` (None: unbounded); ``closed`` is
    ``"both"``, ``"left"``, ``"right"`` or ``"neither"``."""
    left_closed = closed in ("both", "left")
    right_closed = closed in ("both", "right")

    def check(v: Any) -> bool:
        if not _is_real(v) or v != v:
            return False
        if low is not None and (v < low or (v == low and not left_closed)):
            return False
        return high is None or v < high or (v == high and right_closed)

    left = "(-inf" if low is None else ("[" if left_closed else "(") + f"{low:g}"
    right = "inf)" if high is None else f"{high:g}" + ("]" if right_closed else ")")
    return Constraint(check, f"a float in the range {left}, {right}")


def instance_of(cls: type | tuple[type, ...], text: str) -> Constraint:
    return Constraint(lambda v: isinstance(v, cls), text)


NONE = Constraint(lambda v: v is None, "None")
BOOLEAN = Constraint(lambda v: isinstance(v, (bool, np.bool_)), "an instance of 'bool'")
INT = Constraint(_is_int, "an int")
STR = instance_of(str, "a str")
CALLABLE = Constraint(callable, "a callable")
POSITIVE_REAL = Constraint(lambda v: _is_real(v) and v > 0, "a float in the range (0, inf)")
REAL = Constraint(_is_real, "a float")
HAS_FIT = Constraint(lambda v: hasattr(v, "fit"), "an object implementing 'fit'")
CV_OBJECT = Constraint(
    lambda v: (_is_int(v) and v >= 2)
    or (hasattr(v, "split") and hasattr(v, "get_n_splits"))
    or (isinstance(v, Iterable) and not isinstance(v, str)),
    "an int in the range [2, inf), an object implementing 'split' and 'get_n_splits', "
    "an iterable",
)
RANDOM_STATE = Constraint(
    lambda v: (_is_int(v) and 0 <= v <= 2**32 - 1) or isinstance(v, np.random.RandomState),
    "an int in the range [0, 4294967295], an instance of 'numpy.random.RandomState'",
)
CALLBACKS = Constraint(
    lambda v: isinstance(v, (list, tuple)) and all(callable(c) for c in v),
    "a list of callables",
)


def validate_params(
    owner: str, params: dict[str, Any], constraints: dict[str, list[Constraint]]
) -> None:
    """Raise :class:`InvalidParameterError` for the first parameter satisfying no constraint.

    Examples
    --------
    >>> validate_params("Est", {"n": 0}, {"n": [int_range(1), NONE]})
    Traceback (most recent call last):
    ...
    sk_hpo._validation.InvalidParameterError: The 'n' parameter of Est must be ...
    Got 0 instead.
    """
    for name, allowed in constraints.items():
        value = params[name]
        if any(c.check(value) for c in allowed):
            continue
        texts = [c.text for c in allowed]
        described = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " or " + texts[-1]
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {described}. Got {value!r} instead."
        )


def check_param(owner: str, name: str, value: Any, allowed: list[Constraint]) -> Any:
    """Return ``value`` when it satisfies one of ``allowed``, else raise
    :class:`InvalidParameterError` naming ``name`` and ``owner`` and echoing the value.

    Examples
    --------
    >>> check_param("MedianPruner", "n_startup_trials", 5, [int_range(0)])
    5
    >>> check_param("PercentilePruner", "percentile", 120.0, [interval(0, 100)])
    Traceback (most recent call last):
    ...
    sk_hpo._validation.InvalidParameterError: The 'percentile' parameter of PercentilePruner must
    be a float in the range [0, 100]. Got 120.0 instead.
    """
    for constraint in allowed:  # fast path: no message to build
        if constraint.check(value):
            return value
    validate_params(owner, {name: value}, {name: allowed})
    return value
