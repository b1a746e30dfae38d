import numpy as np
import pytest
from scipy import integrate, stats

from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.samplers._tpe.parzen_estimator import (
    ParzenEstimator,
    SpaceArrays,
    age_weights,
    categorical_bandwidth,
    neighbour_bandwidths,
    split_sizes_default,
)

DISTRIBUTIONS = {
    "float": FloatDistribution(-2.0, 3.0),
    "float_log_10_decades": FloatDistribution(1e-8, 1e2, log=True),
    "float_tiny_range": FloatDistribution(1.0, 1.0 + 1e-9),
    "float_step": FloatDistribution(0.0, 1.0, step=0.1),
    "int": IntDistribution(-3, 7),
    "int_step": IntDistribution(0, 20, step=5),
    "int_log": IntDistribution(1, 1000, log=True),
    "categorical": CategoricalDistribution(["a", "b", "c"]),
    "float_single": FloatDistribution(0.5, 0.5),
    "int_single": IntDistribution(4, 4),
    "categorical_single": CategoricalDistribution(["only"]),
}


def fitted(dists, n=6, seed=0):
    space = SpaceArrays.from_distributions(dists)
    X = space.uniform(np.random.default_rng(seed), n)
    return ParzenEstimator.fit(X, np.ones(n), space), space


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_samples_lie_in_the_distribution(name):
    dist = DISTRIBUTIONS[name]
    pe, space = fitted([dist])
    draws = pe.sample(np.random.default_rng(1), 200)
    for X in (draws, space.uniform(np.random.default_rng(2), 50)):
        assert X.shape[1] == 1
        assert all(dist._contains(float(v)) for v in X[:, 0]), X[:, 0]
        assert np.all(np.isfinite(pe.log_pdf(X)))


@pytest.mark.parametrize("name", ["float", "float_log_10_decades", "float_tiny_range"])
def test_continuous_density_integrates_to_one(name):
    dist = DISTRIBUTIONS[name]
    pe, space = fitted([dist])
    # Densities are in model space (log of the value for log=True).
    lo, hi = space.lo[0], space.hi[0]

    def density(y):
        x = np.exp(y) if dist.log else y
        return np.exp(pe.log_pdf(np.array([[x]])))[0]

    total, _ = integrate.quad(density, lo, hi, limit=200, points=pe.mu[:, 0])
    assert total == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("name", ["float_step", "int", "int_step", "int_log", "categorical"])
def test_discrete_masses_sum_to_one(name):
    dist = DISTRIBUTIONS[name]
    pe, space = fitted([dist])
    if isinstance(dist, CategoricalDistribution):
        grid = np.arange(len(dist.choices), dtype=float)
    else:
        step = dist.step
        grid = np.arange(dist.low, dist.high + step / 2, step)
    total = np.exp(pe.log_pdf(grid[:, None])).sum()
    assert total == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("name", ["float_single", "int_single", "categorical_single"])
def test_single_value_distributions(name):
    dist = DISTRIBUTIONS[name]
    pe, _ = fitted([dist])
    X = pe.sample(np.random.default_rng(0), 5)
    assert np.all(X == X[0]) and dist._contains(float(X[0, 0]))
    np.testing.assert_allclose(pe.log_pdf(X), 0.0, atol=1e-12)


def test_prior_only_mixture_on_empty_observations():
    space = SpaceArrays.from_distributions([FloatDistribution(0.0, 1.0)])
    pe = ParzenEstimator.fit(np.empty((0, 1)), np.empty(0), space)
    assert pe.n_components == 1
    want = stats.truncnorm.logpdf(0.3, -0.5, 0.5, loc=0.5, scale=1.0)
    assert pe.log_pdf(np.array([[0.3]]))[0] == pytest.approx(want)


def test_mixture_matches_explicit_truncnorm_sum():
    space = SpaceArrays.from_distributions([FloatDistribution(0.0, 10.0)])
    X = np.array([[2.0], [3.0], [8.0]])
    pe = ParzenEstimator.fit(X, np.array([1.0, 2.0, 1.0]), space, prior_weight=1.0)
    x = 4.2
    w = np.array([1.0, 2.0, 1.0, 1.0]) / 5.0
    mu, sigma = pe.mu[:, 0], pe.sigma[:, 0]
    dens = stats.truncnorm.pdf(x, (0 - mu) / sigma, (10 - mu) / sigma, loc=mu, scale=sigma)
    assert np.exp(pe.log_pdf(np.array([[x]]))[0]) == pytest.approx(np.sum(w * dens))


def test_multivariate_density_is_a_product_kernel_mixture():
    dists = [FloatDistribution(0.0, 1.0), CategoricalDistribution(["x", "y"])]
    space = SpaceArrays.from_distributions(dists)
    pe = ParzenEstimator.fit(np.array([[0.2, 0.0], [0.8, 1.0]]), np.ones(2), space)
    point = np.array([[0.25, 0.0]])
    mu, sigma = pe.mu[:, 0], pe.sigma[:, 0]
    cont = stats.truncnorm.pdf(0.25, -mu / sigma, (1 - mu) / sigma, loc=mu, scale=sigma)
    cat = np.exp(pe.cat_log_p[0][:, 0])
    want = np.sum(np.exp(pe.log_w) * cont * cat)
    assert np.exp(pe.log_pdf(point)[0]) == pytest.approx(want)


def test_samples_concentrate_near_observations():
    space = SpaceArrays.from_distributions([FloatDistribution(0.0, 100.0)])
    X = np.full((20, 1), 30.0) + np.linspace(-1, 1, 20)[:, None]
    pe = ParzenEstimator.fit(X, np.ones(20), space)
    draws = pe.sample(np.random.default_rng(0), 2000)[:, 0]
    assert np.mean(np.abs(draws - 30.0) < 10.0) > 0.8


def test_log_space_kernels_for_log_parameters():
    space = SpaceArrays.from_distributions([FloatDistribution(1e-6, 1.0, log=True)])
    pe = ParzenEstimator.fit(np.array([[1e-5], [2e-5]]), np.ones(2), space)
    draws = pe.sample(np.random.default_rng(0), 1000)[:, 0]
    assert np.median(draws) < 1e-3  # a linear-space kernel would put the median near 0.5


def test_neighbour_bandwidths():
    Y = np.array([[0.5, 0.1], [0.1, 0.2], [0.2, 0.9]])
    lo, hi = np.zeros(2), np.ones(2)
    got = neighbour_bandwidths(Y, lo, hi, consider_endpoints=True)
    np.testing.assert_allclose(got[:, 0], [0.5, 0.1, 0.3])
    got = neighbour_bandwidths(Y, lo, hi, consider_endpoints=False)
    np.testing.assert_allclose(got[:, 0], [0.3, 0.1, 0.3])
    np.testing.assert_allclose(got[:, 1], [0.1, 0.7, 0.7])


def test_bandwidths_are_clipped():
    space = SpaceArrays.from_distributions([FloatDistribution(0.0, 1.0)])
    X = np.full((5, 1), 0.5)
    pe = ParzenEstimator.fit(X, np.ones(5), space, consider_magic_clip=True)
    assert np.all(pe.sigma[:5, 0] >= 6.0**-1.5 - 1e-12)
    pe = ParzenEstimator.fit(X, np.ones(5), space, consider_magic_clip=False)
    np.testing.assert_allclose(pe.sigma[:5, 0], 0.03)
    assert pe.sigma[5, 0] == 1.0  # the prior spans the range


def test_small_helpers():
    assert [split_sizes_default(n) for n in (0, 1, 7, 20, 500)] == [0, 1, 2, 3, 25]
    w = age_weights(60)
    assert w.shape == (60,) and np.all(np.diff(w) >= 0) and np.all(w[-25:] == 1.0)
    assert categorical_bandwidth(4, 0) == pytest.approx(0.75)
    assert categorical_bandwidth(4, 99) == pytest.approx(0.075)


def test_round_snaps_to_grid_and_bounds():
    space = SpaceArrays.from_distributions(
        [FloatDistribution(0.0, 1.0, step=0.25), IntDistribution(1, 9, step=2)]
    )
    X = space.round(np.array([[0.3, 4.2], [1.2, -3.0]]))
    np.testing.assert_allclose(X, [[0.25, 5.0], [1.0, 1.0]])


def test_discrete_log_pdf_of_a_large_mixture_is_exact():
    # Most (point, component) pairs lie far in the tails: the bounded shortcut must not
    # change the result.
    space = SpaceArrays.from_distributions(
        [IntDistribution(1, 10_000), IntDistribution(1, 10**6, log=True), FloatDistribution(0, 1)]
    )
    rng = np.random.default_rng(0)
    pe = ParzenEstimator.fit(space.uniform(rng, 500), np.ones(500), space)
    X = space.uniform(rng, 30)
    mu, sigma, log_norm = pe.mu, pe.sigma, pe.log_norm
    terms = np.broadcast_to(pe.log_w, (30, pe.n_components)).copy()
    for j in (0, 1):
        log = j == 1
        lo = np.log(X[:, j] - 0.5) if log else X[:, j] - 0.5
        hi = np.log(X[:, j] + 0.5) if log else X[:, j] + 0.5
        lo, hi = np.maximum(lo, space.lo[j]), np.minimum(hi, space.hi[j])
        a = (lo[:, None] - mu[None, :, j]) / sigma[None, :, j]
        b = (hi[:, None] - mu[None, :, j]) / sigma[None, :, j]
        terms += reference_log_mass(a, b) - log_norm[None, :, j]
    m, s = mu[None, :, 2], sigma[None, :, 2]
    terms += stats.truncnorm.logpdf(X[:, 2][:, None], -m / s, (1 - m) / s, loc=m, scale=s)
    want = np.log(np.exp(terms - terms.max(axis=1, keepdims=True)).sum(axis=1)) + terms.max(axis=1)
    np.testing.assert_allclose(pe.log_pdf(X), want, rtol=1e-9)


def reference_log_mass(a, b):
    """log(Phi(b) - Phi(a)) from scipy, on the side of zero where it does not cancel."""
    a, b = np.broadcast_arrays(a, b)
    flip = a > 0  # mirror: Phi(b) - Phi(a) = Phi(-a) - Phi(-b)
    lo, hi = np.where(flip, -b, a), np.where(flip, -a, b)
    log_hi, log_lo = stats.norm.logcdf(hi), stats.norm.logcdf(lo)
    return log_hi + np.log1p(-np.exp(log_lo - log_hi))


@pytest.mark.parametrize("inserted", [0, 7, 40])
def test_previous_fit_gives_the_same_estimator(inserted):
    # Kernels kept from the previous fit (same row or shifted by the inserted trial) reuse
    # their normalisers; every number is the same as a fresh fit.
    space = SpaceArrays.from_distributions(list(DISTRIBUTIONS.values()))
    X = space.uniform(np.random.default_rng(0), 41)
    old = np.delete(X, inserted, axis=0)
    previous = ParzenEstimator.fit(old, np.ones(40), space)
    fresh = ParzenEstimator.fit(X, np.ones(41), space)
    reused = ParzenEstimator.fit(X, np.ones(41), space, previous=previous)
    np.testing.assert_array_equal(reused.log_norm, fresh.log_norm)
    np.testing.assert_array_equal(reused.mu, fresh.mu)
    other = SpaceArrays.from_distributions([FloatDistribution(0.0, 2.0)] * len(DISTRIBUTIONS))
    on_other = ParzenEstimator.fit(X, np.ones(41), other, previous=previous)
    np.testing.assert_array_equal(
        on_other.log_norm, ParzenEstimator.fit(X, np.ones(41), other).log_norm
    )
