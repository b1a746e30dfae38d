"""The interface an objective sees: ``suggest_*``, ``report``, ``should_prune``, attributes.

:class:`~sk_hpo.trial.Trial` (a running trial), :class:`~sk_hpo.trial.FrozenTrial` (a finished
one, replayed) and :class:`~sk_hpo.trial.FixedTrial` (parameters given by hand) differ only in
``_suggest``, how a named distribution becomes a value.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from sk_hpo._warnings import warn_user
from sk_hpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    check_distribution_compatibility,
)

__all__ = ["BaseTrial"]


class BaseTrial(abc.ABC):
    """Base class of the objects an objective receives.

    Subclasses implement ``_suggest(name, distribution)``, ``report``, ``should_prune`` and
    ``set_user_attr``; the ``suggest_*`` methods build the distribution and call ``_suggest``.

    Examples
    --------
    >>> from sk_hpo.trial import BaseTrial, FixedTrial
    >>> isinstance(FixedTrial({"x": 1.0}), BaseTrial)
    True
    """

    __slots__ = ()

    @abc.abstractmethod
    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        """The value of parameter ``name``, drawn from (or checked against) ``distribution``."""

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at ``step``."""

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Whether the trial should stop at its last reported step."""

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serializable ``value`` to the trial under ``key``."""

    def suggest_float(
        self,
        name: str,
        low: float,
        high: float,
        *,
        step: float | None = None,
        log: bool = False,
    ) -> float:
        """Suggest a float in ``[low, high]``; see :class:`~sk_hpo.distributions.FloatDistribution`.

        Examples
        --------
        >>> import sk_hpo
        >>> trial = sk_hpo.create_study().ask()
        >>> 1e-5 <= trial.suggest_float("lr", 1e-5, 1e-1, log=True) <= 1e-1
        True
        """
        return self._suggest(name, FloatDistribution(low, high, log=log, step=step))

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        """Suggest an integer in ``[low, high]``; see :class:`~sk_hpo.distributions.IntDistribution`.

        Examples
        --------
        >>> import sk_hpo
        >>> trial = sk_hpo.create_study().ask()
        >>> trial.suggest_int("n_layers", 1, 3) in (1, 2, 3)
        True
        """
        return self._suggest(name, IntDistribution(low, high, log=log, step=step))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        """Suggest one of ``choices``; see :class:`~sk_hpo.distributions.CategoricalDistribution`.

        Examples
        --------
        >>> import sk_hpo
        >>> trial = sk_hpo.create_study().ask()
        >>> trial.suggest_categorical("kernel", ["rbf", "linear"]) in ("rbf", "linear")
        True
        """
        return self._suggest(name, CategoricalDistribution(choices))

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high)``."""
        _warn_deprecated("suggest_uniform", "suggest_float(name, low, high)")
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high, log=True)``."""
        _warn_deprecated("suggest_loguniform", "suggest_float(name, low, high, log=True)")
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high, step=q)``."""
        _warn_deprecated("suggest_discrete_uniform", "suggest_float(name, low, high, step=q)")
        return self.suggest_float(name, low, high, step=q)


def _warn_deprecated(old: str, new: str) -> None:
    warn_user(
        f"Trial.{old} is deprecated and will be removed in a future version; use "
        f"trial.{new} instead.",
        FutureWarning,
    )


def replay_value(
    owner: str,
    params: dict[str, Any],
    distributions: dict[str, BaseDistribution],
    name: str,
    distribution: BaseDistribution,
) -> Any:
    """The given value of ``name`` for a trial that does not sample (frozen or fixed).

    A value outside ``distribution`` is returned with a warning (the objective may have changed
    its range since); a distribution of another kind than the one recorded raises.
    """
    if name not in params:
        raise ValueError(
            f"{owner} has no value for parameter {name!r} (it has {sorted(params)!r}); "
            "give every parameter the objective suggests."
        )
    if name in distributions:
        check_distribution_compatibility(distributions[name], distribution)
    value = params[name]
    try:
        inside = distribution._contains(distribution.to_internal_repr(value))
    except (ValueError, TypeError):
        inside = False
    if not inside:
        warn_user(
            f"The value {value!r} of parameter {name!r} in {owner} is out of the range of the "
            f"distribution {distribution!r}; it is used as it is."
        )
    return value
