"""NSGA-II's orchestration: generations, parent populations and children, over the storage."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._pareto import to_loss
from sk_hpo._validation import CALLABLE, NONE, int_range, interval, options, validate_params
from sk_hpo.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.samplers._nsga2._crossover import CROSSOVERS
from sk_hpo.samplers._nsga2._elite import rank_and_crowding, select_elite, tournament
from sk_hpo.samplers._random import sample_uniform
from sk_hpo.samplers._search_space import SearchSpaceTracker
from sk_hpo.samplers._constraints_func import store_constraints
from sk_hpo.trial._constraints import constraints_of, violation
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["NSGAIISampler"]

GENERATION_KEY = "nsga2:generation"  # trial system attr: the generation the trial belongs to
PARENTS_KEY = "nsga2:parents:{}"  # study system attr: trial numbers of a generation's parents


class NSGAIISampler(BaseSampler):
    """Multi-objective genetic search: NSGA-II (Deb et al., 2002), with constraints.

    Trials are grouped in generations of ``population_size`` COMPLETE trials. Generation 0 is
    random; the parents of generation ``g`` are the elite of generation ``g - 1`` and its own
    parents (non-dominated sorting, then crowding distance; feasible trials before
    infeasible ones when constraints are set). Each child takes two parents chosen by binary
    tournament, crosses them over with probability ``crossover_prob``, and re-draws each
    parameter at random with probability ``mutation_prob``.

    The generation of each trial is a trial system attribute, and each generation's parents
    a study system attribute (JSON): several processes sharing a study run one search.

    Parameters
    ----------
    population_size : int, default=50
        COMPLETE trials per generation (at least 2).
    mutation_prob : float, default=None
        Probability of re-drawing each parameter of a child; None means
        ``1 / max(1, number of parameters)``.
    crossover : {"uniform", "blxalpha"}, default="uniform"
        How numeric parameters of two parents mix; categorical parameters always mix as
        ``"uniform"`` does.
    crossover_prob : float, default=0.9
        Probability that a child is a crossover of two parents (else a copy of one).
    swapping_prob : float, default=0.5
        For ``"uniform"``: probability of taking each parameter from the second parent.
    seed : int, default=None
        Seed of the random generator; the same seed gives the same search (one process).
    constraints_func : callable, default=None
        ``constraints_func(frozen_trial) -> sequence of float`` evaluated after each COMPLETE
        or PRUNED trial and stored as its constraints. Optuna 5 deprecates it in favour of
        :meth:`~sk_hpo.trial.Trial.set_constraint` in the objective, which works here too.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(directions=["minimize", "minimize"],
    ...                             sampler=NSGAIISampler(population_size=4, seed=0))
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     return x, (1 - x) ** 2
    >>> study.optimize(objective, n_trials=12)
    >>> sorted({t.system_attrs["nsga2:generation"] for t in study.trials})
    [0, 1, 2]
    """

    def __init__(
        self,
        *,
        population_size: int = 50,
        mutation_prob: float | None = None,
        crossover: str = "uniform",
        crossover_prob: float = 0.9,
        swapping_prob: float = 0.5,
        seed: int | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ) -> None:
        validate_params(
            "NSGAIISampler",
            {"population_size": population_size, "mutation_prob": mutation_prob,
             "crossover": crossover, "crossover_prob": crossover_prob,
             "swapping_prob": swapping_prob, "seed": seed, "constraints_func": constraints_func},
            {
                "population_size": [int_range(2)],
                "mutation_prob": [interval(0, 1), NONE],
                "crossover": [options(*CROSSOVERS)],
                "crossover_prob": [interval(0, 1)],
                "swapping_prob": [interval(0, 1)],
                "seed": [int_range(0), NONE],
                "constraints_func": [CALLABLE, NONE],
            },
        )
        self._population_size = population_size
        self._mutation_prob = mutation_prob
        self._crossover = crossover
        self._crossover_prob = crossover_prob
        self._swapping_prob = swapping_prob
        self._seed = seed
        self._constraints_func = constraints_func
        self._rng = np.random.default_rng(seed)
        # a cache of what finished trials hold (they never change), per study
        self._trackers: weakref.WeakKeyDictionary[Any, SearchSpaceTracker] = (
            weakref.WeakKeyDictionary()
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_trackers"]  # a cache; pickling and copies start without it
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._trackers = weakref.WeakKeyDictionary()

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    # -- generations -------------------------------------------------------------------------

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Record the trial's generation: the newest one, or the next when it is full."""
        trials = study._get_trials(deepcopy=False)
        gens = [t.system_attrs.get(GENERATION_KEY) for t in trials]
        newest = max((g for g in gens if g is not None), default=0)
        full = sum(
            1 for t, g in zip(trials, gens) if g == newest and t.state == TrialState.COMPLETE
        ) >= self._population_size
        study._storage.set_trial_system_attr(
            trial._trial_id, GENERATION_KEY, newest + 1 if full else newest
        )

    def _parents(self, study: Study, generation: int) -> list[FrozenTrial]:
        """The parent population of ``generation`` (>= 1), cached in the study's attributes."""
        attrs = study.system_attrs
        by_number = {t.number: t for t in study._get_trials(deepcopy=False)}
        done = max((g for g in range(1, generation + 1) if PARENTS_KEY.format(g) in attrs),
                   default=0)
        parents = [by_number[n] for n in attrs.get(PARENTS_KEY.format(done), [])]
        for g in range(done + 1, generation + 1):
            seen = {t.number for t in parents}
            offspring = [
                t for t in by_number.values()
                if t.system_attrs.get(GENERATION_KEY) == g - 1
                and t.state == TrialState.COMPLETE and t.number not in seen
            ]
            pool = parents + offspring
            loss = to_loss([t.values for t in pool], study.directions)
            keep = select_elite(loss, self._population_size, _violation_or_none(pool))
            parents = [pool[i] for i in keep]
            study._storage.set_study_system_attr(
                study._study_id, PARENTS_KEY.format(g), [t.number for t in parents]
            )
        return parents

    # -- sampling ----------------------------------------------------------------------------

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        tracker = self._trackers.get(study)
        if tracker is None:
            tracker = self._trackers[study] = SearchSpaceTracker()
        tracker.update(study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
        return tracker.intersection()  # reads only new trials; single values are left out

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        generation = study._storage.get_trial(trial._trial_id).system_attrs.get(GENERATION_KEY, 0)
        if generation == 0 or not search_space:
            return {}
        parents = [p for p in self._parents(study, generation)
                   if all(n in p.params for n in search_space)]
        if len(parents) < 2:
            return {}
        loss = to_loss([p.values for p in parents], study.directions)
        ranks, crowd = rank_and_crowding(loss, _violation_or_none(parents))
        first = parents[tournament(self._rng, ranks, crowd)]
        second = parents[tournament(self._rng, ranks, crowd)]
        names = list(search_space)
        child = {n: first.params[n] for n in names}
        if self._rng.random() < self._crossover_prob:
            child = self._cross(search_space, first, second)
        p_mut = self._mutation_prob
        if p_mut is None:
            p_mut = 1.0 / max(1, len(names))
        drop = self._rng.random(len(names)) < p_mut
        # a dropped parameter is re-drawn by sample_independent: the mutation
        return {n: child[n] for n, d in zip(names, drop) if not d}

    def _cross(self, space: dict[str, BaseDistribution], first: FrozenTrial,
               second: FrozenTrial) -> dict[str, Any]:
        numeric = [n for n, d in space.items() if not isinstance(d, CategoricalDistribution)]
        child: dict[str, Any] = {}
        for name in space:
            if name not in numeric:
                pick = self._rng.random() < self._swapping_prob
                child[name] = (second if pick else first).params[name]
        if numeric:
            x1 = np.array([_to_unit(space[n], first.params[n]) for n in numeric])
            x2 = np.array([_to_unit(space[n], second.params[n]) for n in numeric])
            x = CROSSOVERS[self._crossover](self._rng, x1, x2, self._swapping_prob)
            for n, u in zip(numeric, x):
                child[n] = _from_unit(space[n], float(u))
        return child

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return sample_uniform(self._rng, param_distribution)

    def after_trial(
        self, study: Study, trial: FrozenTrial, state: TrialState, value: Any
    ) -> None:
        """Store ``constraints_func``'s values as the trial's constraints (COMPLETE and PRUNED
        trials, as Optuna)."""
        if self._constraints_func is not None:
            store_constraints(self._constraints_func, study, trial, state, value, "NSGAIISampler")

    def __repr__(self) -> str:
        return (
            f"NSGAIISampler(population_size={self._population_size!r}, "
            f"crossover={self._crossover!r}, seed={self._seed!r})"
        )


def _violation_or_none(trials: list[FrozenTrial]) -> np.ndarray | None:
    """Total positive constraint value per trial; None when no trial has constraints."""
    if not any(constraints_of(t.system_attrs) for t in trials):
        return None
    return violation(trials)


def _bounds(dist: Any) -> tuple[float, float, bool]:
    log = bool(getattr(dist, "log", False))
    low, high = float(dist.low), float(dist.high)
    if isinstance(dist, IntDistribution) and not log:
        low, high = low - 0.5, high + 0.5  # each integer gets an equal share of [0, 1]
    return (np.log(low), np.log(high), True) if log else (low, high, False)


def _to_unit(dist: Any, value: Any) -> float:
    low, high, log = _bounds(dist)
    v = float(value)
    v = np.log(v) if log else v
    return float(np.clip((v - low) / (high - low), 0.0, 1.0))


def _from_unit(dist: Any, u: float) -> Any:
    low, high, log = _bounds(dist)
    v = low + u * (high - low)
    v = float(np.exp(v)) if log else v
    v = min(max(v, float(dist.low)), float(dist.high))
    if dist.step is not None:
        v = dist.low + round((v - dist.low) / dist.step) * dist.step
        v = min(v, dist.high)
    if isinstance(dist, IntDistribution):
        return int(round(v))
    return float(v)
