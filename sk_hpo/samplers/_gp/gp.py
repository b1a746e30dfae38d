"""Exact Gaussian-process regression: MAP fit of the hyperparameters, and the posterior.

Notations
---------
- ``X`` of shape (n, d), ``y`` of shape (n,): training inputs and targets
  (:func:`~sk_hpo.samplers._gp.outputs.training_targets`).
- ``theta`` of shape (d + 2,): ``[log ell_1 .. log ell_d, log s2, log noise]``.
- ``K = k(X, X) + noise * I`` of shape (n, n), ``L`` its Cholesky factor,
  ``alpha = K^-1 y``.
- Negative log marginal likelihood::

      nll = 0.5 y^T alpha + sum(log diag L) + 0.5 n log(2 pi)

  with ``d nll / d theta_j = -0.5 tr((alpha alpha^T - K^-1) dK/dtheta_j)``.
- Priors on standardised outputs and unit-cube inputs, as negative log densities in
  ``theta`` (up to constants):

  - ``log ell_k ~ N(0, var=2)``: lengthscales near the size of the cube (shorter ones
    overfit a few points, longer ones declare a parameter irrelevant);
  - ``log s2 ~ N(0, var=1)``;
  - noise: ``30 * noise - 0.1 * log(noise)``, a Gamma-type density whose mode is
    ``noise = 1/300`` and which costs only 0.1 nat per e-fold below it: large noise must be
    earned by the data, while a deterministic objective can reach the floor of 1e-6 and be
    interpolated (refined) closely.
- ``D`` of shape (n, n, d): :func:`~sk_hpo.samplers._gp.kernel.sq_distances` of ``X``.
- Posterior at ``Xq`` of shape (q, d): ``mean = k(Xq, X) alpha``,
  ``var = s2 - sum((L^-1 k(X, Xq)) ** 2, axis=0)``; with ``G = dk(Xq, X) / dXq`` of shape
  (m, q, n) on ``m`` continuous coordinates, ``dmean = G^T alpha`` and
  ``dvar = -2 G^T K^-1 k(X, Xq)``; with gradients, ``var = s2 - k(Xq, X) K^-1 k(X, Xq)``
  through the model's ``K_inv`` (one matrix product per step of the acquisition's
  optimisation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_solve, cholesky
from scipy.linalg.lapack import dtrtri, dtrtrs
from scipy.optimize import minimize

from sk_hpo.samplers._gp.kernel import (
    matern52,
    matern52_cross,
    matern52_grad_log_ell_dot,
    matern52_with_grad_inputs,
    sq_distances,
)

__all__ = ["GPModel", "fit_gp", "neg_log_posterior", "default_theta"]

_MIN_NOISE = 1e-6
_NOISE_PRIOR_SHAPE = 0.1
_NOISE_PRIOR_RATE = 30.0
_S2_PRIOR_VAR = 1.0
_ELL_PRIOR_VAR = 2.0
_ELL_PRIOR_MEAN = 0.0
_JITTER = 1e-9
_MIN_VAR = 1e-12


def default_theta(d: int) -> np.ndarray:
    """The prior modes: a starting point for the MAP fit."""
    log_noise_mode = np.log(_NOISE_PRIOR_SHAPE / _NOISE_PRIOR_RATE)
    return np.concatenate([np.full(d, _ELL_PRIOR_MEAN), [0.0, log_noise_mode]])


def _inverse_from_cholesky(L: np.ndarray) -> np.ndarray:
    """``K^-1 = L^-T L^-1`` from the lower Cholesky factor ``L`` of ``K``."""
    L_inv = dtrtri(L, lower=1)[0]
    return L_inv.T @ L_inv


def neg_log_prior(theta: np.ndarray, fit_noise: bool = True) -> tuple[float, np.ndarray]:
    """Negative log prior density of ``theta`` (up to a constant) and its gradient."""
    d = theta.size - 2
    grad = np.zeros_like(theta)
    grad[:d] = (theta[:d] - _ELL_PRIOR_MEAN) / _ELL_PRIOR_VAR
    grad[d] = theta[d] / _S2_PRIOR_VAR
    value = 0.5 * float(np.sum((theta[:d] - _ELL_PRIOR_MEAN) * grad[:d]) + theta[d] * grad[d])
    if fit_noise:
        noise = float(np.exp(theta[d + 1]))
        value += _NOISE_PRIOR_RATE * noise - _NOISE_PRIOR_SHAPE * theta[d + 1]
        grad[d + 1] = _NOISE_PRIOR_RATE * noise - _NOISE_PRIOR_SHAPE
    return value, grad


def neg_log_posterior(
    theta: np.ndarray, D: np.ndarray, y: np.ndarray, fixed_noise: float | None = None
) -> tuple[float, np.ndarray]:
    """Negative log posterior of ``theta`` and its gradient (see Notations).

    With ``fixed_noise`` the last entry of ``theta`` is ignored and its gradient is 0.
    """
    n, d = y.shape[0], D.shape[-1]
    ell = np.exp(theta[:d])
    s2 = float(np.exp(theta[d]))
    noise = fixed_noise if fixed_noise is not None else float(np.exp(theta[d + 1]))
    K0 = matern52(D, ell, s2)
    K = K0 + (noise + _JITTER) * np.eye(n)
    try:
        L = cholesky(K, lower=True)
    except np.linalg.LinAlgError:
        return 1e25, np.zeros_like(theta)
    alpha = cho_solve((L, True), y)
    nll = 0.5 * y @ alpha + np.log(np.diag(L)).sum() + 0.5 * n * np.log(2 * np.pi)
    K_inv = _inverse_from_cholesky(L)
    W = np.outer(alpha, alpha) - K_inv
    grad = np.empty_like(theta)
    grad[:d] = -0.5 * matern52_grad_log_ell_dot(D, ell, s2, W)
    grad[d] = -0.5 * np.sum(W * K0)
    grad[d + 1] = 0.0 if fixed_noise is not None else -0.5 * np.trace(W) * noise
    prior, prior_grad = neg_log_prior(theta, fixed_noise is None)
    return float(nll + prior), grad + prior_grad


def _solve_lower(L: np.ndarray, B: np.ndarray, trans: int = 0) -> np.ndarray:
    """``L^-1 B`` (``L^-T B`` with ``trans=1``) for lower triangular ``L``: LAPACK's trtrs,
    as ``scipy.linalg.solve_triangular`` calls it, without its per-call input checks (this
    runs at every step of the acquisition's optimisation)."""
    x, info = dtrtrs(L, B, lower=1, trans=trans)
    if info != 0:
        raise np.linalg.LinAlgError(f"singular triangular factor (LAPACK info={info})")
    return x


@dataclass
class GPModel:
    """A fitted GP: hyperparameters and the factorisation needed for predictions."""

    X: np.ndarray
    is_cat: np.ndarray
    ell: np.ndarray
    s2: float
    noise: float
    L: np.ndarray
    alpha: np.ndarray
    theta: np.ndarray
    K_inv: np.ndarray

    def predict(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and variance at ``Xq`` of shape (q, d)."""
        Kq = matern52_cross(Xq, self.X, self.is_cat, self.ell, self.s2)
        mean = Kq @ self.alpha
        v = _solve_lower(self.L, Kq.T)
        var = np.maximum(self.s2 - np.sum(v * v, axis=0), _MIN_VAR)
        return mean, var

    def predict_with_grad(
        self, Xq: np.ndarray, idx: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Posterior mean and variance at ``Xq`` of shape (q, d), and their gradients of shape
        (q, len(idx)) with respect to the continuous coordinates ``idx``."""
        Kq, G = matern52_with_grad_inputs(Xq, self.X, self.is_cat, self.ell, self.s2, idx)
        # One product with K^-1 (kept by the model) instead of two triangular solves: this
        # runs at every step of the acquisition's optimisation.
        w = self.K_inv @ Kq.T
        raw_var = self.s2 - np.einsum("qn,nq->q", Kq, w)
        dvar = -2.0 * np.einsum("mqn,nq->qm", G, w)
        dvar[raw_var < _MIN_VAR] = 0.0
        dmean = (G @ self.alpha).T
        return Kq @ self.alpha, np.maximum(raw_var, _MIN_VAR), dmean, dvar


def build_model(
    X: np.ndarray, y: np.ndarray, is_cat: np.ndarray, theta: np.ndarray, noise: float
) -> GPModel:
    """Factorise ``K`` for fixed hyperparameters ``theta`` (noise entry replaced by ``noise``)."""
    d = X.shape[1]
    ell, s2 = np.exp(theta[:d]), float(np.exp(theta[d]))
    K = matern52(sq_distances(X, X, is_cat), ell, s2) + (noise + _JITTER) * np.eye(len(y))
    L = cholesky(K, lower=True)
    alpha = cho_solve((L, True), y)
    return GPModel(X, is_cat, ell, s2, noise, L, alpha, theta, _inverse_from_cholesky(L))


def fit_gp(
    X: np.ndarray,
    y: np.ndarray,
    is_cat: np.ndarray,
    *,
    theta0: np.ndarray | None = None,
    deterministic: bool = False,
    maxiter: int = 200,
) -> GPModel:
    """MAP fit by L-BFGS-B with analytic gradients, warm-started from ``theta0``."""
    d = X.shape[1]
    D = sq_distances(X, X, is_cat)
    fixed = _MIN_NOISE if deterministic else None
    start = default_theta(d) if theta0 is None or theta0.shape != (d + 2,) else theta0
    bounds = [(np.log(1e-3), np.log(1e3))] * d + [(np.log(1e-2), np.log(1e2))]
    bounds.append((np.log(_MIN_NOISE), np.log(1.0)))
    # A warm start needs few iterations; a cold one starts at the prior modes.
    res = minimize(
        neg_log_posterior,
        np.clip(start, [b[0] for b in bounds], [b[1] for b in bounds]),
        args=(D, y, fixed),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": maxiter if theta0 is None else max(maxiter // 4, 10)},
    )
    theta = res.x
    noise = _MIN_NOISE if deterministic else float(np.exp(theta[d + 1]))
    return build_model(X, y, is_cat, theta, noise)
