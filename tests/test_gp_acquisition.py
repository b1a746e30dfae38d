import numpy as np
import pytest
from scipy.stats import norm

from sk_hpo.samplers._gp.acquisition import log_ei, log_ei_grad, log_h


def direct_h(z):
    return z * norm.cdf(z) + norm.pdf(z)


@pytest.mark.parametrize("z", [-30.0, -24.0, -10.0, -5.0, -1.5, -1.0, -0.5, 0.0, 0.7, 3.0, 12.0])
def test_log_h_equals_the_direct_formula_where_that_is_stable(z):
    assert log_h(np.array([z]))[0] == pytest.approx(np.log(direct_h(z)), rel=1e-9, abs=1e-12)


def test_log_h_is_finite_and_monotone_where_the_direct_formula_underflows():
    z = -np.logspace(0.5, 8, 200)
    values = log_h(z)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) < 0)
    assert direct_h(-40.0) == 0.0 or np.log(direct_h(-40.0)) < -800
    # Continuous across the branch change at z = -25.
    left, right = log_h(np.array([-25.0 - 1e-9, -25.0 + 1e-9]))
    assert left == pytest.approx(right, rel=1e-9)


def test_log_ei_matches_closed_form():
    mean, var, best = np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.25, 4.0]), 0.5
    std = np.sqrt(var)
    z = (best - mean) / std
    expected = np.log(std * direct_h(z))
    np.testing.assert_allclose(log_ei(mean, var, best), expected, rtol=1e-10)


@pytest.mark.parametrize("best", [0.5, -8.0, -60.0])
def test_log_ei_gradient_matches_finite_differences(best):
    # mean and var as functions of a scalar t: mean = t^2, var = exp(t).
    t = np.array([-1.0, 0.3, 2.0])
    value, grad = log_ei_grad(t**2, np.exp(t), (2 * t)[:, None], np.exp(t)[:, None], best)
    np.testing.assert_allclose(value, log_ei(t**2, np.exp(t), best))
    eps = 1e-6
    fd = (log_ei((t + eps) ** 2, np.exp(t + eps), best)
          - log_ei((t - eps) ** 2, np.exp(t - eps), best)) / (2 * eps)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad[:, 0], fd, rtol=1e-5, atol=1e-7)
