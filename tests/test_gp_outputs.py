import numpy as np
import pytest

from scipy import stats

from sk_hpo.samplers._gp.outputs import training_targets, yeo_johnson


@pytest.mark.parametrize(
    "y",
    [
        np.array([3.0, 1.0, 2.0, 250.0, 4.0]),  # one very bad value
        np.array([-3.3, -0.1, -0.2, -0.05, -1.0]),  # a long tail of good values
        np.array([1e300, -1e300, 0.0]),  # no overflow
        np.linspace(0, 1, 7),
    ],
)
def test_targets_keep_the_order_and_put_the_worst_at_zero(y):
    u = training_targets(y)
    assert np.all(np.isfinite(u))
    assert u.max() == 0.0 and u[np.argmax(y)] == 0.0
    np.testing.assert_array_equal(np.argsort(u), np.argsort(y))


def test_targets_are_standardised_before_the_shift():
    u = training_targets(np.array([3.0, 1.0, 2.0, 250.0, 4.0]))
    assert np.std(u) == pytest.approx(1.0)


def test_power_transform_spreads_the_good_values_apart_from_an_outlier():
    y = np.append(np.arange(1.0, 20.0), 1000.0)
    u = training_targets(y)
    linear = (y - y.mean()) / y.std()
    # Relative to the full range, the good values are spread wider after the transform.
    assert np.ptp(u[:-1]) / np.ptp(u) > 10 * np.ptp(linear[:-1]) / np.ptp(linear)


def test_constant_values_give_zeros():
    np.testing.assert_array_equal(training_targets(np.full(4, 2.5)), np.zeros(4))


@pytest.mark.parametrize(
    "x",
    [
        np.array([-1.5, -0.2, 0.0, 0.3, 0.9, 4.0]),
        np.array([0.1, 0.2, 5.0, 40.0]),  # all positive
        np.array([-0.1, -0.2, -5.0, -40.0]),  # all negative
        np.array([0.0, 0.0, 0.0]),
        np.array([-1.2, -1.1, 1.0, 1.1, 1.2, 30.0]),
        np.random.default_rng(0).standard_normal(300),
        np.random.default_rng(1).standard_exponential(200) * 3 - 1,
    ],
)
def test_yeo_johnson_matches_scipy(x):
    want = stats.yeojohnson(x)[0]
    np.testing.assert_allclose(yeo_johnson(x), want, rtol=1e-9, atol=1e-12)
