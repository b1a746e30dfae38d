"""Orchestration of :func:`get_param_importances`: trials to features, forest, importances."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import INT, NONE, check_param
from sk_hpo.importance._fanova import forest_importances, leaf_boxes
from sk_hpo.importance._trials import (
    ParamDomain,
    Target,
    completed_trials,
    param_domains,
    resolve_study,
)

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["get_param_importances"]

_N_TREES = 64
_MAX_DEPTH = 64
# Half the features per split: a parameter whose effect needs several splits (a middle
# category) is not crowded out by the strongest one; measured to recover known importances
# from 100-200 random trials better than all features or bootstrapping.
_MAX_FEATURES = 0.5
_DEFAULT_SEED = 0


def get_param_importances(
    study: Study | Any,
    *,
    params: list[str] | None = None,
    target: Target | None = None,
    seed: int | None = None,
) -> dict[str, float]:
    """How much of the objective's variance each parameter explains on its own (fANOVA).

    A random forest (scikit-learn's ``RandomForestRegressor``: 64 trees, half the features
    considered at each split, no bootstrap) is fitted to the COMPLETE trials, each parameter
    on its own scale (log for log parameters; for a categorical one, its choices ranked by
    their mean objective). Each tree's main-effect variances are computed exactly from its
    partition of the search space under the uniform measure, as fractions of the tree's
    variance; the fractions are averaged over the trees and normalized to sum to 1.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    params : list of str, default=None
        Parameters to rank. None means the parameters that every COMPLETE trial has (a
        conditional parameter is left out); given names keep only the trials that have them
        all.
    target : callable, default=None
        ``target(frozen_trial) -> float`` to explain instead of the objective value.
    seed : int, default=None
        Seed of the forest. None means 0: the result is deterministic; pass other seeds to
        see how stable the estimate is.

    Returns
    -------
    dict of str to float
        Importances summing to 1, in decreasing order (ties by name). Equal shares when the
        objective does not vary.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", 0, 1)
    ...     y = trial.suggest_float("y", 0, 1)
    ...     return 10 * x + y
    >>> study.optimize(objective, n_trials=40)
    >>> importances = get_param_importances(study)
    >>> list(importances), round(sum(importances.values()), 6)
    (['x', 'y'], 1.0)
    """
    owner = "get_param_importances"
    study = resolve_study(study, owner)
    check_param(owner, "seed", seed, [INT, NONE])
    trials, values = completed_trials(study, target, owner)
    domains = param_domains(trials, params, owner)
    if params is None:
        domains = {n: d for n, d in domains.items() if all(n in t.params for t in trials)}
    elif not domains:
        raise ValueError(
            f"The 'params' parameter of {owner} must name at least one parameter. "
            f"Got {params!r} instead."
        )
    keep = np.array([all(n in t.params for n in domains) for t in trials], dtype=bool)
    trials = [t for t, k in zip(trials, keep) if k]
    values = values[keep]
    if not domains or len(trials) < 2:
        raise ValueError(
            f"{owner} needs at least 2 COMPLETE trials with finite values sharing at least one "
            f"parameter. Got {len(trials)} trial(s) and parameters {list(domains)!r} instead; "
            "run more trials first."
        )
    X = np.column_stack(
        [_cell_unit(d, _ordered(d, d.values(trials), values)) for d in domains.values()]
    )
    from sklearn.ensemble import RandomForestRegressor  # imported lazily: slow to import

    forest = RandomForestRegressor(
        n_estimators=_N_TREES,
        max_depth=_MAX_DEPTH,
        max_features=_MAX_FEATURES,
        bootstrap=False,
        random_state=_DEFAULT_SEED if seed is None else int(seed),
    )
    forest.fit(X, values)
    trees = (
        leaf_boxes(
            est.tree_.children_left,
            est.tree_.children_right,
            est.tree_.feature,
            est.tree_.threshold,
            est.tree_.value.ravel(),
            X.shape[1],
        )
        for est in forest.estimators_
    )
    importances = forest_importances(trees, X.shape[1])
    ranked = sorted(zip(domains, importances.tolist()), key=lambda p: (-p[1], p[0]))
    return dict(ranked)


def _ordered(domain: ParamDomain, index: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Renumber a categorical parameter's choices by their mean objective.

    A tree then separates any group of choices with one split (a middle choice would need
    two), so the forest finds categorical effects from fewer trials. The main effects do not
    depend on the order of the choices: each keeps a cell of the same width.
    """
    if not domain.is_categorical:
        return index
    n = len(domain.labels)
    codes = index.astype(int)
    counts = np.bincount(codes, minlength=n)
    sums = np.bincount(codes, weights=y, minlength=n)
    means = np.divide(sums, counts, out=np.full(n, y.mean()), where=counts > 0)
    rank = np.empty(n, dtype=int)
    rank[np.argsort(means, kind="stable")] = np.arange(n)
    return rank[codes].astype(float)


def _cell_unit(domain: ParamDomain, values: np.ndarray) -> np.ndarray:
    """Map values to [0, 1] so that the uniform measure weighs each grid point equally.

    A discrete parameter (integers, a float with ``step``, a categorical index) owns the cell
    of half a step on each side of its value; a continuous one maps its bounds to 0 and 1.
    """
    low, high = domain.low, domain.high
    half = 0.5 if domain.is_categorical else 0.5 * (domain.step or 0.0)
    low, high = low - half, high + half
    if domain.log:
        values, low, high = np.log(values), math.log(low), math.log(high)
    if high == low:
        return np.full(len(values), 0.5)
    return np.clip((values - low) / (high - low), 0.0, 1.0)
