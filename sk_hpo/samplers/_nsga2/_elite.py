"""Elite selection and binary tournament of NSGA-II (Deb et al., 2002).

Notations
---------
n : number of candidates (trials of the previous population and its offspring).
m : number of objectives.
loss : array of shape (n, m), every objective minimised.
violation : array of shape (n,) or None; total positive constraint value per candidate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sk_hpo._pareto import crowding_distance, non_dominated_ranks

__all__ = ["rank_and_crowding", "select_elite", "tournament"]


def rank_and_crowding(loss: Any, violation: Any | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Non-domination rank (constrained when ``violation`` is given) and crowding distance
    within each rank, both of shape (n,).

    Examples
    --------
    >>> ranks, crowd = rank_and_crowding([[0, 2], [1, 1], [2, 0], [2, 2]])
    >>> ranks.tolist(), crowd.tolist()
    ([0, 0, 0, 1], [inf, 2.0, inf, inf])
    """
    loss = np.asarray(loss, dtype=float).reshape(len(loss), -1)
    ranks = non_dominated_ranks(loss, violation)
    crowd = np.zeros(len(loss))
    for r in np.unique(ranks):
        members = ranks == r
        crowd[members] = crowding_distance(loss[members])
    return ranks, crowd


def select_elite(loss: Any, size: int, violation: Any | None = None) -> np.ndarray:
    """Indices of the ``size`` best candidates: whole fronts in rank order, the last front
    cut by decreasing crowding distance (ties in index order). Sorted ascending.

    Examples
    --------
    >>> select_elite([[0, 2], [1, 1], [2, 0], [2, 2], [3, 3]], size=3).tolist()
    [0, 1, 2]
    """
    loss = np.asarray(loss, dtype=float).reshape(len(loss), -1)
    if len(loss) <= size:
        return np.arange(len(loss))
    ranks, crowd = rank_and_crowding(loss, violation)
    order = np.lexsort((np.arange(len(loss)), -crowd, ranks))
    return np.sort(order[:size])


def tournament(rng: np.random.Generator, ranks: Any, crowd: Any) -> int:
    """Binary tournament: of two random candidates, the lower rank wins, then the larger
    crowding distance, then a coin flip.

    Examples
    --------
    >>> tournament(np.random.default_rng(0), [0, 0], [1.0, 1.0]) in (0, 1)
    True
    """
    n = len(ranks)
    if n == 1:
        return 0
    a, b = rng.choice(n, size=2, replace=False)
    key_a, key_b = (ranks[a], -crowd[a]), (ranks[b], -crowd[b])
    if key_a == key_b:
        return int(a if rng.random() < 0.5 else b)
    return int(a if key_a < key_b else b)
