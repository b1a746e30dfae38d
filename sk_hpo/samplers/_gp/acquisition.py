"""Log expected improvement and its optimisation over a mixed space.

Notations
---------
- Minimisation. ``mean``, ``std`` of shape (q,): GP posterior at q points; ``best``: the
  smallest (standardised) observed value.
- ``z = (best - mean) / std``; ``EI = std * h(z)`` with ``h(z) = z Phi(z) + phi(z)``.
- ``log h(z)`` is computed as ``log(h(z))`` for ``z > -1``; for ``-25 < z <= -1`` as
  ``log phi(z) + log1p(z * M(-z))`` with the Mills ratio ``M(x) = Phi(-x) / phi(x) =
  sqrt(pi / 2) * erfcx(x / sqrt(2))``; below ``-25`` (where that difference loses digits)
  by the asymptotic series ``h(z) ~ phi(z) / z^2 * (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8)``
  (relative error below 1e-9 there). Finite for every finite ``z``.
- ``bounds``: the unit cube; ``cont`` of shape (d,): True for dimensions optimised by
  L-BFGS-B; ``choices``: for each discrete dimension, its valid coordinates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import minimize
from scipy.special import erfcx, ndtr

__all__ = ["log_h", "log_ei", "optimize_acquisition"]

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_ASYMPTOTIC_BELOW = -25.0


def log_h(z: np.ndarray) -> np.ndarray:
    """``log(z * Phi(z) + phi(z))``, stable for very negative ``z`` (see Notations)."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    log_phi = -0.5 * z * z - _LOG_SQRT_2PI
    high = z > -1.0
    zh = z[high]
    out[high] = np.log(zh * ndtr(zh) + np.exp(-0.5 * zh * zh - _LOG_SQRT_2PI))
    mid = (~high) & (z > _ASYMPTOTIC_BELOW)
    zm = z[mid]
    out[mid] = log_phi[mid] + np.log1p(zm * erfcx(-zm / np.sqrt(2.0)) * np.sqrt(np.pi / 2.0))
    low = z <= _ASYMPTOTIC_BELOW
    zl = z[low]
    t = 1.0 / (zl * zl)
    series = t * (-3.0 + t * (15.0 + t * (-105.0 + t * 945.0)))
    out[low] = log_phi[low] + np.log(t) + np.log1p(series)
    return out


def log_ei(mean: np.ndarray, var: np.ndarray, best: float) -> np.ndarray:
    """Log expected improvement below ``best`` (minimisation)."""
    std = np.sqrt(var)
    return np.log(std) + log_h((best - mean) / std)


def _local_discrete_search(
    x: np.ndarray,
    value: float,
    f: Callable[[np.ndarray], np.ndarray],
    choices: Sequence[np.ndarray | None],
    max_passes: int = 2,
) -> tuple[np.ndarray, float]:
    """Coordinate search over the discrete dimensions: try every choice of one at a time."""
    for _ in range(max_passes):
        improved = False
        for k, options in enumerate(choices):
            if options is None or len(options) < 2:
                continue
            cand = np.repeat(x[None, :], len(options), axis=0)
            cand[:, k] = options
            values = f(cand)
            i = int(np.argmax(values))
            if values[i] > value + 1e-12:
                x, value, improved = cand[i], float(values[i]), True
        if not improved:
            break
    return x, value


def _refine_continuous(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, cont_idx: np.ndarray
) -> tuple[np.ndarray, float]:
    """L-BFGS-B on the continuous coordinates of ``x``; each value and its forward-difference
    gradient come from one vectorised call of ``f`` on ``1 + len(cont_idx)`` points."""
    m = cont_idx.size
    eps = 1e-6

    def neg_value_and_grad(u: np.ndarray) -> tuple[float, np.ndarray]:
        rows = np.repeat(x[None, :], m + 1, axis=0)
        rows[:, cont_idx] = u
        # Step inwards at the upper bound so that every point stays in the cube.
        steps = np.where(u + eps <= 1.0, eps, -eps)
        rows[1 + np.arange(m), cont_idx] += steps
        values = f(rows)
        return -float(values[0]), -(values[1:] - values[0]) / steps

    res = minimize(
        neg_value_and_grad,
        x[cont_idx],
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * m,
        options={"maxiter": 50},
    )
    return np.clip(res.x, 0.0, 1.0), -float(res.fun)


def optimize_acquisition(
    f: Callable[[np.ndarray], np.ndarray],
    candidates: np.ndarray,
    cont: np.ndarray,
    choices: Sequence[np.ndarray | None],
    *,
    n_restarts: int = 4,
) -> np.ndarray:
    """Maximise ``f`` (vectorised over rows) from quasi-random ``candidates``.

    The best ``n_restarts`` candidates are refined: L-BFGS-B (finite differences) on the
    continuous dimensions, then a coordinate search on the discrete ones.
    """
    values = f(candidates)
    order = np.argsort(-values)[:n_restarts]
    best_x, best_v = candidates[order[0]], float(values[order[0]])
    cont_idx = np.flatnonzero(cont)
    for i in order:
        x, v = candidates[i].copy(), float(values[i])
        if cont_idx.size:
            u, value = _refine_continuous(f, x, cont_idx)
            if value > v:
                x[cont_idx], v = u, value
        x, v = _local_discrete_search(x, v, f, choices)
        if v > best_v:
            best_x, best_v = x, v
    return best_x

