"""Constructor arguments of HPOSearchCV, declared as data and checked in ``fit``.

Each parameter lists the :class:`Constraint` objects it may satisfy; a value satisfying none
raises :class:`InvalidParameterError` with scikit-learn's message template ("The 'n_iter'
parameter of HPOSearchCV must be ... Got ... instead.").
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Constraint", "InvalidParameterError", "validate_params"]


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
    sk_hpo.model_selection._validation.InvalidParameterError: The 'n' parameter of Est must be ...
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
