"""Inverse-distance-weighted interpolation of scattered trials onto a grid (pure numpy).

Used by the contour plot. Unlike triangulation, it is defined for any number of points,
including one point or collinear points, so a small study never fails deep inside a
plotting library; it also passes through the observed values exactly.

Notations
---------
n : number of observed points.
G : number of grid nodes.
p : array of shape (n, 2), observed points in unit coordinates.
z : array of shape (n,), observed values.
q : array of shape (G, 2), grid nodes in unit coordinates.
d : array of shape (G, n), Euclidean distances ``|q_g - p_i|``.
w : array of shape (G, n), weights ``d ** -power`` (a node on a point takes its value).
z_hat : array of shape (G,), ``sum_i w_gi z_i / sum_i w_gi``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["idw_grid"]


def idw_grid(
    p: np.ndarray, z: np.ndarray, gx: np.ndarray, gy: np.ndarray, power: float = 2.0
) -> np.ndarray:
    """Interpolate ``z`` observed at ``p`` onto the grid ``gx`` x ``gy`` (unit coordinates).

    Parameters
    ----------
    p : ndarray of shape (n, 2)
    z : ndarray of shape (n,)
    gx, gy : ndarray of shape (nx,) and (ny,)
    power : float, default=2.0

    Returns
    -------
    ndarray of shape (ny, nx)
        ``z_hat`` at ``(gx[j], gy[i])`` in row ``i``, column ``j`` (matplotlib's layout).

    Examples
    --------
    >>> p = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> z_hat = idw_grid(p, np.array([0.0, 2.0]), np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0]))
    >>> z_hat.round(3)
    array([[0.   , 0.333, 1.   ],
           [1.   , 1.667, 2.   ]])
    """
    qx, qy = np.meshgrid(gx, gy)
    q = np.column_stack([qx.ravel(), qy.ravel()])
    d = np.linalg.norm(q[:, None, :] - p[None, :, :], axis=2)
    on_point = d < 1e-12
    w = np.where(on_point, 0.0, 1.0 / np.maximum(d, 1e-12) ** power)
    hit = on_point.any(axis=1)
    w[hit] = on_point[hit]  # a node on a point takes its value (mean of coinciding points)
    z_hat = (w @ z) / w.sum(axis=1)
    return z_hat.reshape(len(gy), len(gx))
