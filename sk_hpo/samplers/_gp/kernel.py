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

Derivative with respect to a log lengthscale (no singularity at ``r = 0``)::

    dk / dlog(ell_k) = s2 * 5/3 * (1 + sqrt(5) r) * exp(-sqrt(5) r) * D_k / ell_k^2
"""

from __future__ import annotations

import numpy as np

__all__ = ["sq_distances", "matern52", "matern52_grad_log_ell"]

_SQRT5 = np.sqrt(5.0)


def sq_distances(X1: np.ndarray, X2: np.ndarray, is_cat: np.ndarray) -> np.ndarray:
    """Per-dimension distances ``D`` of shape (n, m, d) (see Notations)."""
    diff = X1[:, None, :] - X2[None, :, :]
    return np.where(is_cat, (diff != 0).astype(float), diff * diff)


def matern52(D: np.ndarray, ell: np.ndarray, s2: float) -> np.ndarray:
    """Kernel matrix of shape (n, m) from the distances ``D`` of shape (n, m, d)."""
    r = np.sqrt(np.maximum(D @ (1.0 / (ell * ell)), 0.0))
    return s2 * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)


def matern52_grad_log_ell(D: np.ndarray, ell: np.ndarray, s2: float) -> np.ndarray:
    """Gradient of :func:`matern52` with respect to ``log(ell)``, of shape (d, n, m)."""
    inv = 1.0 / (ell * ell)
    r = np.sqrt(np.maximum(D @ inv, 0.0))
    common = s2 * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * np.exp(-_SQRT5 * r)
    return common[None, :, :] * np.moveaxis(D * inv, -1, 0)
