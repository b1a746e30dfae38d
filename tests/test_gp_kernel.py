import numpy as np
import pytest
from sklearn.gaussian_process.kernels import Matern

from sk_hpo.samplers._gp.kernel import (
    matern52,
    matern52_grad_log_ell_dot,
    matern52_cross,
    matern52_with_grad_inputs,
    sq_distances,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.random((6, 3))
    X[:, 2] = rng.integers(0, 3, size=6)
    return X, np.array([False, False, True])


def test_matches_sklearn_matern_on_continuous_dimensions(data):
    X, _ = data
    is_cat = np.zeros(3, dtype=bool)
    ell = np.array([0.3, 1.2, 0.7])
    K = matern52(sq_distances(X, X, is_cat), ell, 2.0)
    expected = 2.0 * Matern(length_scale=ell, nu=2.5)(X)
    np.testing.assert_allclose(K, expected, rtol=1e-10, atol=1e-12)


def test_categorical_dimension_uses_hamming_distance(data):
    X, is_cat = data
    D = sq_distances(X, X, is_cat)
    assert set(np.unique(D[:, :, 2])) <= {0.0, 1.0}
    np.testing.assert_array_equal(D[:, :, 2], (X[:, None, 2] != X[None, :, 2]).astype(float))


@pytest.mark.parametrize("ell", [[0.1, 0.5, 2.0], [1.0, 1.0, 1.0], [5.0, 0.05, 0.3]])
def test_lengthscale_gradient_matches_finite_differences(data, ell):
    X, is_cat = data
    D = sq_distances(X, X, is_cat)
    ell = np.array(ell)
    W = np.random.default_rng(1).normal(size=(6, 6))
    grad = matern52_grad_log_ell_dot(D, ell, 1.5, W)
    eps = 1e-6
    for k in range(3):
        up, down = np.log(ell).copy(), np.log(ell).copy()
        up[k] += eps
        down[k] -= eps
        fd = np.sum(W * (matern52(D, np.exp(up), 1.5) - matern52(D, np.exp(down), 1.5)))
        assert grad[k] == pytest.approx(fd / (2 * eps), rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("ell", [[0.1, 0.5, 2.0], [5.0, 0.05, 0.3]])
def test_input_gradient_matches_finite_differences(data, ell):
    X, is_cat = data
    ell = np.array(ell)
    Xq = X[:4].copy()
    Xq[0] = X[1]  # a query at a training point: r = 0
    idx = np.array([0, 1])
    D = sq_distances(Xq, X, is_cat)
    K, grad = matern52_with_grad_inputs(Xq, X, is_cat, ell, 1.5, idx)
    np.testing.assert_allclose(K, matern52(D, ell, 1.5), rtol=1e-13)
    assert grad.shape == (2, 4, 6)
    eps = 1e-6
    for j, k in enumerate(idx):
        up, down = Xq.copy(), Xq.copy()
        up[:, k] += eps
        down[:, k] -= eps
        fd = matern52(sq_distances(up, X, is_cat), ell, 1.5) - matern52(
            sq_distances(down, X, is_cat), ell, 1.5
        )
        np.testing.assert_allclose(grad[j], fd / (2 * eps), rtol=1e-5, atol=1e-7)


def test_diagonal_is_signal_variance(data):
    X, is_cat = data
    K = matern52(sq_distances(X, X, is_cat), np.ones(3), 0.7)
    np.testing.assert_allclose(np.diag(K), 0.7)


def test_cross_kernel_matches_the_distance_form(data):
    X, is_cat = data
    ell = np.array([0.3, 1.2, 0.7])
    Xq = np.random.default_rng(1).random((4, 3))
    Xq[:, 2] = [0, 1, 2, 1]
    expected = matern52(sq_distances(Xq, X, is_cat), ell, 1.5)
    np.testing.assert_allclose(matern52_cross(Xq, X, is_cat, ell, 1.5), expected, rtol=1e-13)
