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
    "greedy_hypervolume_subset",
    "hypervolume",
    "hypervolume_contributions",
    "is_pareto_front",
    "leading_ranks",
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
    if m == 3:
        return _hv3(loss, ref)
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


def _hv3(loss: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume of 3-objective points inside ``ref`` (dominated points allowed), by
    slices along the last objective, all slices at once: O(n^2) numpy.

    Slice ``i`` (between the i-th and next smallest third objective) holds the area dominated
    by the first ``i + 1`` points in the first two objectives: over the x-sorted points, each
    x interval times the height above the lowest y of the points of the slice to its left.
    """
    n = len(loss)
    pts = loss[np.argsort(loss[:, 2], kind="stable")]
    by_x = np.argsort(pts[:, 0], kind="stable")
    x = pts[by_x, 0]
    dx = np.diff(np.append(x, ref[0]))  # (n,) width after each x-sorted point
    # in_slice[i, p]: x-sorted point p is among the first i + 1 points by z
    in_slice = by_x[None, :] <= np.arange(n)[:, None]
    y = np.where(in_slice, pts[by_x, 1][None, :], ref[1])
    height = ref[1] - np.minimum.accumulate(y, axis=1)  # (n, n)
    area = height @ dx  # (n,) area of each slice
    depth = np.diff(np.append(pts[:, 2], ref[2]))
    return float(area @ depth)


def _front_mask_2d(loss: np.ndarray) -> np.ndarray:
    """Mask of the non-dominated points of a 2-objective ``loss``, in O(n log n) numpy.

    In lexicographic order, a point is dominated when an earlier point of smaller first
    objective has a second objective no larger, or an earlier point of the same first
    objective has a smaller second one (equal points do not dominate each other).
    """
    order = np.lexsort((loss[:, 1], loss[:, 0]))
    x, y = loss[order, 0], loss[order, 1]
    start = np.searchsorted(x, x, side="left")  # first point of each equal-x run
    prefix_min = np.minimum.accumulate(y)
    before = np.where(start > 0, prefix_min[np.maximum(start - 1, 0)], np.inf)
    dominated = (before <= y) | (y > y[start])
    mask = np.empty(len(loss), dtype=bool)
    mask[order] = ~dominated
    return mask


def leading_ranks(loss: Any, n_min: int) -> np.ndarray:
    """Non-dominated ranks of the leading fronts, peeled until they hold ``n_min`` points.

    The points of the fronts peeled get their rank (0 for the Pareto front, ...); every
    other point gets the rank after the last front peeled. With ``n_min >= n`` the result
    equals :func:`non_dominated_ranks`. Two objectives peel in O(n log n) numpy per front.

    Examples
    --------
    >>> leading_ranks([[1, 2], [2, 1], [2, 2], [3, 3]], n_min=2).tolist()
    [0, 0, 1, 1]
    >>> leading_ranks([[1, 2], [2, 1], [2, 2], [3, 3]], n_min=4).tolist()
    [0, 0, 1, 2]
    """
    loss = np.asarray(loss, dtype=float)
    n = len(loss)
    loss = loss.reshape(n, -1)
    if loss.shape[1] > 2:
        ranks = non_dominated_ranks(loss)
        counts = np.cumsum(np.bincount(ranks)) if n else np.zeros(0, dtype=int)
        last = int(np.searchsorted(counts, min(n_min, n))) if n else 0
        return np.minimum(ranks, last + 1)
    ranks = np.empty(n, dtype=int)
    remaining = np.arange(n)
    rank, taken = 0, 0
    while remaining.size and taken < n_min:
        sub = loss[remaining]
        front = _front_mask_2d(sub) if loss.shape[1] == 2 else sub[:, 0] == sub[:, 0].min()
        ranks[remaining[front]] = rank
        taken += int(front.sum())
        remaining = remaining[~front]
        rank += 1
    ranks[remaining] = rank
    return ranks


def hypervolume_contributions(loss: Any, reference_point: Any) -> np.ndarray:
    """Exclusive hypervolume of each point: the volume lost when it alone is removed.

    Dominated points, points not better than the reference point and duplicated points
    contribute 0. One hypervolume per front point (O(n log n) each in 2-d, O(n^2) in 3-d).

    Examples
    --------
    >>> hypervolume_contributions([[1, 2], [2, 1], [2, 2]], [3, 3]).tolist()
    [1.0, 1.0, 0.0]
    """
    loss = np.asarray(loss, dtype=float)
    ref = np.asarray(reference_point, dtype=float)
    loss = loss.reshape(-1, ref.shape[0])
    n, m = loss.shape
    contrib = np.zeros(n)
    inside = np.flatnonzero(np.all(loss < ref, axis=1))
    if inside.size == 0:
        return contrib
    pts = loss[inside]
    if m == 1:
        best = pts[:, 0].min()
        winners = np.flatnonzero(pts[:, 0] == best)
        if winners.size == 1:
            second = np.partition(np.append(pts[:, 0], ref[0]), 1)[1]
            contrib[inside[winners[0]]] = second - best
        return contrib
    front = np.flatnonzero(_front_mask_2d(pts) if m == 2 else is_pareto_front(pts))
    # duplicated front points lose nothing when one copy is removed
    _, first, counts = np.unique(pts[front], axis=0, return_index=True, return_counts=True)
    single = front[first[counts == 1]]
    total = _hv(pts[front], ref)
    for i in single:
        # the points i dominated may cover part of its box once it is gone
        rest = np.delete(pts, i, axis=0)
        rest = rest[_front_mask_2d(rest) if m == 2 else is_pareto_front(rest)]
        contrib[inside[i]] = total - (_hv(rest, ref) if len(rest) else 0.0)
    return contrib


def greedy_hypervolume_subset(loss: Any, k: int, reference_point: Any) -> np.ndarray:
    """Indices of ``k`` points of one front chosen greedily to maximise their hypervolume.

    ``loss`` holds mutually non-dominated points (duplicates allowed), e.g. one rank of
    :func:`non_dominated_ranks`. Each step takes the point adding the most hypervolume to the points taken so far
    (ties: the lowest index; a (1 - 1/e)-approximation, Guerreiro et al., 2016). Points
    adding nothing (duplicates, dominated ones) come last, in index order. Two objectives:
    O(k n) numpy; more: lazy greedy, recomputing only the best upper bounds.

    Examples
    --------
    >>> greedy_hypervolume_subset([[1, 3], [2, 2], [3, 1], [2, 2]], 3, [4, 4]).tolist()
    [1, 0, 2]
    """
    loss = np.asarray(loss, dtype=float)
    ref = np.asarray(reference_point, dtype=float)
    loss = loss.reshape(-1, ref.shape[0])
    n, m = loss.shape
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.zeros(0, dtype=int)
    box = np.prod(np.clip(ref - loss, 0.0, None), axis=1)  # gain of each point alone
    if m == 2:
        # each candidate's box is cut by the nearest taken points to its left and right
        order = np.lexsort((-loss[:, 1], loss[:, 0]))  # x ascending
        x, y = loss[order, 0], loss[order, 1]
        cap_x = np.full(n, ref[0])  # smallest x of taken points with larger x
        cap_y = np.full(n, ref[1])  # smallest y of taken points with smaller x
        free = np.ones(n, dtype=bool)
        taken = []
        for _ in range(k):
            gain = np.clip(cap_x - x, 0, None) * np.clip(cap_y - y, 0, None)
            gain = np.where(free, gain, -1.0)
            best = gain.max()
            ties = np.flatnonzero(gain == best)
            j = ties[np.argmin(order[ties])]
            taken.append(order[j])
            free[j] = False
            left = (x < x[j]) | ((x == x[j]) & (y >= y[j]))
            cap_x = np.where(left, np.minimum(cap_x, x[j]), cap_x)
            cap_y = np.where(left, cap_y, np.minimum(cap_y, y[j]))
        return np.array(taken, dtype=int)
    gains = box.copy()  # upper bounds of each point's gain (submodularity)
    free = np.ones(n, dtype=bool)
    taken: list[int] = []
    while len(taken) < k:
        fresh = np.zeros(n, dtype=bool)
        while True:
            cand = np.where(free, gains, -np.inf)
            best = cand.max()
            ties = np.flatnonzero(cand == best)
            j = int(ties[0])
            if fresh[j] or not taken:
                break
            clipped = np.maximum(loss[taken], loss[j])
            clipped = clipped[np.all(clipped < ref, axis=1)]
            if m > 3:
                clipped = clipped[is_pareto_front(clipped)]
            covered = _hv(clipped, ref) if len(clipped) else 0.0
            gains[j] = max(box[j] - covered, 0.0)
            fresh[j] = True
        taken.append(j)
        free[j] = False
    return np.array(taken, dtype=int)
