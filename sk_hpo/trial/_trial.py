from __future__ import annotations

import datetime
import numbers
from typing import TYPE_CHECKING, Any

from sk_hpo._validation import REAL, STR, InvalidParameterError, check_param, int_range
from sk_hpo._warnings import warn_user
from sk_hpo.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    check_distribution_compatibility,
    check_same_kind,
)
from sk_hpo.trial._base import BaseTrial
from sk_hpo.trial._constraints import constraints_of, new_constraint
from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["Trial"]

_NOT_RELATIVE = object()  # no usable joint proposal for a parameter (None is a valid value)


class Trial(BaseTrial):
    """A running trial: the objective's handle to suggest parameters and report progress.

    Trials are created by :meth:`Study.ask` or :meth:`Study.optimize`, not directly.

    Examples
    --------
    >>> import sk_hpo
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -10, 10)
    ...     n = trial.suggest_int("n", 1, 4)
    ...     kind = trial.suggest_categorical("kind", ["a", "b"])
    ...     return (x - 2) ** 2 + n + (kind == "b")
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(objective, n_trials=5)
    >>> len(study.trials)
    5
    """

    def __init__(self, study: Study, frozen: FrozenTrial) -> None:
        self.study = study
        self._trial_id = frozen._trial_id
        self._number = frozen.number
        self._datetime_start = frozen.datetime_start
        self._params: dict[str, Any] = dict(frozen.params)
        self._internal: dict[str, float] = dict(frozen.internal_params)
        self._distributions: dict[str, BaseDistribution] = dict(frozen.distributions)
        self._user_attrs: dict[str, Any] = dict(frozen.user_attrs)
        self._system_attrs: dict[str, Any] = dict(frozen.system_attrs)
        self._intermediate: dict[int, float] = dict(frozen.intermediate_values)
        self._relative_space: dict[str, BaseDistribution] | None = None
        self._relative_params: dict[str, Any] = {}

    # -- read-only views -------------------------------------------------------------------------

    @property
    def number(self) -> int:
        """Number of the trial in its study, from 0."""
        return self._number

    @property
    def storage(self) -> Any:
        """The storage of the trial's study (Optuna's ``trial.storage``)."""
        return self.study._storage

    @property
    def params(self) -> dict[str, Any]:
        """Parameters suggested so far (a copy)."""
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        return dict(self._system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._datetime_start

    @property
    def relative_params(self) -> dict[str, Any]:
        """The sampler's joint proposals for this trial (computed at the first suggestion)."""
        self._ensure_relative()
        return dict(self._relative_params)

    def _frozen(self) -> FrozenTrial:
        """Snapshot of the trial from this process's view (no storage read)."""
        from sk_hpo.trial._state import TrialState

        return FrozenTrial(
            number=self._number,
            state=TrialState.RUNNING,
            value=None,
            datetime_start=self._datetime_start,
            datetime_complete=None,
            params=dict(self._params),
            distributions=dict(self._distributions),
            user_attrs=dict(self._user_attrs),
            system_attrs=dict(self._system_attrs),
            intermediate_values=dict(self._intermediate),
            trial_id=self._trial_id,
            internal_params=dict(self._internal),
        )

    # -- suggestions -----------------------------------------------------------------------------

    def _ensure_relative(self) -> None:
        """Ask the sampler for its joint proposals, once, at the first suggestion.

        As in Optuna, ``sample_relative`` is called even when the relative space is empty.
        """
        if self._relative_space is not None:
            return
        sampler = self.study.sampler
        frozen = self._frozen()
        self._relative_space = sampler.infer_relative_search_space(self.study, frozen)
        self._relative_params = sampler.sample_relative(self.study, frozen, self._relative_space)

    def _relative_value(self, name: str, distribution: BaseDistribution) -> Any:
        """The sampler's joint proposal for ``name`` when it fits ``distribution``, else
        ``_NOT_RELATIVE``."""
        self._ensure_relative()
        assert self._relative_space is not None
        if name not in self._relative_params:
            return _NOT_RELATIVE
        space = self._relative_space.get(name)
        if space is None:
            raise ValueError(
                f"The sampler's sample_relative returned {name!r}, which is not in the relative "
                f"search space it inferred ({sorted(self._relative_space)!r}); a sampler must "
                "sample only the parameters of that space."
            )
        value = self._relative_params[name]
        check_same_kind(space, distribution)
        try:
            inside = distribution._contains(distribution.to_internal_repr(value))
        except (TypeError, ValueError):
            inside = False
        return value if inside else _NOT_RELATIVE

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        check_param("Trial.suggest_*", "name", name, [STR])
        if name in self._distributions:
            first = self._distributions[name]
            if first != distribution:
                check_distribution_compatibility(first, distribution)
                warn_user(
                    f"Parameter {name!r} was already suggested in trial #{self._number} with "
                    f"{first!r}; the value of that first call is returned and {distribution!r} "
                    "is ignored. Use the same arguments, or another name.",
                    RuntimeWarning,
                )
            return self._params[name]
        self.study._check_param_kind(name, distribution)

        fixed = self._system_attrs.get("fixed_params", {})
        if name in fixed:
            value = fixed[name]
            if isinstance(distribution, CategoricalDistribution):
                internal = distribution.to_internal_repr(value)
                value = distribution.to_external_repr(internal)
            else:
                internal = distribution.to_internal_repr(value)
            if not distribution._contains(internal):
                warn_user(
                    f"The fixed value {value!r} of parameter {name!r} lies outside "
                    f"{distribution!r}; it is used as it is."
                )
        elif distribution.single():
            value = distribution.to_external_repr(
                0.0 if isinstance(distribution, CategoricalDistribution) else distribution.low
            )
        else:
            value = self._relative_value(name, distribution)
            if value is _NOT_RELATIVE:
                value = self.study.sampler.sample_independent(
                    self.study, self._frozen(), name, distribution
                )
        internal = distribution.to_internal_repr(value)
        value = distribution.to_external_repr(internal)
        self.study._storage.set_trial_param(self._trial_id, name, internal, distribution)
        self._params[name] = value
        self._internal[name] = internal
        self._distributions[name] = distribution
        return value

    # -- progress --------------------------------------------------------------------------------

    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at ``step`` (an epoch, a fold, ...).

        Reporting the same step twice keeps the first value and warns.

        Examples
        --------
        >>> import sk_hpo
        >>> trial = sk_hpo.create_study().ask()
        >>> trial.report(0.5, step=0)
        """
        self._refuse_multi_objective("report")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            try:
                value = float(value)  # numpy scalars and 0-d arrays
            except (TypeError, ValueError):
                raise InvalidParameterError(
                    f"The 'value' parameter of Trial.report must be {REAL.text}. "
                    f"Got {value!r} instead."
                ) from None
        step = _checked_step(step)
        if step in self._intermediate:
            warn_user(
                f"Trial #{self._number} already reported a value at step {step}; the new value "
                f"{value!r} is ignored."
            )
            return
        value = float(value)
        self.study._storage.set_trial_intermediate_value(self._trial_id, step, value)
        self._intermediate[step] = value

    def should_prune(self) -> bool:
        """Ask the study's pruner whether to stop this trial at its last reported step.

        Raises NotImplementedError in a study of several objectives, as Optuna does.
        """
        self._refuse_multi_objective("should_prune")
        frozen = self.study._storage.get_trial(self._trial_id)
        return bool(self.study.pruner.prune(self.study, frozen))

    def _refuse_multi_objective(self, method: str) -> None:
        if self.study._is_multi_objective():
            raise NotImplementedError(
                f"Trial.{method} is not supported in a study of several objectives "
                f"({len(self.study.directions)} directions): pruners compare one value per "
                "step. Report and prune only in single-objective studies."
            )

    @property
    def constraints(self) -> dict[str, float]:
        """The constraint values set so far, by name (feasible when all are <= 0)."""
        return constraints_of(self._system_attrs)

    def set_constraint(self, key: str, value: float) -> None:
        """Set constraint ``key`` of the trial to ``value``; feasible when all are <= 0.

        Setting the same constraint twice keeps the first value and warns (as Optuna). The
        best trials (:attr:`~sk_hpo.study.Study.best_trial`, ``best_trials``),
        :class:`~sk_hpo.samplers.TPESampler` and :class:`~sk_hpo.samplers.NSGAIISampler`
        prefer feasible trials.

        Examples
        --------
        >>> import sk_hpo
        >>> trial = sk_hpo.create_study().ask()
        >>> trial.set_constraint("latency", 0.2 - 0.5)
        >>> trial.constraints
        {'latency': -0.3}
        """
        new = new_constraint(self._system_attrs, self._number, key, value)
        if new is not None:
            self.set_system_attr(*new)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serializable ``value`` to the trial under ``key``."""
        self.study._storage.set_trial_user_attr(self._trial_id, key, value)
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Attach library-internal data (used by samplers, pruners and HPOSearchCV)."""
        self.study._storage.set_trial_system_attr(self._trial_id, key, value)
        self._system_attrs[key] = value

    def __repr__(self) -> str:
        return f"Trial(number={self._number}, params={self._params!r})"


def _checked_step(step: Any) -> int:
    """``step`` as an int: an integral float (``1.0``) is accepted, as Optuna does."""
    if isinstance(step, numbers.Real) and not isinstance(step, bool) and float(step).is_integer():
        step = int(step)
    check_param("Trial.report", "step", step, [int_range(0)])
    return step
