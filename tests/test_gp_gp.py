import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from sk_hpo.samplers._gp.gp import build_model, default_theta, fit_gp, neg_log_posterior
from sk_hpo.samplers._gp.kernel import sq_distances


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    X = rng.random((12, 2))
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2
    return X, (y - y.mean()) / y.std()


def test_posterior_equals_sklearn_with_the_same_fixed_kernel(data):
    X, y = data
    ell, s2, noise = np.array([0.4, 0.9]), 1.3, 1e-3
    theta = np.concatenate([np.log(ell), [np.log(s2), np.log(noise)]])
    model = build_model(X, y, np.zeros(2, dtype=bool), theta, noise)
    kernel = ConstantKernel(s2, "fixed") * Matern(ell, "fixed", nu=2.5) + WhiteKernel(
        noise + 1e-9, "fixed"
    )
    ref = GaussianProcessRegressor(kernel, optimizer=None, alpha=0.0).fit(X, y)
    Xq = np.random.default_rng(2).random((7, 2))
    mean, var = model.predict(Xq)
    ref_mean, ref_std = ref.predict(Xq, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-7, atol=1e-9)
    # sklearn's predictive std includes the white noise; ours is the latent function's.
    np.testing.assert_allclose(var + noise + 1e-9, ref_std**2, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("fixed_noise", [None, 1e-6])
def test_gradient_of_the_log_posterior(data, fixed_noise):
    X, y = data
    D = sq_distances(X, X, np.zeros(2, dtype=bool))
    theta = np.array([np.log(0.3), np.log(0.8), 0.2, np.log(1e-2)])
    _, grad = neg_log_posterior(theta, D, y, fixed_noise)
    eps = 1e-6
    for j in range(4):
        up, down = theta.copy(), theta.copy()
        up[j] += eps
        down[j] -= eps
        fd = neg_log_posterior(up, D, y, fixed_noise)[0] - neg_log_posterior(
            down, D, y, fixed_noise
        )[0]
        assert grad[j] == pytest.approx(fd / (2 * eps), rel=1e-4, abs=1e-6)


def test_fit_improves_on_the_prior_mode_and_interpolates(data):
    X, y = data
    D = sq_distances(X, X, np.zeros(2, dtype=bool))
    model = fit_gp(X, y, np.zeros(2, dtype=bool))
    assert neg_log_posterior(model.theta, D, y)[0] <= neg_log_posterior(default_theta(2), D, y)[0]
    mean, _ = model.predict(X)
    assert np.corrcoef(mean, y)[0, 1] > 0.99


def test_warm_start_and_deterministic_noise(data):
    X, y = data
    first = fit_gp(X, y, np.zeros(2, dtype=bool), deterministic=True)
    assert first.noise == pytest.approx(1e-6)
    again = fit_gp(X, y, np.zeros(2, dtype=bool), theta0=first.theta, deterministic=True)
    np.testing.assert_allclose(again.theta[:3], first.theta[:3], atol=1e-3)


def test_posterior_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.random((10, 2)), rng.integers(0, 3, 10)])
    y = np.sin(5 * X[:, 0]) + X[:, 2]
    is_cat = np.array([False, False, True])
    model = fit_gp(X, (y - y.mean()) / y.std(), is_cat)
    Xq = np.column_stack([rng.random((4, 2)), rng.integers(0, 3, 4)])
    idx = np.array([0, 1])
    mean, var, dmean, dvar = model.predict_with_grad(Xq, idx)
    np.testing.assert_allclose((mean, var), model.predict(Xq))
    eps = 1e-6
    for j, k in enumerate(idx):
        up, down = Xq.copy(), Xq.copy()
        up[:, k] += eps
        down[:, k] -= eps
        (m_up, v_up), (m_down, v_down) = model.predict(up), model.predict(down)
        np.testing.assert_allclose(dmean[:, j], (m_up - m_down) / (2 * eps), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(dvar[:, j], (v_up - v_down) / (2 * eps), rtol=1e-5, atol=1e-7)
