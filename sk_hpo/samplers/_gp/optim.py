"""Maximisation of an acquisition function over a mixed space in the unit cube.

Notations
---------
- ``d`` dimensions; ``cont`` of shape (d,): True for dimensions optimised by L-BFGS-B within
  ``[0, 1]``; ``choices[k]``: the valid coordinates of discrete dimension ``k`` (None when
  continuous).
- ``f(U)`` of shape (q,) for ``U`` of shape (q, d): the acquisition, vectorised over rows;
  ``f_grad(U)``: the acquisition and its gradient of shape (q, m) on the ``m`` continuous
  dimensions.
- ``S`` of shape (s, d): the starts, refined together by rounds of L-BFGS-B on their
  continuous coordinates followed by a coordinate search on their discrete ones (every
  choice of one dimension at a time), until a round moves no discrete coordinate.
- The L-BFGS-B problem of a round is the sum of the ``s`` separable problems, so one call of
  ``f_grad`` on ``s`` rows serves every start; a start keeps its result only if it improved.
- In an all-discrete space, ``seen`` of shape (r, d) holds the points already evaluated or
  pending; :func:`best_unseen` replaces a seen maximiser by the best unseen point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import minimize

__all__ = ["best_unseen", "maximize_mixed"]

_MAX_ROUNDS = 3
_MAX_GRID = 100_000  # all-discrete spaces up to this size are enumerated by best_unseen


def _discrete_search(
    S: np.ndarray,
    values: np.ndarray,
    f: Callable[[np.ndarray], np.ndarray],
    choices: Sequence[np.ndarray | None],
) -> tuple[np.ndarray, np.ndarray, bool]:
    """One pass of coordinate search over the discrete dimensions; True if a start moved."""
    S, values, moved = S.copy(), values.copy(), False
    rows = np.arange(len(S))
    for k, options in enumerate(choices):
        if options is None or len(options) < 2:
            continue
        cand = np.repeat(S, len(options), axis=0)
        cand[:, k] = np.tile(options, len(S))
        cand_values = f(cand).reshape(len(S), len(options))
        i = np.argmax(cand_values, axis=1)
        better = cand_values[rows, i] > values + 1e-12
        S[better, k] = options[i[better]]
        values[better] = cand_values[rows, i][better]
        moved = moved or bool(better.any())
    return S, values, moved


def _lbfgsb(
    f_grad: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    S: np.ndarray,
    values: np.ndarray,
    cont_idx: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """L-BFGS-B on the continuous coordinates of every start (the others held fixed)."""
    rows = S.copy()
    shape = (len(S), cont_idx.size)

    def neg_sum(u: np.ndarray) -> tuple[float, np.ndarray]:
        rows[:, cont_idx] = u.reshape(shape)
        v, g = f_grad(rows)
        return -float(v.sum()), -g.ravel()

    res = minimize(
        neg_sum,
        S[:, cont_idx].ravel(),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * (shape[0] * shape[1]),
        options={"maxiter": 200},
    )
    rows[:, cont_idx] = np.clip(res.x, 0.0, 1.0).reshape(shape)
    new_values = f_grad(rows)[0]
    better = new_values > values
    S = S.copy()
    S[better] = rows[better]
    return S, np.where(better, new_values, values)


def maximize_mixed(
    f: Callable[[np.ndarray], np.ndarray],
    f_grad: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    candidates: np.ndarray,
    cont: np.ndarray,
    choices: Sequence[np.ndarray | None],
    *,
    n_starts: int = 8,
    incumbents: np.ndarray | None = None,
) -> np.ndarray:
    """The best point found from the ``n_starts`` best ``candidates`` and from every row of
    ``incumbents`` (e.g. the best observed point, to refine near it; see Notations).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda U: -(U[:, 0] - 0.3) ** 2 - (U[:, 1] != 2)
    >>> f_grad = lambda U: (f(U), -2 * (U[:, :1] - 0.3))
    >>> cands = np.array([[0.9, 0.0], [0.1, 1.0]])
    >>> x = maximize_mixed(f, f_grad, cands, np.array([True, False]), [None, np.arange(3.0)])
    >>> np.round(x, 4).tolist()
    [0.3, 2.0]
    """
    values = f(candidates)
    order = np.argsort(-values, kind="stable")[:n_starts]
    S, V = candidates[order], values[order]
    if incumbents is not None:
        S, V = np.vstack([S, incumbents]), np.concatenate([V, f(incumbents)])
    cont_idx = np.flatnonzero(cont)
    for _ in range(_MAX_ROUNDS):
        if cont_idx.size:
            S, V = _lbfgsb(f_grad, S, V, cont_idx)
        S, V, moved = _discrete_search(S, V, f, choices)
        if not moved:
            break
    return S[int(np.argmax(V))]


def best_unseen(
    u: np.ndarray,
    f: Callable[[np.ndarray], np.ndarray],
    choices: Sequence[np.ndarray],
    seen: np.ndarray,
    candidates: np.ndarray,
) -> np.ndarray:
    """``u`` if it is not a row of ``seen``, else the unseen point of highest ``f``.

    Every dimension is discrete (``choices[k]`` its valid coordinates). A space of at most
    ``_MAX_GRID`` points is enumerated; a larger one is searched among ``candidates``. When
    every point searched is seen, ``u`` is returned (a repeat).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda U: -np.abs(U[:, 0] - 1.0)
    >>> best_unseen(np.array([1.0]), f, [np.arange(4.0)], np.array([[1.0]]), np.empty((0, 1)))
    array([0.])
    """
    seen_keys = {tuple(row) for row in np.round(seen, 9)}
    if tuple(np.round(u, 9)) not in seen_keys:
        return u
    if np.prod([float(len(c)) for c in choices]) <= _MAX_GRID:
        grid = np.stack(np.meshgrid(*choices, indexing="ij"), axis=-1).reshape(-1, len(choices))
    else:
        grid = candidates
    if len(grid) == 0:
        return u
    values = f(grid)
    for i in np.argsort(-values, kind="stable"):
        if tuple(np.round(grid[i], 9)) not in seen_keys:
            return grid[i]
    return u
