"""Parameter distributions: the search space of one parameter.

Every distribution maps a user-facing ("external") value to an internal float and back:

- :class:`FloatDistribution`: the float itself;
- :class:`IntDistribution`: the integer as a float;
- :class:`CategoricalDistribution`: the index of the choice, as a float.

Storages hold only internal floats and the distribution as JSON, so a stored study never
needs pickle to be read back.

Examples
--------
>>> from sk_hpo.distributions import FloatDistribution, json_to_distribution
>>> d = FloatDistribution(1e-3, 1.0, log=True)
>>> json_to_distribution(d.to_json()) == d
True
>>> d.to_internal_repr(0.5)
0.5
"""

from __future__ import annotations

import abc
import decimal
import json
import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

from sk_hpo._validation import NONE, Constraint, InvalidParameterError, check_param
from sk_hpo._warnings import warn_user

__all__ = [
    "BaseDistribution",
    "FloatDistribution",
    "IntDistribution",
    "CategoricalDistribution",
    "distribution_to_json",
    "json_to_distribution",
    "check_distribution_compatibility",
    "ReprChoice",
]

_JSON_SCALARS = (type(None), bool, int, float, str)


class BaseDistribution(abc.ABC):
    """Base class of the distributions of one parameter.

    Subclasses define the internal representation (a float) of the parameter's values.
    """

    @abc.abstractmethod
    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        """Convert a user-facing value to its internal float."""

    @abc.abstractmethod
    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        """Convert an internal float to the user-facing value."""

    @abc.abstractmethod
    def single(self) -> bool:
        """Return whether the distribution holds exactly one value."""

    @abc.abstractmethod
    def _contains(self, param_value_in_internal_repr: float) -> bool:
        """Return whether an internal value lies in the distribution."""

    def _asdict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def to_json(self) -> str:
        """Serialize the distribution to a JSON string (see :func:`json_to_distribution`)."""
        return distribution_to_json(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseDistribution) or type(self) is not type(other):
            return NotImplemented
        return distribution_to_json(self) == distribution_to_json(other)

    def __hash__(self) -> int:
        return hash(distribution_to_json(self))

    def __repr__(self) -> str:
        kwargs = ", ".join(f"{k}={v!r}" for k, v in self._asdict().items())
        return f"{type(self).__name__}({kwargs})"


def _is_finite_real(v: Any) -> bool:
    if type(v) is float or type(v) is int:  # fast path for the usual types
        return math.isfinite(v)
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


_FINITE = Constraint(_is_finite_real, "a finite float")
_POSITIVE_STEP = Constraint(lambda v: _is_finite_real(v) and v > 0, "a finite float > 0")
_WHOLE = Constraint(lambda v: _is_finite_real(v) and int(v) == v, "an integer")
_WHOLE_STEP = Constraint(lambda v: _WHOLE.check(v) and v >= 1, "an integer >= 1")


def _adjusted_high(low: float, high: float, step: float, owner: str) -> float:
    """Return the largest ``low + k * step <= high``, warning when it differs from ``high``."""
    d_high = decimal.Decimal(str(high))
    d_low = decimal.Decimal(str(low))
    d_step = decimal.Decimal(str(step))
    d_range = d_high - d_low
    if d_range % d_step == 0:
        return high
    new_high = float((d_range // d_step) * d_step + d_low)
    warn_user(
        f"The range of {owner} is not divisible by step: (high - low) = {high - low!r} is not a "
        f"multiple of step={step!r}. high is replaced by {new_high!r}; pass a high that is "
        "low plus a multiple of step to silence this warning."
    )
    return new_high


class FloatDistribution(BaseDistribution):
    """A float in ``[low, high]``, optionally on a log scale or on a grid of ``step``.

    Parameters
    ----------
    low, high : float
        Inclusive bounds, finite, ``low <= high``.
    log : bool, default=False
        Sample on a log scale; requires ``low > 0``. Exclusive with ``step``.
    step : float or None, default=None
        Discretization step. When ``high - low`` is not a multiple of ``step``, ``high`` is
        lowered to the last grid point with a warning.

    Examples
    --------
    >>> FloatDistribution(0.0, 1.0, step=0.25)._contains(0.5)
    True
    """

    def __init__(
        self, low: float, high: float, log: bool = False, step: float | None = None
    ) -> None:
        owner = "FloatDistribution"
        check_param(owner, "low", low, [_FINITE])
        check_param(owner, "high", high, [_FINITE])
        check_param(owner, "step", step, [_POSITIVE_STEP, NONE])
        if log and step is not None:
            raise ValueError(
                f"{owner} cannot use log=True together with step (got step={step!r}); "
                "use one or the other."
            )
        if low > high:
            raise ValueError(
                f"{owner} requires low <= high, but got (low={low!r}, high={high!r}); "
                "swap the bounds."
            )
        if log and low <= 0.0:
            raise ValueError(
                f"{owner} with log=True requires low > 0, but got (low={low!r}, high={high!r}); "
                "use a positive lower bound or log=False."
            )
        if step is not None:
            high = _adjusted_high(low, high, step, owner)
            step = float(step)
        self.low = float(low)
        self.high = float(high)
        self.log = bool(log)
        self.step = step

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        try:
            value = float(param_value_in_external_repr)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"{param_value_in_external_repr!r} is not a valid value of {self!r}: "
                "expected a float."
            ) from e
        if math.isnan(value):
            raise ValueError(f"NaN is not a valid value of {self!r}.")
        return value

    def to_external_repr(self, param_value_in_internal_repr: float) -> float:
        return float(param_value_in_internal_repr)

    def single(self) -> bool:
        if self.step is None:
            return self.low == self.high
        # high is low + k * step (see _adjusted_high); in floats, 0.3 - 0.2 < 0.1, so round k
        return round((self.high - self.low) / self.step) == 0

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if not (self.low <= value <= self.high):
            return False
        if self.step is None:
            return True
        k = (value - self.low) / self.step
        return abs(k - round(k)) < 1e-8


class IntDistribution(BaseDistribution):
    """An integer in ``[low, high]``, optionally on a log scale or on a grid of ``step``.

    Parameters
    ----------
    low, high : int
        Inclusive bounds, ``low <= high``.
    log : bool, default=False
        Sample on a log scale; requires ``low >= 1`` and ``step == 1``.
    step : int, default=1
        Spacing of the values. When ``high - low`` is not a multiple of ``step``, ``high`` is
        lowered to the last grid point with a warning.

    Examples
    --------
    >>> IntDistribution(1, 9, step=2).to_external_repr(3.0)
    3
    """

    def __init__(self, low: int, high: int, log: bool = False, step: int = 1) -> None:
        owner = "IntDistribution"
        check_param(owner, "low", low, [_WHOLE])
        check_param(owner, "high", high, [_WHOLE])
        check_param(owner, "step", step, [_WHOLE_STEP])
        low, high, step = int(low), int(high), int(step)
        if log and step != 1:
            raise ValueError(
                f"{owner} cannot use log=True together with step != 1 (got step={step!r}); "
                "use one or the other."
            )
        if low > high:
            raise ValueError(
                f"{owner} requires low <= high, but got (low={low!r}, high={high!r}); "
                "swap the bounds."
            )
        if log and low < 1:
            raise ValueError(
                f"{owner} with log=True requires low >= 1, but got (low={low!r}, high={high!r}); "
                "use a positive lower bound or log=False."
            )
        if (high - low) % step != 0:
            high = int(_adjusted_high(low, high, step, owner))
        self.low = low
        self.high = high
        self.log = bool(log)
        self.step = step

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        try:
            value = float(param_value_in_external_repr)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"{param_value_in_external_repr!r} is not a valid value of {self!r}: "
                "expected an integer."
            ) from e
        if math.isnan(value):
            raise ValueError(f"NaN is not a valid value of {self!r}.")
        return value

    def to_external_repr(self, param_value_in_internal_repr: float) -> int:
        return int(round(param_value_in_internal_repr))

    def single(self) -> bool:
        return self.high - self.low < self.step

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if not (self.low <= value <= self.high):
            return False
        k = (value - self.low) / self.step
        return abs(k - round(k)) < 1e-8


class CategoricalDistribution(BaseDistribution):
    """One of a finite sequence of choices; the internal value is the choice's index.

    Parameters
    ----------
    choices : sequence
        Non-empty. ``None``, bools, numbers and strings are stored as they are; any other
        choice (an estimator, say) is stored by index and ``repr``. An unhashable choice (a
        dict, a list) is accepted with a warning, as in Optuna.

    Examples
    --------
    >>> d = CategoricalDistribution(["rbf", "linear"])
    >>> d.to_internal_repr("linear"), d.to_external_repr(0.0)
    (1.0, 'rbf')
    """

    def __init__(self, choices: Sequence[Any]) -> None:
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
            try:
                choices = list(choices)
            except TypeError:
                raise InvalidParameterError(
                    "The 'choices' parameter of CategoricalDistribution must be a sequence. "
                    f"Got {choices!r} instead."
                ) from None
        if len(choices) == 0:
            raise ValueError(
                "The 'choices' parameter of CategoricalDistribution must not be empty; "
                f"give at least one choice. Got {choices!r} instead."
            )
        for choice in choices:
            try:
                hash(choice)
            except TypeError:
                warn_user(
                    f"The choice {choice!r} of CategoricalDistribution is unhashable (a "
                    f"{type(choice).__name__}); it is compared with == and stored by its repr, "
                    "so a study read back from a storage holds that repr string. Use a tuple, "
                    "or give each choice a name and map it inside the objective."
                )
        self.choices = tuple(choices)

    @property
    def ordered(self) -> bool:
        """Whether the choices are at least two finite numbers, strictly increasing or
        decreasing.

        Neighbouring indices then hold neighbouring values, so a sampler may model the
        internal value (the index) as an integer in ``[0, len(choices) - 1]`` rather than as
        unordered labels; :class:`~sk_hpo.samplers.TPESampler` and
        :class:`~sk_hpo.samplers.GPSampler` do. The choices themselves are unchanged.

        Examples
        --------
        >>> CategoricalDistribution([0.1, 1.0, 10.0]).ordered
        True
        >>> CategoricalDistribution([1, 3, 2]).ordered, CategoricalDistribution("ab").ordered
        (False, False)
        """
        values = self.choices
        if len(values) < 2 or not all(
            isinstance(c, numbers.Real) and not isinstance(c, bool) and math.isfinite(c)
            for c in values
        ):
            return False
        steps = [b - a for a, b in zip(values, values[1:])]
        return all(d > 0 for d in steps) or all(d < 0 for d in steps)

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        value = param_value_in_external_repr
        for i, choice in enumerate(self.choices):
            if choice is value:
                return float(i)
        for i, choice in enumerate(self.choices):
            try:
                if type(choice) is type(value) and choice == value:
                    return float(i)
            except Exception:  # an object whose __eq__ is not a plain bool (arrays)
                continue
        for i, choice in enumerate(self.choices):
            if _json_choice(choice) == _json_choice(value):
                return float(i)
        raise ValueError(f"{value!r} is not one of the choices of {self!r}.")

    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        return self.choices[int(param_value_in_internal_repr)]

    def single(self) -> bool:
        return len(self.choices) == 1

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        index = param_value_in_internal_repr
        return 0 <= index < len(self.choices) and float(index).is_integer()

    def _asdict(self) -> dict[str, Any]:
        return {"choices": self.choices}


class ReprChoice(str):
    """A categorical choice that JSON could not hold, read back from a storage as its ``repr``.

    It stays distinct from a plain string choice, so a distribution read back from a storage
    serializes exactly as the original did.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _json_choice(choice: Any) -> Any:
    if isinstance(choice, ReprChoice):
        return {"__repr__": str(choice)}
    if isinstance(choice, _JSON_SCALARS):
        if isinstance(choice, float) and not math.isfinite(choice):
            return {"__float__": repr(choice)}
        return choice
    if isinstance(choice, numbers.Integral):
        return int(choice)
    if isinstance(choice, numbers.Real):
        return float(choice)
    return {"__repr__": repr(choice)}


def _choice_from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "__float__" in value:
            return float(value["__float__"])
        return ReprChoice(value["__repr__"])
    return value


_CLASSES = {
    cls.__name__: cls for cls in (FloatDistribution, IntDistribution, CategoricalDistribution)
}


_ABBREVIATED = {
    "float": FloatDistribution,
    "int": IntDistribution,
    "categorical": CategoricalDistribution,
}


def distribution_to_json(dist: BaseDistribution) -> str:
    """Serialize ``dist`` to JSON; choices JSON cannot hold are stored by ``repr``.

    Examples
    --------
    >>> distribution_to_json(IntDistribution(1, 3))
    '{"name": "IntDistribution", "attributes": {"low": 1, "high": 3, "log": false, "step": 1}}'
    """
    attrs = dist._asdict()
    if isinstance(dist, CategoricalDistribution):
        attrs = {"choices": [_json_choice(c) for c in dist.choices]}
    return json.dumps({"name": type(dist).__name__, "attributes": attrs})


def json_to_distribution(json_str: str) -> BaseDistribution:
    """Inverse of :func:`distribution_to_json`; never executes code.

    Choices that were stored by ``repr`` come back as :class:`ReprChoice` strings. Optuna's
    abbreviated form (``{"type": "float", "low": 0, "high": 1, "log": false}``, types
    ``"float"``, ``"int"`` and ``"categorical"``) is read too.

    Examples
    --------
    >>> from sk_hpo.distributions import (
    ...     FloatDistribution, distribution_to_json, json_to_distribution)
    >>> d = FloatDistribution(1e-3, 1.0, log=True)
    >>> json_to_distribution(distribution_to_json(d)) == d
    True
    """
    try:
        loaded = json.loads(json_str)
        if "type" in loaded:  # Optuna's abbreviated form: {"type": "int", "low": 1, ...}
            cls = _ABBREVIATED[loaded["type"]]
            attrs = {k: v for k, v in loaded.items() if k != "type"}
        else:
            cls = _CLASSES[loaded["name"]]
            attrs = loaded["attributes"]
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{json_str!r} is not a serialized distribution.") from e
    if cls is CategoricalDistribution:
        if not isinstance(attrs.get("choices"), list):
            raise ValueError(f"{json_str!r} is not a serialized distribution: no choices list.")
        return CategoricalDistribution([_choice_from_json(c) for c in attrs["choices"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # high was adjusted when first created
        try:
            return cls(**attrs)
        except TypeError as e:  # unknown attribute names or values of the wrong type
            raise ValueError(f"{json_str!r} is not a serialized distribution: {e}") from e


def check_distribution_compatibility(
    dist_old: BaseDistribution, dist_new: BaseDistribution
) -> None:
    """Raise ``ValueError`` when one parameter name is used with two incompatible distributions.

    Float and int distributions may change their bounds (a dynamic space), but not their kind or
    scale; a categorical parameter must keep its choices.

    Examples
    --------
    >>> check_distribution_compatibility(FloatDistribution(0, 1), FloatDistribution(0, 2))
    >>> check_distribution_compatibility(FloatDistribution(0, 1), IntDistribution(0, 1))
    Traceback (most recent call last):
    ...
    ValueError: Cannot set different distribution kind to the same parameter name: ...
    """
    check_same_kind(dist_old, dist_new)
    if isinstance(dist_old, CategoricalDistribution):
        if distribution_to_json(dist_old) != distribution_to_json(dist_new):
            raise ValueError(
                "CategoricalDistribution does not support dynamic choices: "
                f"{dist_old!r} then {dist_new!r}. Use a new parameter name for other choices."
            )


def check_same_kind(dist_old: BaseDistribution, dist_new: BaseDistribution) -> None:
    """Raise ``ValueError`` unless both distributions are of one class and one scale (``log``).

    This is what a parameter name must keep across the trials of a study.
    """
    if type(dist_old) is not type(dist_new):
        raise ValueError(
            f"Cannot set different distribution kind to the same parameter name: "
            f"{dist_old!r} then {dist_new!r}. Use another name for the new kind."
        )
    if getattr(dist_old, "log", False) != getattr(dist_new, "log", False):
        raise ValueError(
            f"Cannot set different log configuration to the same parameter name: "
            f"{dist_old!r} then {dist_new!r}. Use another name for the other scale."
        )
