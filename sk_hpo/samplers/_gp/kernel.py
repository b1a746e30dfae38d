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

__all__ = ["sq_distances", "matern52", "matern52_grad_log_ell_dot", "matern52_with_grad_inputs"]

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


def matern52_with_grad_inputs(
    X1: np.ndarray, X2: np.ndarray, D: np.ndarray, ell: np.ndarray, s2: float, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``k(X1, X2)`` of shape (n, m) and its gradient with respect to the continuous
    coordinates ``idx`` of ``X1``, of shape (n, m, len(idx)).

    ``D`` is ``sq_distances(X1, X2, is_cat)``; ``r`` and ``exp(-sqrt(5) r)`` are computed
    once for both.
    """
    inv = 1.0 / (ell * ell)
    r = np.sqrt(np.maximum(D @ inv, 0.0))
    e = np.exp(-_SQRT5 * r)
    K = s2 * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
    g = s2 * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e
    diff = X1[:, None, idx] - X2[None, :, idx]
    return K, -g[:, :, None] * diff * inv[idx]
