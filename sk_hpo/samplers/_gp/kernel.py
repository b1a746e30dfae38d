"""Matérn-5/2 kernel with one lengthscale per dimension, and its gradients.

Notations
---------
- ``X1`` of shape (n, d), ``X2`` of shape (m, d): inputs in the unit cube; categorical
  dimensions hold the index of the choice.
- ``is_cat`` of shape (d,): True for categorical dimensions.
- ``ell`` of shape (d,): lengthscales; ``s2``: signal variance.
- ``D`` of shape (n, m, d): per-dimension squared distance ``(x1 - x2) ** 2`` for continuous
  dimensions and the Hamming indicator ``[x1 != x2]`` for categorical ones.
- ``r = sqrt(sum_k D[..., k] / ell[k] ** 2)`` of shape (n, m).
- ``k(r) = s2 * (1 + sqrt(5) r + 5/3 r^2) * exp(-sqrt(5) r)``.

Derivatives (no singularity at ``r = 0``), with ``g(r) = s2 * 5/3 * (1 + sqrt(5) r) *
exp(-sqrt(5) r)``::

    dk / dlog(ell_k) = g(r) * D_k / ell_k^2
    sum_ij W_ij dK_ij / dlog(ell_k) = sum_ij (W * g(r))_ij D_ijk / ell_k^2   (for any W)
    dk(x1, x2) / dx1_k = -g(r) * (x1_k - x2_k) / ell_k^2      (continuous dimension k)
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "matern52",
    "matern52_cross",
    "matern52_grad_log_ell_dot",
    "matern52_with_grad_inputs",
    "sq_distances",
]

_SQRT5 = np.sqrt(5.0)


def sq_distances(X1: np.ndarray, X2: np.ndarray, is_cat: np.ndarray) -> np.ndarray:
    """Per-dimension distances ``D`` of shape (n, m, d) (see Notations)."""
    D = X1[:, None, :] - X2[None, :, :]
    np.square(D, out=D)
    for k in np.flatnonzero(is_cat):  # a basic slice per column: no fancy-index copies
        np.not_equal(D[:, :, k], 0.0, out=D[:, :, k], casting="unsafe")
    return D


def matern52(D: np.ndarray, ell: np.ndarray, s2: float) -> np.ndarray:
    """Kernel matrix of shape (n, m) from the distances ``D`` of shape (n, m, d)."""
    r = np.sqrt(np.maximum(D @ (1.0 / (ell * ell)), 0.0))
    return s2 * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)


def _g(D: np.ndarray, inv: np.ndarray, s2: float) -> np.ndarray:
    r = np.sqrt(np.maximum(D @ inv, 0.0))
    return s2 * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * np.exp(-_SQRT5 * r)


def matern52_grad_log_ell_dot(
    D: np.ndarray, ell: np.ndarray, s2: float, W: np.ndarray
) -> np.ndarray:
    """``sum(W * dK / dlog(ell_k))`` for each ``k``, of shape (d,), for ``W`` of shape (n, m).

    The gradient of any ``sum(W * K)``, without forming the (d, n, m) derivative tensor.
    """
    inv = 1.0 / (ell * ell)
    M = W * _g(D, inv, s2)
    return (M.reshape(-1) @ D.reshape(-1, D.shape[-1])) * inv


def _r_and_diffs(
    X1: np.ndarray, X2: np.ndarray, is_cat: np.ndarray, inv: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``r`` of shape (n, m) and the differences ``x1_k - x2_k`` of the non-categorical
    dimensions, built one dimension at a time on (n, m) arrays: cheaper than the (n, m, d)
    distances when ``d`` is small."""
    r2 = np.zeros((X1.shape[0], X2.shape[0]))
    diffs = []
    for k in range(X1.shape[1]):
        diff = np.subtract.outer(X1[:, k], X2[:, k])
        if is_cat[k]:
            r2 += inv[k] * (diff != 0.0)
            continue
        r2 += inv[k] * (diff * diff)
        diffs.append(diff)
    return np.sqrt(r2), diffs


def matern52_cross(
    X1: np.ndarray, X2: np.ndarray, is_cat: np.ndarray, ell: np.ndarray, s2: float
) -> np.ndarray:
    """``k(X1, X2)`` of shape (n, m), the same as ``matern52(sq_distances(X1, X2, is_cat),
    ell, s2)`` up to rounding, without the (n, m, d) distances."""
    r = _r_and_diffs(X1, X2, is_cat, 1.0 / (ell * ell))[0]
    return s2 * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)


def matern52_with_grad_inputs(
    X1: np.ndarray,
    X2: np.ndarray,
    is_cat: np.ndarray,
    ell: np.ndarray,
    s2: float,
    idx: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``k(X1, X2)`` of shape (n, m) and its gradient with respect to the continuous
    coordinates ``idx`` of ``X1``, of shape (len(idx), n, m).

    ``r`` and ``exp(-sqrt(5) r)`` serve both outputs.
    """
    inv = 1.0 / (ell * ell)
    r, diffs = _r_and_diffs(X1, X2, is_cat, inv)
    e = np.exp(-_SQRT5 * r)
    K = s2 * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
    g = s2 * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e
    cont = np.flatnonzero(~is_cat)
    grad = np.empty((idx.size, X1.shape[0], X2.shape[0]))
    for c, k in enumerate(idx):
        np.multiply(g, diffs[int(np.searchsorted(cont, k))], out=grad[c])
        grad[c] *= -inv[k]
    return K, grad
