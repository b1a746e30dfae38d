"""Which trials a plot or an importance reads, and the search space they span.

Shared by :mod:`sk_hpo.importance` and :mod:`sk_hpo.visualization`: resolving a study (or a
fitted ``HPOSearchCV``), the objective or a user ``target``, and each parameter's merged
range over the trials (dynamic bounds and conditional parameters included).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import NONE, Constraint, check_param
from sk_hpo.distributions import CategoricalDistribution, IntDistribution
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = [
    "ParamDomain",
    "completed_trials",
    "param_domains",
    "resolve_study",
    "shorten",
]

Target = Callable[[FrozenTrial], float]

_LABEL_LENGTH = 30
_STUDY = Constraint(
    lambda v: False,  # checked after the Study and fitted-search cases in resolve_study
    "a Study or a fitted HPOSearchCV (an object with a 'study_' attribute)",
)
_TARGET = Constraint(callable, "a callable taking a FrozenTrial and returning a float")
_NAMES = Constraint(
    lambda v: isinstance(v, Sequence)
    and not isinstance(v, str)
    and all(isinstance(n, str) for n in v),
    "a list of parameter names",
)


def resolve_study(study: Any, owner: str) -> Study:
    """Return ``study`` itself, or the ``study_`` of a fitted search (duck-typed).

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study()
    >>> resolve_study(study, "plot_x") is study
    True
    """
    from sk_hpo.study import Study

    if isinstance(study, Study):
        return study
    inner = getattr(study, "study_", None)
    if isinstance(inner, Study):
        return inner
    if hasattr(study, "fit"):
        raise ValueError(
            f"{owner} needs a fitted search, but {type(study).__name__} has no 'study_' "
            "attribute yet; call fit before plotting."
        )
    return check_param(owner, "study", study, [_STUDY])


def check_target(target: Any, owner: str) -> Target | None:
    """Validate ``target``: None (the trial's value) or a callable ``FrozenTrial -> float``."""
    return check_param(owner, "target", target, [NONE, _TARGET])


def completed_trials(
    study: Study, target: Target | None, owner: str
) -> tuple[list[FrozenTrial], np.ndarray]:
    """COMPLETE trials whose value (or ``target(trial)``) is finite, with those values.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> trials, values = completed_trials(study, lambda t: 2 * t.value, "demo")
    >>> len(trials), values.shape
    (3, (3,))
    """
    target = check_target(target, owner)
    if target is None and study._is_multi_objective():
        raise ValueError(
            f"The 'target' parameter of {owner} is required for a study of several objectives "
            f"({len(study.directions)} directions): pass e.g. target=lambda t: t.values[0] "
            "(and target_name=...)."
        )
    kept, values = [], []
    for trial in study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        value = trial.value if target is None else target(trial)
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise TypeError(
                f"The 'target' of {owner} must return a float, but returned {value!r} for "
                f"trial #{trial.number}."
            ) from None
        if math.isfinite(value):
            kept.append(trial)
            values.append(value)
    return kept, np.asarray(values, dtype=float)


def shorten(label: str, length: int = _LABEL_LENGTH) -> str:
    """``label`` cut to ``length`` characters with an ellipsis (for estimator reprs)."""
    return label if len(label) <= length else label[: length - 1] + "\u2026"


@dataclasses.dataclass(frozen=True)
class ParamDomain:
    """The range of one parameter over a set of trials.

    Attributes
    ----------
    name : str
    kind : {"float", "int", "categorical"}
    log : bool
        Whether the parameter was searched on a log scale.
    low, high : float
        Bounds, merged over the trials (a dynamic space may change them); for a categorical
        parameter, 0 and ``len(labels) - 1``.
    step : float or None
        Grid spacing of a discrete numeric parameter (1 for integers), None for a continuous
        one or when trials disagree.
    labels : tuple of str
        Categorical choices as text, shortened (empty for numeric parameters).
    keys : tuple of str
        The ``repr`` of each categorical choice, used to find a trial's choice.
    """

    name: str
    kind: str
    log: bool
    low: float
    high: float
    step: float | None = None
    labels: tuple[str, ...] = ()
    keys: tuple[str, ...] = dataclasses.field(default=(), repr=False)

    @property
    def is_categorical(self) -> bool:
        return self.kind == "categorical"

    def values(self, trials: Sequence[FrozenTrial]) -> np.ndarray:
        """The parameter in each trial: the number, or the choice index; NaN where absent."""
        out = np.full(len(trials), np.nan)
        for i, trial in enumerate(trials):
            if self.name not in trial.params:
                continue
            value = trial.params[self.name]
            out[i] = self.keys.index(repr(value)) if self.is_categorical else float(value)
        return out

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        """Map :meth:`values` to [0, 1] along the parameter's axis (log-aware); NaN stays NaN.

        Examples
        --------
        >>> d = ParamDomain("lr", "float", True, 1e-3, 1e-1)
        >>> d.to_unit(np.array([1e-3, 1e-2, 1e-1])).round(6).tolist()
        [0.0, 0.5, 1.0]
        """
        values = np.asarray(values, dtype=float)
        low, high = self.low, self.high
        if self.log:
            values, low, high = np.log(values), math.log(low), math.log(high)
        if high == low:
            return np.where(np.isnan(values), np.nan, 0.5)
        return (values - low) / (high - low)


def param_domains(
    trials: Sequence[FrozenTrial], params: Any, owner: str
) -> dict[str, ParamDomain]:
    """The domains of ``params`` (all parameters when None, sorted by name) over ``trials``.

    Raises ``ValueError`` naming any parameter of ``params`` that no trial has.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 1, 10, log=True), n_trials=2)
    >>> param_domains(study.trials, None, "demo")["x"]
    ParamDomain(name='x', kind='float', log=True, low=1.0, high=10.0, step=None, labels=())
    """
    seen: dict[str, list[Any]] = {}
    for trial in trials:
        for name, dist in trial.distributions.items():
            seen.setdefault(name, []).append(dist)
    if params is None:
        names = sorted(seen)
    else:
        names = list(check_param(owner, "params", params, [_NAMES, NONE]))
        unknown = [n for n in names if n not in seen]
        if unknown:
            raise ValueError(
                f"The 'params' parameter of {owner} names parameters that no trial has: "
                f"{unknown!r}; the trials' parameters are {sorted(seen)!r}."
            )
    return {name: _merge(name, seen[name], owner) for name in names}


def _merge(name: str, dists: list[Any], owner: str) -> ParamDomain:
    kinds = {type(d) for d in dists}
    if len(kinds) > 1:
        raise ValueError(
            f"Parameter {name!r} has distributions of several kinds across trials "
            f"({sorted(k.__name__ for k in kinds)}), so {owner} cannot place it on one axis; "
            "leave it out with params=[...]."
        )
    if isinstance(dists[0], CategoricalDistribution):
        keys: list[str] = []
        labels: list[str] = []
        for dist in dists:
            for choice in dist.choices:
                if repr(choice) not in keys:
                    keys.append(repr(choice))
                    labels.append(shorten(str(choice)))
        return ParamDomain(
            name, "categorical", False, 0.0, float(len(keys) - 1), labels=tuple(labels),
            keys=tuple(keys),
        )
    steps = {d.step for d in dists}
    return ParamDomain(
        name,
        "int" if isinstance(dists[0], IntDistribution) else "float",
        all(d.log for d in dists),
        float(min(d.low for d in dists)),
        float(max(d.high for d in dists)),
        step=float(steps.pop()) if len(steps) == 1 and None not in steps else None,
    )
