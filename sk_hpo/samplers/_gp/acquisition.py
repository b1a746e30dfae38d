"""Log expected improvement and its gradient.

Notations
---------
- Minimisation. ``mean``, ``var`` of shape (q,): GP posterior at q points, ``std = sqrt(var)``;
  ``best``: the smallest (standardised) observed value.
- ``z = (best - mean) / std``; ``EI = std * h(z)`` with ``h(z) = z Phi(z) + phi(z)``.
- ``log h(z)`` is computed as ``log(h(z))`` for ``z > -1``; for ``-25 < z <= -1`` as
  ``log phi(z) + log1p(z * M(-z))`` with the Mills ratio ``M(x) = Phi(-x) / phi(x) =
  sqrt(pi / 2) * erfcx(x / sqrt(2))``; below ``-25`` (where that difference loses digits)
  by the asymptotic series ``h(z) ~ phi(z) / z^2 * (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8)``
  (relative error below 1e-9 there). Finite for every finite ``z``.
- Gradient, from ``h'(z) = Phi(z)`` and ``dstd = dvar / (2 std)``, with ``dmean``, ``dvar`` of
  shape (q, m)::

      d log EI = dstd / std + (Phi(z) / h(z)) * (-dmean - z dstd) / std

  where ``Phi(z) / h(z) = exp(log Phi(z) - log h(z))`` stays finite (about ``-z`` for very
  negative ``z``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

__all__ = ["log_h", "log_ei", "log_ei_grad"]

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_ASYMPTOTIC_BELOW = -25.0


def log_h(z: np.ndarray) -> np.ndarray:
    """``log(z * Phi(z) + phi(z))``, stable for very negative ``z`` (see Notations).

    Examples
    --------
    >>> import numpy as np
    >>> bool(np.isfinite(log_h(np.array([-1e4]))[0]))
    True
    """
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
    """Log expected improvement below ``best`` (minimisation), of shape (q,)."""
    std = np.sqrt(var)
    return np.log(std) + log_h((best - mean) / std)


def log_ei_grad(
    mean: np.ndarray, var: np.ndarray, dmean: np.ndarray, dvar: np.ndarray, best: float
) -> tuple[np.ndarray, np.ndarray]:
    """Log expected improvement (q,) and its gradient (q, m) from the posterior's gradients."""
    std = np.sqrt(var)
    z = (best - mean) / std
    lh = log_h(z)
    ratio = np.exp(log_ndtr(z) - lh)
    dstd = dvar / (2.0 * std[:, None])
    grad = (dstd + ratio[:, None] * (-dmean - z[:, None] * dstd)) / std[:, None]
    return np.log(std) + lh, grad
