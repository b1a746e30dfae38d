from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import InvalidParameterError, check_param, instance_of
from sk_hpo._warnings import warn_user
from sk_hpo.distributions import BaseDistribution
from sk_hpo.exceptions import SearchSpaceExhausted
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["GridSampler"]

GRID_ID_ATTR = "grid_id"


def _value_token(value: Any) -> Any:
    """A process-independent JSON token of a grid value: the value, or its type's name."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _grid_fingerprint(space: dict[str, list[Any]]) -> str:
    """Short hash of the grid, the same in every process that builds the same grid."""
    tokens = [[name, [_value_token(v) for v in values]] for name, values in space.items()]
    return hashlib.sha256(json.dumps(tokens).encode()).hexdigest()[:12]


def _equal(a: Any, b: Any) -> bool:
    try:
        return a is b or bool(a == b)
    except (TypeError, ValueError):  # e.g. arrays: elementwise comparison has no truth value
        return False


class GridSampler(BaseSampler):
    """Evaluate every point of a grid exactly once.

    Grid points are the product of the given values, parameter names in sorted order and the
    last name varying fastest (the order of scikit-learn's ``ParameterGrid``). Each trial
    claims one point atomically in the storage, so threads and processes sharing a study
    never evaluate a point twice; when every point is claimed, ``optimize`` stops.

    Parameters
    ----------
    search_space : dict of str to sequence
        The values of each parameter; any objects, estimators included.
    seed : int, default=None
        None walks the grid in order; an int walks it in an order shuffled by that seed.

    Attributes
    ----------
    n_grid : int
        Number of grid points.

    Notes
    -----
    A point is claimed for good by the trial that takes it: a trial that fails or is pruned
    is not retried. Only a trial that was not evaluated gives its point back, for another
    worker to evaluate: one interrupted (Ctrl-C) or whose process died (failed as stale by a
    storage with heartbeats). Claims are keyed by a fingerprint of the grid
    (parameter names and values; values that are not JSON scalars, such as estimators, by
    their type), so a study resumed with a different grid walks the new grid in full.

    A trial queued with :meth:`~sk_hpo.study.Study.enqueue_trial` takes the first free grid
    point that agrees with its fixed values, or no point when none agrees; its other grid
    parameters come from that point.

    Every parameter the objective suggests must be in the grid (a grid value outside the
    suggested range is used, with a warning, as in Optuna); parameters of the grid that
    a trial does not suggest (a conditional objective) are simply left out of that trial.

    Examples
    --------
    >>> import sk_hpo
    >>> sampler = GridSampler({"x": [0, 1], "kind": ["a", "b"]})
    >>> study = sk_hpo.create_study(sampler=sampler)
    >>> def objective(t):
    ...     return t.suggest_int("x", 0, 1) + (t.suggest_categorical("kind", ["a", "b"]) == "b")
    >>> study.optimize(objective, n_trials=10)
    >>> [(t.params["kind"], t.params["x"]) for t in study.trials]
    [('a', 0), ('a', 1), ('b', 0), ('b', 1)]
    """

    def __init__(self, search_space: Mapping[str, Sequence[Any]], seed: int | None = None) -> None:
        check_param(
            "GridSampler",
            "search_space",
            search_space,
            [instance_of(Mapping, "a dict of parameter names to lists of values")],
        )
        space: dict[str, list[Any]] = {}
        for name in sorted(search_space):
            values = search_space[name]
            if not isinstance(values, (str, bytes)) and not isinstance(values, Sequence):
                try:
                    values = list(values)
                except TypeError:
                    values = None
            if values is None or isinstance(values, (str, bytes)):
                raise InvalidParameterError(
                    f"The \"search_space[{name!r}]\" parameter of GridSampler must be a list. "
                    f"Got {search_space[name]!r} instead."
                )
            if len(values) == 0:
                raise ValueError(
                    f"The values of {name!r} in the GridSampler search_space must not be empty; "
                    f"give at least one value or drop the parameter. Got {values!r} instead."
                )
            space[name] = list(values)
        self._space = space
        self._names = list(space)
        self._sizes = [len(space[n]) for n in self._names]
        self.n_grid = math.prod(self._sizes)
        self._seed = seed
        self._order = (
            np.arange(self.n_grid)
            if seed is None
            else np.random.default_rng(seed).permutation(self.n_grid)
        ).tolist()
        self._key_prefix = f"grid:{_grid_fingerprint(space)}:"
        self._grid_of_trial: dict[int, int] = {}

    def grid_point(self, grid_id: int) -> dict[str, Any]:
        """The parameter values of grid point ``grid_id`` (``0 <= grid_id < n_grid``)."""
        point = {}
        for name, size in zip(reversed(self._names), reversed(self._sizes)):
            grid_id, index = divmod(grid_id, size)
            point[name] = self._space[name][index]
        return {name: point[name] for name in self._names}

    def _claimed(self, study: Study) -> set[str]:
        return study.claims.claimed(prefix=self._key_prefix)

    def _agrees(self, grid_id: int, fixed: Mapping[str, Any]) -> bool:
        point = self.grid_point(grid_id)
        return all(_equal(point[n], v) for n, v in fixed.items() if n in point)

    def is_adaptive(self) -> bool:
        """False: proposals do not depend on results."""
        return False

    def is_exhausted(self, study: Study) -> bool:
        return len(self._claimed(study)) >= self.n_grid

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        fixed = trial.system_attrs.get("fixed_params", {})
        claimed = self._claimed(study)
        for grid_id in self._order:
            key = f"{self._key_prefix}{grid_id}"
            if key in claimed or (fixed and not self._agrees(grid_id, fixed)):
                continue
            if study.claims.claim(trial, key):
                study._storage.set_trial_system_attr(trial._trial_id, GRID_ID_ATTR, grid_id)
                self._grid_of_trial[trial._trial_id] = grid_id
                return
        if fixed:
            return  # an enqueued trial off the grid (or on a taken point) runs as queued
        raise SearchSpaceExhausted(
            f"All {self.n_grid} points of the GridSampler grid are taken; the study is done."
        )

    def after_trial(self, study: Study, trial: FrozenTrial, state: Any, value: Any) -> None:
        self._grid_of_trial.pop(trial._trial_id, None)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name not in self._space:
            raise ValueError(
                f"Parameter {param_name!r} is not in the grid of GridSampler (its parameters "
                f"are {self._names!r}); add its values to search_space."
            )
        grid_id = self._grid_of_trial.get(trial._trial_id)
        if grid_id is None:  # the trial was started by another sampler object
            grid_id = study._storage.get_trial(trial._trial_id).system_attrs.get(GRID_ID_ATTR)
        if grid_id is None:
            raise ValueError(
                f"Trial #{trial.number} holds no grid point: it was enqueued with fixed values "
                f"that match no free point of the grid; enqueue a value for {param_name!r} too."
            )
        value = self.grid_point(int(grid_id))[param_name]
        internal = param_distribution.to_internal_repr(value)
        if not param_distribution._contains(internal):
            warn_user(
                f"The grid value {value!r} of {param_name!r} is outside {param_distribution!r}; "
                "it is used as it is (make the suggested range cover the grid to silence this)."
            )
        return value

    def __repr__(self) -> str:
        return f"GridSampler(search_space={self._space!r}, seed={self._seed!r})"
