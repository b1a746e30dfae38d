import numpy as np
import pytest
from scipy.stats import norm

from sk_hpo.samplers._gp.acquisition import log_ei, log_h, optimize_acquisition


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


def test_optimizer_finds_the_maximum_of_a_mixed_function():
    def f(U):
        return -((U[:, 0] - 0.3) ** 2) - (U[:, 1] != 2.0)

    rng = np.random.default_rng(0)
    candidates = np.column_stack([rng.random(50), rng.integers(0, 4, 50).astype(float)])
    x = optimize_acquisition(
        f, candidates, np.array([True, False]), [None, np.arange(4, dtype=float)]
    )
    assert x[0] == pytest.approx(0.3, abs=1e-4)
    assert x[1] == 2.0
