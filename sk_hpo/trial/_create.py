"""Build a finished trial by hand, to add results obtained elsewhere to a study."""

from __future__ import annotations

import datetime
import math
from typing import Any

from sk_hpo._json import check_json_value
from sk_hpo._validation import (
    NONE,
    REAL,
    Constraint,
    InvalidParameterError,
    check_param,
    instance_of,
    int_range,
)
from sk_hpo.distributions import BaseDistribution
from sk_hpo.trial._constraints import CONSTRAINTS_KEY, check_constraint
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["create_trial"]

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def create_trial(
    *,
    state: TrialState = TrialState.COMPLETE,
    value: float | None = None,
    params: dict[str, Any] | None = None,
    distributions: dict[str, BaseDistribution] | None = None,
    user_attrs: dict[str, Any] | None = None,
    system_attrs: dict[str, Any] | None = None,
    intermediate_values: dict[int, float] | None = None,
    values: list[float] | None = None,
    constraints: dict[str, float] | None = None,
) -> FrozenTrial:
    """A finished trial to give to :meth:`~sk_hpo.study.Study.add_trial`.

    Use it to warm-start a study with results known beforehand (an earlier search, a
    default configuration's score): samplers then learn from them like from any trial.

    Parameters
    ----------
    state : TrialState, default=TrialState.COMPLETE
        COMPLETE, PRUNED or FAIL.
    value : float, default=None
        The objective value; required (and not NaN) for a COMPLETE trial.
    params : dict of str to object, default=None
        Parameter values, as the objective would have seen them.
    distributions : dict of str to BaseDistribution, default=None
        The distribution of each parameter in ``params`` (the same keys); each value must
        lie in its distribution.
    user_attrs, system_attrs : dict of str to JSON-serializable, default=None
    intermediate_values : dict of int to float, default=None
        Reported values by step (a PRUNED trial's learning curve).
    values : list of float, default=None
        One value per objective, for a study of several objectives; exclusive with
        ``value``.
    constraints : dict of str to float, default=None
        Constraint values by name (feasible when all are <= 0), as
        :meth:`~sk_hpo.trial.Trial.set_constraint` sets them.

    Returns
    -------
    FrozenTrial
        Numbered when added to a study (its ``number`` is -1 until then).

    Examples
    --------
    >>> import sk_hpo
    >>> from sk_hpo.distributions import FloatDistribution
    >>> study = sk_hpo.create_study()
    >>> study.add_trial(sk_hpo.trial.create_trial(
    ...     params={"x": 2.0}, distributions={"x": FloatDistribution(0, 10)}, value=4.0))
    >>> study.best_params
    {'x': 2.0}
    """
    state = _check_state(state)
    check_param(
        "create_trial", "intermediate_values", intermediate_values, [_STEP_DICT, NONE]
    )
    params = dict(params or {})
    distributions = dict(distributions or {})
    if set(params) != set(distributions):
        raise InvalidParameterError(
            f"The 'distributions' parameter of create_trial must have the keys of 'params' "
            f"{sorted(params)!r}. Got {sorted(distributions)!r} instead. Give a distribution "
            "for each parameter."
        )
    internal = {}
    for name, dist in distributions.items():
        check_param(
            "create_trial",
            f"distributions[{name!r}]",
            dist,
            [instance_of(BaseDistribution, "an sk_hpo distribution")],
        )
        try:
            internal[name] = dist.to_internal_repr(params[name])
        except (TypeError, ValueError):
            internal[name] = math.nan
        if not dist._contains(internal[name]):
            raise ValueError(
                f"The value {params[name]!r} of parameter {name!r} is not in its distribution "
                f"{dist!r}; give a value the distribution can produce."
            )
    if value is not None and values is not None:
        raise ValueError(
            f"create_trial takes 'value' or 'values', not both; got value={value!r} and "
            f"values={values!r}."
        )
    if values is None:
        checked = _check_value(state, value, "value")
        checked_values = None if checked is None else [checked]
    else:
        check_param("create_trial", "values", values, [_NON_EMPTY_LIST])
        checked_values = [_check_value(state, v, "values") for v in values]
    steps = {}
    for step, v in (intermediate_values or {}).items():
        steps[int(step)] = float(v)
    user_attrs, system_attrs = (
        _json_attrs("user_attrs", user_attrs), _json_attrs("system_attrs", system_attrs)
    )
    for key, c in (constraints or {}).items():
        key, c = check_constraint("create_trial", key, c)
        system_attrs[f"{CONSTRAINTS_KEY}:{key}"] = c
    now = datetime.datetime.now()
    return FrozenTrial(
        number=-1,
        state=state,
        value=None,
        values=checked_values,
        datetime_start=now,
        datetime_complete=now,
        params=params,
        distributions=distributions,
        user_attrs=user_attrs,
        system_attrs=system_attrs,
        intermediate_values=steps,
        trial_id=-1,
        internal_params=internal,
    )


_STEP_DICT = Constraint(
    lambda v: isinstance(v, dict) and all(int_range(0).check(step) for step in v),
    "a dict whose steps (keys) are ints in the range [0, inf)",
)
_NON_EMPTY_LIST = Constraint(
    lambda v: not isinstance(v, str) and hasattr(v, "__len__") and len(v) > 0,
    "a non-empty list of numbers",
)
_NOT_NAN = Constraint(lambda v: REAL.check(v) and not math.isnan(v), "a float other than NaN")


def _check_state(given: Any) -> TrialState:
    try:
        state = TrialState(given)
    except ValueError:
        state = None
    if state not in _FINISHED:
        raise InvalidParameterError(
            "The 'state' parameter of create_trial must be TrialState.COMPLETE, "
            f"TrialState.PRUNED or TrialState.FAIL. Got {given!r} instead. Only finished "
            "trials can be added to a study."
        )
    return state


def _check_value(state: TrialState, value: Any, name: str) -> float | None:
    if value is None:
        if state == TrialState.COMPLETE:
            raise ValueError(
                "A COMPLETE trial needs a value: pass create_trial(value=<objective value>) "
                "or state=TrialState.FAIL."
            )
        return None
    if state == TrialState.FAIL:
        raise InvalidParameterError(
            f"The {name!r} parameter of create_trial must be None when state is "
            f"TrialState.FAIL. Got {value!r} instead. A FAIL trial has no value."
        )
    check_param("create_trial", name, value, [_NOT_NAN])
    return float(value)


def _json_attrs(name: str, attrs: dict[str, Any] | None) -> dict[str, Any]:
    """``attrs`` in the JSON form storages keep (numpy values as plain numbers)."""
    try:
        return {key: check_json_value(key, value) for key, value in (attrs or {}).items()}
    except TypeError:
        raise InvalidParameterError(
            f"The {name!r} parameter of create_trial must be a dict of JSON-serializable "
            f"values. Got {attrs!r} instead."
        ) from None
