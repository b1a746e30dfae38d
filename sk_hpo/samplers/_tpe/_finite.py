"""Choosing an unseen configuration in a finite (all-discrete) search space.

TPE scores a few candidates per parameter group and keeps the best. In a finite space the
best candidate is often a configuration that was already evaluated (or is being evaluated):
re-running it wastes a trial. The functions here pick the best-scoring *unseen*
configuration instead, and allow a repeat only when every configuration has been seen.

A configuration is a dict ``name -> internal value`` over the relative search space. In a
conditional space a trial holds only the parameters of its branch; a proposed configuration
``R`` repeats trial ``T`` when ``T``'s parameters all appear in ``R`` with the same values
(``R`` would then follow ``T``'s branch and suggest the same values).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from sk_hpo.samplers._tpe.parzen_estimator import SpaceArrays

__all__ = ["SeenConfigurations", "best_unseen", "grid_values", "grid_sizes"]

# Beyond this many configurations the space is not enumerated: unseen ones are drawn at random.
_ENUMERATION_LIMIT = 20_000
_MAX_HEAP_POPS = 2_000
_N_RANDOM_DRAWS = 2_048


class SeenConfigurations:
    """Configurations of trials, by the set of parameter names they hold.

    Examples
    --------
    >>> seen = SeenConfigurations()
    >>> seen.add({"a": 1.0, "b": 0.0})
    >>> seen.add({"a": 2.0})
    >>> seen.contains({"a": 1.0, "b": 0.0}), seen.contains({"a": 2.0, "b": 1.0})
    (True, True)
    >>> seen.contains({"a": 1.0, "b": 1.0})
    False
    """

    def __init__(self) -> None:
        self._by_names: dict[tuple[str, ...], set[tuple[float, ...]]] = {}

    def add(self, config: dict[str, float]) -> None:
        """Record one configuration (ignored when empty)."""
        if config:
            names = tuple(sorted(config))
            self._by_names.setdefault(names, set()).add(tuple(config[n] for n in names))

    def has_names(self, names: Iterable[str]) -> bool:
        """Whether a configuration with exactly these parameter names was recorded."""
        return tuple(sorted(names)) in self._by_names

    def contains(self, config: dict[str, float]) -> bool:
        """Whether ``config`` repeats a recorded configuration (see module doc)."""
        for names, values in self._by_names.items():
            try:
                key = tuple(config[n] for n in names)
            except KeyError:
                continue
            if key in values:
                return True
        return False


def grid_sizes(space: SpaceArrays) -> np.ndarray:
    """Number of values of each (discrete) column of ``space``, as floats (they can be huge).

    Examples
    --------
    >>> from sk_hpo.distributions import CategoricalDistribution, IntDistribution
    >>> space = SpaceArrays.from_distributions(
    ...     [CategoricalDistribution("abc"), IntDistribution(0, 10, step=5)])
    >>> grid_sizes(space)
    array([3., 3.])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        n_grid = np.round((space.high - space.low) / space.step) + 1
    return np.where(space.is_cat, space.n_choices, n_grid).astype(float)


def grid_values(space: SpaceArrays, j: int) -> np.ndarray:
    """All internal values of discrete column ``j`` (choice indices for a categorical)."""
    if space.is_cat[j]:
        return np.arange(space.n_choices[j], dtype=float)
    n = int(grid_sizes(space)[j])
    return np.minimum(space.low[j] + space.step[j] * np.arange(n), space.high[j])


def _best_first(
    group_rows: Sequence[np.ndarray],
    group_scores: Sequence[np.ndarray],
    is_unseen: Callable[[tuple[int, ...]], bool],
) -> tuple[int, ...] | None:
    """Best-scoring unseen combination of one row per group, by a best-first search.

    Each group's rows are sorted by decreasing score; the search pops combinations in
    decreasing total score and stops at the first unseen one (or after ``_MAX_HEAP_POPS``).
    """
    start = (0,) * len(group_rows)
    heap = [(-sum(float(s[0]) for s in group_scores), start)]
    pushed = {start}
    for _ in range(_MAX_HEAP_POPS):
        if not heap:
            return None
        _, idx = heapq.heappop(heap)
        if is_unseen(idx):
            return idx
        for g in range(len(idx)):
            if idx[g] + 1 < len(group_rows[g]):
                nxt = idx[:g] + (idx[g] + 1,) + idx[g + 1 :]
                if nxt not in pushed:
                    pushed.add(nxt)
                    total = sum(float(group_scores[k][nxt[k]]) for k in range(len(nxt)))
                    heapq.heappush(heap, (-total, nxt))
    return None


def best_unseen(
    names: Sequence[Sequence[str]],
    candidates: Sequence[np.ndarray],
    scores: Sequence[np.ndarray],
    spaces: Sequence[SpaceArrays],
    score_fns: Sequence[Callable[[np.ndarray], np.ndarray]],
    seen: SeenConfigurations,
    rng: np.random.Generator,
) -> dict[str, float]:
    """The best unseen configuration, or the best candidate when the space is exhausted.

    Parameters
    ----------
    names : sequence of sequence of str
        Parameter names of each group (the columns of its candidates).
    candidates, scores : sequence of ndarray
        Per group, candidate rows ``(m_g, d_g)`` (internal values) and their scores.
    spaces : sequence of SpaceArrays
        Per group, its (discrete) columns.
    score_fns : sequence of callable
        Per group, scores of arbitrary rows (used when the candidates are all seen).
    seen : SeenConfigurations
    rng : numpy.random.Generator
        Breaks ties at random.
    """
    rows, row_scores = [], []
    for cand, score in zip(candidates, scores):
        uniq, inverse = np.unique(cand, axis=0, return_inverse=True)
        best = np.full(len(uniq), -np.inf)
        np.maximum.at(best, inverse.ravel(), score)
        order = np.lexsort((rng.random(len(uniq)), -best))
        rows.append(uniq[order])
        row_scores.append(best[order])

    def config_of(group_rows: Sequence[np.ndarray]) -> dict[str, float]:
        return {
            n: float(v) for gn, row in zip(names, group_rows) for n, v in zip(gn, row)
        }

    def unseen(idx: tuple[int, ...]) -> bool:
        return not seen.contains(config_of([rows[g][i] for g, i in enumerate(idx)]))

    found = _best_first(rows, row_scores, unseen)
    if found is not None:
        return config_of([rows[g][i] for g, i in enumerate(found)])

    fallback = _best_unseen_beyond_candidates(names, spaces, score_fns, seen, rng, config_of)
    if fallback is not None:
        return fallback
    return config_of([r[0] for r in rows])  # every configuration is seen: repeat the best


def _best_unseen_beyond_candidates(
    names: Sequence[Sequence[str]],
    spaces: Sequence[SpaceArrays],
    score_fns: Sequence[Callable[[np.ndarray], np.ndarray]],
    seen: SeenConfigurations,
    rng: np.random.Generator,
    config_of: Callable[[Sequence[np.ndarray]], dict[str, float]],
) -> dict[str, float] | None:
    """Best unseen configuration of the whole space (or of random draws when it is large)."""
    total = np.prod([np.prod(grid_sizes(space)) for space in spaces])
    if total <= _ENUMERATION_LIMIT:
        group_rows = [
            _cartesian([grid_values(space, j) for j in range(space.is_cat.size)])
            for space in spaces
        ]
    else:  # too many to enumerate: draw some at random
        group_rows = [
            np.unique(space.uniform(rng, _N_RANDOM_DRAWS), axis=0) for space in spaces
        ]
    group_scores = [fn(r) + 1e-9 * rng.random(len(r)) for fn, r in zip(score_fns, group_rows)]
    order = [np.argsort(-s) for s in group_scores]
    group_rows = [r[o] for r, o in zip(group_rows, order)]
    group_scores = [s[o] for s, o in zip(group_scores, order)]
    if np.prod(np.array([len(r) for r in group_rows], dtype=float)) <= _ENUMERATION_LIMIT:
        # Exhaustive: total score of every combination, best unseen first.
        combos = list(itertools.product(*(range(len(r)) for r in group_rows)))
        totals = np.array([sum(group_scores[g][i] for g, i in enumerate(c)) for c in combos])
        for k in np.argsort(-totals, kind="stable"):
            config = config_of([group_rows[g][i] for g, i in enumerate(combos[k])])
            if not seen.contains(config):
                return config
        return None
    found = _best_first(
        group_rows,
        group_scores,
        lambda idx: not seen.contains(
            config_of([group_rows[g][i] for g, i in enumerate(idx)])
        ),
    )
    if found is None:
        return None
    return config_of([group_rows[g][i] for g, i in enumerate(found)])


def _cartesian(columns: Sequence[np.ndarray]) -> np.ndarray:
    mesh = np.meshgrid(*columns, indexing="ij")
    return np.column_stack([m.ravel() for m in mesh])
