from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo.distributions import BaseDistribution
from sk_hpo.exceptions import SearchSpaceExhausted
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["GridSampler"]

_KEY_PREFIX = "grid:"
GRID_ID_ATTR = "grid_id"


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

    Examples
    --------
    >>> import sk_hpo
    >>> sampler = GridSampler({"x": [0, 1], "kind": ["a", "b"]})
    >>> study = sk_hpo.create_study(sampler=sampler)
    >>> study.optimize(
    ...     lambda t: t.suggest_int("x", 0, 1) + (t.suggest_categorical("kind", ["a", "b"]) == "b"),
    ...     n_trials=10,
    ... )
    >>> [(t.params["kind"], t.params["x"]) for t in study.trials]
    [('a', 0), ('a', 1), ('b', 0), ('b', 1)]
    """

    def __init__(self, search_space: Mapping[str, Sequence[Any]], seed: int | None = None) -> None:
        if not isinstance(search_space, Mapping):
            raise TypeError(
                "The 'search_space' parameter of GridSampler must be a dict of parameter names "
                f"to lists of values, got {search_space!r}."
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
                raise TypeError(
                    f"The values of {name!r} in the GridSampler search_space must be a list, "
                    f"got {search_space[name]!r}."
                )
            if len(values) == 0:
                raise ValueError(
                    f"The values of {name!r} in the GridSampler search_space must not be empty."
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
        )
        self._grid_of_trial: dict[int, int] = {}

    def grid_point(self, grid_id: int) -> dict[str, Any]:
        """The parameter values of grid point ``grid_id`` (``0 <= grid_id < n_grid``)."""
        point = {}
        for name, size in zip(reversed(self._names), reversed(self._sizes)):
            grid_id, index = divmod(grid_id, size)
            point[name] = self._space[name][index]
        return {name: point[name] for name in self._names}

    def _claimed(self, study: Study) -> set[str]:
        keys = study._storage.get_claimed_keys(study._study_id)
        return {k for k in keys if k.startswith(_KEY_PREFIX)}

    def is_exhausted(self, study: Study) -> bool:
        return len(self._claimed(study)) >= self.n_grid

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if GRID_ID_ATTR in trial.system_attrs:
            self._grid_of_trial[trial._trial_id] = int(trial.system_attrs[GRID_ID_ATTR])
            return
        claimed = self._claimed(study)
        for grid_id in self._order.tolist():
            key = f"{_KEY_PREFIX}{grid_id}"
            if key in claimed:
                continue
            if study._storage.claim_trial_key(study._study_id, trial._trial_id, key):
                study._storage.set_trial_system_attr(trial._trial_id, GRID_ID_ATTR, grid_id)
                self._grid_of_trial[trial._trial_id] = grid_id
                return
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
        if grid_id is None:
            stored = study._storage.get_trial(trial._trial_id).system_attrs
            grid_id = int(stored[GRID_ID_ATTR])
        value = self.grid_point(grid_id)[param_name]
        internal = param_distribution.to_internal_repr(value)
        if not param_distribution._contains(internal):
            raise ValueError(
                f"The grid value {value!r} of {param_name!r} is not in {param_distribution!r}; "
                "make the suggested range cover the grid."
            )
        return value

    def __repr__(self) -> str:
        return f"GridSampler(search_space={self._space!r}, seed={self._seed!r})"
