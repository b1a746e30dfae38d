import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sk_hpo.samplers._tpe import _truncnorm

# Bound pairs (a, b) in standard units: both tails, around zero, tiny and huge intervals.
EDGE_BOUNDS = [
    (-1.0, 1.0),
    (-np.inf, 0.0),
    (0.0, np.inf),
    (-np.inf, np.inf),
    (-40.0, -38.0),
    (38.0, 40.0),
    (5.0, 5.0 + 1e-9),
    (-5.0 - 1e-9, -5.0),
    (-1e-12, 1e-12),
    (-0.3, 30.0),
    (-30.0, 0.3),
    (1.0, 1.5),
]


def reference_log_mass(a, b):
    """log(Phi(b) - Phi(a)) from scipy's tail functions, or the midpoint rule on tiny intervals
    (where scipy's own truncnorm loses digits to cancellation)."""
    if b - a < 1e-6:
        return np.log(b - a) + stats.norm.logpdf(0.5 * (a + b))
    if b <= 0:
        log_b, log_a = stats.norm.logcdf(b), stats.norm.logcdf(a)
        return log_b + np.log1p(-np.exp(log_a - log_b))
    log_a, log_b = stats.norm.logsf(a), stats.norm.logsf(b)
    return log_a + np.log1p(-np.exp(log_b - log_a))


@pytest.mark.parametrize("a, b", EDGE_BOUNDS)
def test_log_gauss_mass_matches_reference(a, b):
    got = _truncnorm.log_gauss_mass(np.array([a]), np.array([b]))[0]
    assert np.isfinite(got)
    assert got == pytest.approx(reference_log_mass(a, b), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("a, b", [ab for ab in EDGE_BOUNDS if np.isfinite(ab).all()])
def test_ppf_matches_scipy_and_stays_inside(a, b):
    q = np.array([0.0, 1e-6, 0.1, 0.5, 0.9, 1 - 1e-6, 1.0])
    got = _truncnorm.ppf(q, a, b)
    assert np.all((got >= a) & (got <= b))
    assert np.all(np.diff(got) >= 0)
    want = stats.truncnorm.ppf(q, a, b)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9 * max(1.0, abs(a)))


def test_ppf_of_a_zero_width_interval_is_the_bound():
    assert _truncnorm.ppf(np.array([0.3]), 2.0, 2.0)[0] == 2.0


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(-50, 50),
    width=st.floats(1e-10, 100),
    q=st.floats(0, 1),
)
def test_ppf_inverts_the_cdf_inside_bounds(a, width, q):
    b = a + width
    x = _truncnorm.ppf(np.array([q]), a, b)[0]
    assert a <= x <= b
    # CDF(x) = Z(a, x) / Z(a, b): compare in log space where the masses are tiny.
    if 1e-6 < q < 1 - 1e-6 and width > 1e-6:
        log_cdf = _truncnorm.log_gauss_mass(np.array([a]), np.array([x]))[0]
        log_total = _truncnorm.log_gauss_mass(np.array([a]), np.array([b]))[0]
        assert np.exp(log_cdf - log_total) == pytest.approx(q, abs=1e-5)


def test_vectorised_broadcasting():
    a = np.array([[-1.0], [0.5]])
    b = np.array([[1.0, 2.0, 3.0]])
    assert _truncnorm.log_gauss_mass(a, b).shape == (2, 3)
    assert _truncnorm.ppf(0.5, a, b).shape == (2, 3)


def test_fast_log_mass_is_exact_or_an_upper_bound():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 15, 2000)
    b = a + rng.exponential(3, 2000)
    fast, inexact = _truncnorm.log_gauss_mass_fast(a, b)
    exact = _truncnorm.log_gauss_mass(a, b)
    assert inexact.any() and (~inexact).any()
    np.testing.assert_allclose(fast[~inexact], exact[~inexact], rtol=1e-9)
    assert np.all(fast[inexact] >= exact[inexact] - 1e-12)
