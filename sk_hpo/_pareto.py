"""Pareto dominance, non-dominated sorting, crowding distance and hypervolume.

Pure functions over arrays, shared by the multi-objective study (``best_trials``), the
NSGA-II sampler and the plots.

Notations
---------
n : number of points (trials).
m : number of objectives.
loss : array of shape (n, m); every objective is *minimised* (a maximised objective is
    negated first, see :func:`to_loss`).
violation : array of shape (n,); the sum of the positive constraint values of each point
    (0 for a feasible point).
reference_point : array of shape (m,); hypervolume is measured up to it.

A point ``a`` dominates ``b`` when ``all(a <= b)`` and ``any(a < b)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "crowding_distance",
    "hypervolume",
    "is_pareto_front",
    "non_dominated_ranks",
    "to_loss",
]


def to_loss(values: Any, directions: Sequence[Any]) -> np.ndarray:
    """``values`` of shape (n, m) as losses: maximised objectives negated.

    Examples
    --------
    >>> to_loss([[1.0, 2.0]], ["minimize", "maximize"]).tolist()
    [[1.0, -2.0]]
    """
    loss = np.array(values, dtype=float).reshape(-1, len(directions))
    signs = np.array([-1.0 if str(d) == "maximize" else 1.0 for d in directions])
    return loss * signs


def _dominates(loss: np.ndarray) -> np.ndarray:
    """``d[i, j]``: point i dominates point j; shape (n, n)."""
    le = np.all(loss[:, None, :] <= loss[None, :, :], axis=2)
    lt = np.any(loss[:, None, :] < loss[None, :, :], axis=2)
    return le & lt


def is_pareto_front(loss: Any) -> np.ndarray:
    """Mask of the non-dominated points (duplicates of a front point are all kept).

    Points are sorted lexicographically, then each is compared only with the front found so
    far: O(n * front size * m) time, O(n * m) memory.

    Examples
    --------
    >>> is_pareto_front([[1, 2], [2, 1], [2, 2], [1, 2]]).tolist()
    [True, True, False, True]
    """
    loss = np.asarray(loss, dtype=float)
    n = len(loss)
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    order = np.lexsort(loss.T[::-1])
    front: list[int] = []
    for i in order:
        if front:
            f = loss[front]
            if np.any(np.all(f <= loss[i], axis=1) & np.any(f < loss[i], axis=1)):
                continue
        front.append(int(i))
    mask[front] = True
    return mask


def non_dominated_ranks(loss: Any, violation: Any | None = None) -> np.ndarray:
    """Rank of each point: 0 for the Pareto front, 1 for the front without it, ...

    With ``violation``, the constrained domination of Deb et al. (2002) ranks: feasible
    points (violation 0) first, by non-dominated sorting; infeasible points after them, by
    increasing total violation (equal violations share a rank).

    Examples
    --------
    >>> non_dominated_ranks([[1, 2], [2, 1], [2, 2], [3, 3]]).tolist()
    [0, 0, 1, 2]
    >>> non_dominated_ranks([[1, 1], [2, 2], [0, 0]], violation=[0, 0, 0.5]).tolist()
    [0, 1, 2]
    """
    loss = np.asarray(loss, dtype=float).reshape(len(loss), -1)
    n = len(loss)
    ranks = np.full(n, -1, dtype=int)
    feasible = np.ones(n, dtype=bool) if violation is None else np.asarray(violation) <= 0
    idx = np.flatnonzero(feasible)
    dominated_by = _dominates(loss[idx])  # (k, k)
    remaining = np.ones(len(idx), dtype=bool)
    rank = 0
    while remaining.any():
        # a remaining point is in this front when no remaining point dominates it
        front = remaining & ~np.any(dominated_by[remaining], axis=0)
        ranks[idx[front]] = rank
        remaining &= ~front
        rank += 1
    if violation is not None and (~feasible).any():
        v = np.asarray(violation, dtype=float)[~feasible]
        _, inverse = np.unique(v, return_inverse=True)
        ranks[~feasible] = rank + inverse
    return ranks


def crowding_distance(loss: Any) -> np.ndarray:
    """Crowding distance of each point of one front (Deb et al., 2002).

    For each objective, the points at either end get ``inf``; the others add the distance
    between their two neighbours, divided by the objective's range (an objective without
    spread adds nothing).

    Examples
    --------
    >>> crowding_distance([[0, 4], [1, 2], [2, 1], [4, 0]]).tolist()
    [inf, 1.25, 1.25, inf]
    """
    loss = np.asarray(loss, dtype=float)
    n, m = loss.shape
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for k in range(m):
        order = np.argsort(loss[:, k], kind="stable")
        v = loss[order, k]
        span = v[-1] - v[0]
        distance[order[0]] = distance[order[-1]] = np.inf
        if span > 0 and np.isfinite(span):
            distance[order[1:-1]] += (v[2:] - v[:-2]) / span
    return distance


def hypervolume(loss: Any, reference_point: Any) -> float:
    """Volume dominated by ``loss`` and bounded by ``reference_point`` (exact).

    Points not strictly better than the reference point in every objective add nothing.
    Two objectives: a sweep over the sorted front, O(n log n). More: slicing along the last
    objective, recursing into the points below each slice (exact, fine for the few hundred
    points of a study's front in 3 or 4 objectives).

    Examples
    --------
    >>> hypervolume([[1, 2], [2, 1]], [3, 3])
    3.0
    """
    loss = np.asarray(loss, dtype=float)
    ref = np.asarray(reference_point, dtype=float)
    if loss.size == 0:
        return 0.0
    loss = loss.reshape(-1, ref.shape[0])
    loss = loss[np.all(loss < ref, axis=1)]
    if len(loss) == 0:
        return 0.0
    loss = loss[is_pareto_front(loss)]
    return float(_hv(loss, ref))


def _hv(loss: np.ndarray, ref: np.ndarray) -> float:
    m = loss.shape[1]
    if m == 1:
        return float(ref[0] - loss[:, 0].min())
    if m == 2:
        order = np.argsort(loss[:, 0], kind="stable")
        x, y = loss[order, 0], np.minimum.accumulate(loss[order, 1])
        widths = np.diff(np.append(x, ref[0]))
        return float(np.sum(widths * (ref[1] - y)))
    order = np.argsort(loss[:, -1], kind="stable")
    pts = loss[order]
    z = np.append(pts[:, -1], ref[-1])
    total = 0.0
    for i in range(len(pts)):
        depth = z[i + 1] - z[i]
        if depth > 0:
            below = pts[: i + 1, :-1]
            below = below[is_pareto_front(below)]
            total += depth * _hv(below, ref[:-1])
    return total
