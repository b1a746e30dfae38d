"""Multi-objective TPE: which COMPLETE trials are good, and how much each weighs in ``l(x)``.

The good group is filled front by front (non-dominated ranks); the front that does not fit
whole is cut by greedy hypervolume subset selection, as in Optuna 5's TPESampler. Each good
trial may then weigh in the good mixture by its hypervolume contribution within the good
group (MOTPE, Ozaki et al., 2020; off by default, see ``_WEIGH_BY_CONTRIBUTION`` in
:mod:`sk_hpo.samplers._tpe.sampler`).

Notations
---------
n : number of COMPLETE feasible trials.
m : number of objectives (>= 2).
loss : array of shape (n, m); objective values, each to be minimised.
k : size of the good group, ``0 <= k <= n``.
"""

from __future__ import annotations

import numpy as np

from sk_hpo._pareto import greedy_hypervolume_subset, hypervolume_contributions, leading_ranks

__all__ = ["contribution_weights", "nadir_reference", "split_front"]

# Smallest weight of a good trial, relative to the largest contribution: a dominated good
# trial (no contribution of its own) still keeps a little mass in l(x).
_MIN_WEIGHT = 1e-3


def nadir_reference(loss: np.ndarray) -> np.ndarray:
    """A reference point just worse than every point: the worst value of each objective
    moved out by 10% of its magnitude (a worst value of 0 becomes a small positive number).

    Examples
    --------
    >>> nadir_reference(np.array([[1.0, -2.0], [0.0, -4.0]])).tolist()
    [1.1, -1.8]
    """
    worst = np.max(loss, axis=0)
    ref = np.maximum(1.1 * worst, 0.9 * worst)
    return np.where(ref == 0, 1e-12, ref)


def split_front(loss: np.ndarray, k: int) -> np.ndarray:
    """Mask of the ``k`` good points: whole leading fronts, then the next front cut by
    greedy hypervolume subset selection (reference: :func:`nadir_reference` of that front).

    Examples
    --------
    >>> loss = np.array([[1.0, 4.0], [4.0, 1.0], [2.0, 2.0], [3.0, 3.0], [5.0, 5.0]])
    >>> split_front(loss, 2).tolist()
    [True, False, True, False, False]
    >>> split_front(loss, 4).tolist()
    [True, True, True, True, False]
    """
    n = len(loss)
    k = int(min(max(k, 0), n))
    good = np.zeros(n, dtype=bool)
    if k == 0:
        return good
    if k == n:
        good[:] = True
        return good
    ranks = leading_ranks(loss, k)
    counts = np.cumsum(np.bincount(ranks))
    whole = int(np.searchsorted(counts, k, side="right"))  # fronts that fit whole
    good = ranks < whole
    missing = k - int(good.sum())
    if missing > 0:
        tied = np.flatnonzero(ranks == whole)
        pts = loss[tied]
        ref = nadir_reference(pts)
        if np.all(np.isfinite(ref)):
            chosen = tied[greedy_hypervolume_subset(pts, missing, ref)]
        else:
            chosen = tied[:missing]
        good[chosen] = True
    return good


def contribution_weights(loss: np.ndarray) -> np.ndarray:
    """Weights of the good points in ``l(x)``: each one's exclusive hypervolume
    contribution within the good group (reference: :func:`nadir_reference`), divided by
    the largest, and at least ``1e-3``. Without finite contributions, all weigh 1.

    Examples
    --------
    >>> contribution_weights(np.array([[1.0, 3.0], [3.0, 1.0], [3.0, 3.0]])).round(3).tolist()
    [1.0, 1.0, 0.001]
    """
    n = len(loss)
    if n == 0:
        return np.ones(0)
    contrib = hypervolume_contributions(loss, nadir_reference(loss))
    top = np.max(contrib)
    if not np.isfinite(top) or top <= 0:
        return np.ones(n)
    return np.maximum(contrib / top, _MIN_WEIGHT)
