"""One hyperparameter of a search: the distribution the study samples and the value it means.

Each entry of ``param_distributions`` becomes a :class:`ParamSpec`. The study only holds
JSON-friendly values, so a spec maps between the study's *external* value (what
``trial.params`` shows) and the value given to the estimator's ``set_params``:

========================  =======================================  =========================
entry                     study distribution                       estimator value
========================  =======================================  =========================
evenly spaced int list    ``IntDistribution(low, high, step)``     the list element
any other list            ``CategoricalDistribution(labels)``      the element of that label
``sk_hpo`` distribution   itself                                   the sampled value
scipy ``uniform``,        ``FloatDistribution`` / ``IntDistribution``  the sampled value
``loguniform``, ``randint``
other object with ``ppf`` ``FloatDistribution(0, 1)``: a quantile  ``ppf(quantile)``
object with only ``rvs``  ``FloatDistribution(0, 1)``: a seed      ``rvs(random_state=seed)``
========================  =======================================  =========================

A label is the element itself when JSON can hold it (numbers, strings, booleans, None) and a
readable, address-free ``repr`` otherwise (estimators, tuples, functions); a value listed twice
gets a second, distinct label, so it is a second candidate (as in GridSearchCV). So the study
shows the values (``study.best_params``, ``trials_dataframe()``, plots, the CLI), never list
positions. A list of sorted numbers (``[0.1, 1.0, 10.0]``) is a categorical whose
:attr:`~sk_hpo.distributions.CategoricalDistribution.ordered` is True: TPE and GP model it as
ordered, through the index of its choice.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from sk_hpo._validation import InvalidParameterError
from sk_hpo._warnings import warn_user
from sk_hpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

__all__ = ["ParamSpec", "make_param_spec", "readable_label"]

# Quantiles are kept this far from 0 and 1 so that ppf stays finite on unbounded supports.
_QUANTILE_EPS = 1e-12
_SEED_RANGE = 2**32 - 1
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def readable_label(value: Any) -> Any:
    """A JSON scalar naming ``value``: the value itself when JSON holds it, else a string.

    Examples
    --------
    >>> readable_label(3), readable_label("rbf"), readable_label((10, 5))
    (3, 'rbf', '(10, 5)')
    >>> readable_label(len)
    'builtins.len'
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, type) or (
        callable(value) and hasattr(value, "__qualname__") and hasattr(value, "__module__")
    ):
        return f"{value.__module__}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


class ParamSpec:
    """How one scikit-learn parameter is searched.

    Parameters
    ----------
    name : str
        The scikit-learn parameter name (``"svc__C"``).
    distribution : BaseDistribution
        What the study samples.
    kind : {"range", "choices", "native", "quantile", "seeded"}
        How a study value becomes the estimator value (see the module docstring).
    values : tuple, default=None
        The list elements, for ``range`` and ``choices``.
    source : object, default=None
        The distribution object, for ``quantile`` and ``seeded``.
    """

    def __init__(
        self,
        name: str,
        distribution: BaseDistribution,
        kind: str,
        values: tuple[Any, ...] | None = None,
        source: Any = None,
    ) -> None:
        self.name = name
        self.distribution = distribution
        self.kind = kind
        self.values = values
        self.source = source
        if kind == "choices":
            assert isinstance(distribution, CategoricalDistribution)
            self._index = {label: i for i, label in enumerate(distribution.choices)}

    def decode(self, external: Any) -> Any:
        """The estimator value of the study value ``external``."""
        if self.kind == "choices":
            return self.values[self._index[external]]  # type: ignore[index]
        if self.kind == "range":
            dist = self.distribution
            return self.values[(int(external) - dist.low) // dist.step]  # type: ignore
        if self.kind == "quantile":
            q = min(max(float(external), _QUANTILE_EPS), 1.0 - _QUANTILE_EPS)
            value = self.source.ppf(q)
            if _is_discrete_scipy(self.source):
                return int(value)
            return float(value)
        if self.kind == "seeded":
            return self.source.rvs(random_state=int(float(external) * _SEED_RANGE))
        return external

    def key_value(self, external: Any) -> Any:
        """A JSON scalar identifying the estimator value (for duplicate detection).

        A list element is identified by its label, so a value listed twice is two candidates.
        """
        if self.kind in ("seeded", "choices"):
            return external
        return readable_label(self.decode(external))

    def grid(self) -> list[Any] | None:
        """All study values in order, or None when the distribution is continuous."""
        dist = self.distribution
        if isinstance(dist, CategoricalDistribution):
            return list(dist.choices)
        if self.kind in ("quantile", "seeded"):
            return None
        if dist.step is None:  # type: ignore[attr-defined]
            return None
        n = int(round((dist.high - dist.low) / dist.step)) + 1  # type: ignore[attr-defined]
        if isinstance(dist, IntDistribution):
            return [dist.low + k * dist.step for k in range(n)]
        return [float(min(dist.low + k * dist.step, dist.high)) for k in range(n)]  # type: ignore

    def describe(self) -> dict[str, Any]:
        """JSON description (for the study's search context)."""
        out: dict[str, Any] = {"kind": self.kind, "distribution": self.distribution.to_json()}
        if self.values is not None:
            out["values"] = [readable_label(v) for v in self.values]
        if self.source is not None:
            out["source"] = _describe_source(self.source)
        return out

    def __repr__(self) -> str:
        return f"ParamSpec({self.name!r}, {self.distribution!r}, kind={self.kind!r})"


def _is_discrete_scipy(dist: Any) -> bool:
    from scipy import stats

    return isinstance(getattr(dist, "dist", None), stats.rv_discrete)


def _describe_source(source: Any) -> str:
    family = getattr(getattr(source, "dist", None), "name", None)
    if family is not None:
        args = ", ".join(repr(readable_label(a)) for a in getattr(source, "args", ()))
        kwds = ", ".join(
            f"{k}={readable_label(v)!r}" for k, v in sorted(getattr(source, "kwds", {}).items())
        )
        return f"scipy.stats.{family}({', '.join(p for p in (args, kwds) if p)})"
    return readable_label(source)


def _unique_labels(values: Sequence[Any]) -> list[Any]:
    labels: list[Any] = []
    seen: set[tuple[type, Any]] = set()
    for i, v in enumerate(values):
        label = readable_label(v)
        if (type(label), label) in seen:
            label = f"{label!r}#{i}"
        seen.add((type(label), label))
        labels.append(label)
    return labels


def _from_list(name: str, values: tuple[Any, ...]) -> ParamSpec:
    if len(values) >= 2 and all(
        _is_number(v) and isinstance(v, numbers.Integral) for v in values
    ):
        diffs = np.diff(np.asarray(values, dtype=np.int64))
        if diffs[0] > 0 and np.all(diffs == diffs[0]):
            dist = IntDistribution(int(values[0]), int(values[-1]), step=int(diffs[0]))
            return ParamSpec(name, dist, "range", values=values)
    return ParamSpec(name, CategoricalDistribution(_unique_labels(values)), "choices", values)


def _from_scipy(name: str, dist: Any) -> ParamSpec:
    family = getattr(getattr(dist, "dist", None), "name", None)
    if hasattr(dist, "support") and family in ("uniform", "loguniform", "reciprocal", "randint"):
        low, high = (float(b) for b in dist.support())
        loc = dist.kwds.get("loc", 0) if len(dist.args) < 3 else dist.args[2]
        if family == "randint":
            return ParamSpec(name, IntDistribution(int(low), int(high)), "native")
        if family == "uniform" and high > low:
            return ParamSpec(name, FloatDistribution(low, high), "native")
        if family in ("loguniform", "reciprocal") and loc == 0 and 0 < low < high:
            return ParamSpec(name, FloatDistribution(low, high, log=True), "native")
    if callable(getattr(dist, "ppf", None)):
        return ParamSpec(name, FloatDistribution(0.0, 1.0), "quantile", source=dist)
    return ParamSpec(name, FloatDistribution(0.0, 1.0), "seeded", source=dist)


def make_param_spec(name: Any, value: Any) -> ParamSpec:
    """The spec of one ``param_distributions`` entry; raise on entries that are not searchable.

    Examples
    --------
    >>> make_param_spec("C", [0.1, 1.0, 10.0]).distribution
    CategoricalDistribution(choices=(0.1, 1.0, 10.0))
    >>> make_param_spec("kernel", ["rbf", "linear"]).distribution
    CategoricalDistribution(choices=('rbf', 'linear'))
    """
    if not isinstance(name, str):
        raise InvalidParameterError(
            "The 'param_distributions' parameter of HPOSearchCV must have str keys (the "
            f"estimator's parameter names, e.g. 'C' or 'svc__C'). Got the key {name!r} instead."
        )
    if isinstance(value, BaseDistribution):
        return ParamSpec(name, value, "native")
    if hasattr(value, "rvs"):
        return _from_scipy(name, value)
    # scikit-learn's messages (code may match them), then what HPOSearchCV takes besides.
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(
                f"Parameter array for {name!r} should be one-dimensional, got: {value!r} with "
                f"shape {value.shape}"
            )
        value = tuple(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, range)):
        raise TypeError(
            f"Parameter grid for parameter {name!r} needs to be a list or a numpy array, but "
            f"got {value!r} (of type {type(value).__name__}) instead. Single values need to "
            "be wrapped in a list with one element. (HPOSearchCV also takes a distribution "
            "with an 'rvs' method or an sk_hpo distribution.)"
        )
    values = tuple(value)
    if not values:
        raise ValueError(
            f"Parameter grid for parameter {name!r} need to be a non-empty sequence, got: "
            f"{value!r}"
        )
    _warn_if_skopt_dimension(name, values)
    return _from_list(name, values)


_SKOPT_PRIORS = {"uniform": "uniform(low, high - low)", "log-uniform": "loguniform(low, high)"}


def _warn_if_skopt_dimension(name: str, values: tuple[Any, ...]) -> None:
    """Warn on ``(low, high, "log-uniform")``: scikit-optimize's range, here 3 choices."""
    if (
        len(values) == 3
        and isinstance(values[2], str)
        and values[2] in _SKOPT_PRIORS
        and all(_is_number(v) for v in values[:2])
    ):
        warn_user(
            f"Parameter {name!r} is the list of 3 choices {values!r}, as in GridSearchCV; if "
            f"you meant scikit-optimize's range, write scipy.stats.{_SKOPT_PRIORS[values[2]]} "
            "(or an sk_hpo.distributions.FloatDistribution)."
        )
