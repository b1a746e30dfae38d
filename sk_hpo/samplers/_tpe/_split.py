"""Which finished trials are *good* for the TPE sampler: one objective or several, with or
without constraints, as Optuna 5's TPESampler splits them.

The good group is filled in this order until it holds ``n_good`` trials:

1. feasible COMPLETE trials: by value (one objective), or front by front with the last
   front cut by hypervolume (several, :mod:`~sk_hpo.samplers._tpe._multi_objective`);
2. feasible PRUNED trials: deeper (larger last step) first, then by last reported value;
3. infeasible trials (COMPLETE or PRUNED), by increasing total violation.

Notations
---------
n : number of finished trials to split.
m : number of objectives.
keys : array of shape (n, 3); :func:`~sk_hpo.samplers._tpe._observations.rank_key` rows.
values : array of shape (n, m); objective values of COMPLETE trials (NaN otherwise).
violation : array of shape (n,); total positive constraint value (0 when feasible).
signs : array of shape (m,); +1 to minimise, -1 to maximise an objective.
"""

from __future__ import annotations

import numpy as np

from sk_hpo.samplers._budgets import rank
from sk_hpo.samplers._tpe._multi_objective import contribution_weights, split_front

__all__ = ["split_good"]


def split_good(
    keys: np.ndarray,
    values: np.ndarray,
    violation: np.ndarray,
    n_good: int,
    signs: np.ndarray,
    *,
    weigh_by_contribution: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Positions of the good trials, and their weights (or None for the usual ones).

    Weights (in the order of the positions) are returned for several objectives with
    ``weigh_by_contribution``: the good feasible COMPLETE trials weigh by their hypervolume
    contribution, the other good trials by the smallest of those weights.

    Examples
    --------
    >>> keys = np.array([[0.0, 0, 3.0], [0.0, 0, 1.0], [0.0, 0, 2.0]])
    >>> good, _ = split_good(keys, keys[:, 2:], np.array([0.0, 0.0, 1.0]), 2, np.ones(1))
    >>> good.tolist()
    [1, 0]
    """
    n = len(keys)
    n_good = int(min(max(n_good, 0), n))
    sign = float(signs[0])
    if len(signs) == 1 and not np.any(violation > 0):
        return rank(keys, sign)[:n_good], None
    feasible = ~(violation > 0)
    complete = feasible & (keys[:, 0] == 0)
    idx_complete = np.flatnonzero(complete)
    k = min(n_good, idx_complete.size)
    if len(signs) == 1:
        good = idx_complete[rank(keys[idx_complete], sign)[:k]]
    else:
        loss = values[idx_complete] * signs
        good = idx_complete[split_front(loss, k)]
    rest = n_good - good.size
    if rest > 0:
        idx_pruned = np.flatnonzero(feasible & ~complete)
        good = np.append(good, idx_pruned[rank(keys[idx_pruned], sign)[:rest]])
        rest = n_good - good.size
    if rest > 0:
        idx_bad = np.flatnonzero(~feasible)
        good = np.append(good, idx_bad[np.argsort(violation[idx_bad], kind="stable")[:rest]])
    good = good.astype(int)
    if len(signs) == 1 or not weigh_by_contribution:
        return good, None
    weights = np.ones(good.size)
    is_mo = complete[good]
    if np.any(is_mo):
        w = contribution_weights(values[good[is_mo]] * signs)
        weights[is_mo] = w
        weights[~is_mo] = w.min()
    return good, weights
