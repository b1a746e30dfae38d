import numpy as np
import pytest

import sk_hpo
from sk_hpo.distributions import FloatDistribution, IntDistribution
from sk_hpo.samplers._tpe import _mass_cache
from sk_hpo.samplers._tpe._mass_cache import CellMassCache
from sk_hpo.samplers._tpe._observations import StudyObservations
from sk_hpo.samplers._tpe.parzen_estimator import ParzenEstimator, SpaceArrays, age_weights
from sk_hpo.trial import TrialState

SPACE = SpaceArrays.from_distributions(
    [IntDistribution(1, 100), IntDistribution(8, 1024, log=True), FloatDistribution(-1, 1)]
)


def caches():
    return {0: CellMassCache(1.0, 1.0, 100), 1: CellMassCache(8.0, 1.0, 1017)}


def test_cached_log_pdf_equals_the_computed_one_as_the_mixture_grows():
    rng = np.random.default_rng(0)
    X = SPACE.uniform(rng, 300)
    cached = caches()
    for n in (50, 51, 52, 80, 200, 300):
        pe = ParzenEstimator.fit(X[:n], age_weights(n), SPACE)
        points = SPACE.uniform(rng, 24)
        np.testing.assert_array_equal(pe.log_pdf(points, cached), pe.log_pdf(points))
        # A second call finds every mass in the cache (refined ones included).
        np.testing.assert_array_equal(pe.log_pdf(points, cached), pe.log_pdf(points))


def test_kept_kernels_are_not_recomputed():
    cache = CellMassCache(0.0, 1.0, 10)
    computed = []

    def compute(k, i):
        computed.append(len(k))
        return np.zeros(len(k)), np.zeros(len(k), dtype=bool)

    mu, sigma = np.array([1.0, 2.0, 3.0]), np.ones(3)
    assert cache.bind(mu, sigma)
    cache.lookup(np.array([1.0, 2.0]), compute)
    # The same kernels shifted by one position (a kernel entered first) and a new one.
    assert cache.bind(np.array([0.5, 1.0, 2.0, 3.0]), np.ones(4))
    cache.lookup(np.array([1.0, 2.0]), compute)
    assert computed == [6, 2]


def test_over_the_size_cap_nothing_is_cached(monkeypatch):
    monkeypatch.setattr(_mass_cache, "_MAX_ENTRIES", 100)
    cache = CellMassCache(1.0, 1.0, 100)
    assert not cache.bind(np.arange(5.0), np.ones(5))
    rng = np.random.default_rng(1)
    pe = ParzenEstimator.fit(SPACE.uniform(rng, 40), np.ones(40), SPACE)
    points = SPACE.uniform(rng, 10)
    np.testing.assert_array_equal(pe.log_pdf(points, caches()), pe.log_pdf(points))


def test_observations_keep_caches_while_the_columns_stay_the_same():
    obs = StudyObservations()
    first = obs.mass_caches(("a",), SPACE)
    assert set(first) == {0, 1} and obs.mass_caches(("a",), SPACE) is first
    other = SpaceArrays.from_distributions(
        [IntDistribution(1, 50), IntDistribution(8, 1024, log=True), FloatDistribution(-1, 1)]
    )
    assert obs.mass_caches(("a",), other) is not first  # a changed range: new caches


def test_sync_reads_a_trial_that_finishes_after_later_ones():
    study = sk_hpo.create_study()
    early = study.ask()
    early.suggest_float("x", 0, 1)
    for _ in range(3):
        trial = study.ask()
        study.tell(trial, trial.suggest_float("x", 0, 1))
    obs = StudyObservations()
    obs.sync(study.get_trials(deepcopy=False))
    assert obs.n_finished == 3
    running = obs.running_configs(study.get_trials(deepcopy=False), trial, {})
    assert len(running) == 1  # the early trial, found past the settled prefix
    study.tell(early, 0.5)
    obs.sync(study.get_trials(deepcopy=False))
    assert obs.n_finished == 4
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 4


@pytest.mark.parametrize("seed", [0, 1])
def test_tpe_on_a_mixed_space_uses_the_caches(seed):
    study = sk_hpo.create_study(sampler=sk_hpo.samplers.TPESampler(seed=seed))
    study.optimize(
        lambda t: (t.suggest_int("n", 1, 100) - 30) ** 2 + t.suggest_float("x", -1, 1) ** 2,
        n_trials=30,
    )
    obs = next(iter(study.sampler._observations.values()))
    assert obs._mass_caches  # the discrete column's masses were kept


def test_kernels_sharing_a_key_and_slots_freed_meanwhile_keep_their_own_masses():
    # Found by key (not by position) and new kernels in one bind: a slot taken by a kernel
    # found by key must not be handed to a new one.
    cache = CellMassCache(0.0, 1.0, 4)

    def compute(k, i, mu=None):
        return -np.asarray(cache_mu)[i] - k, np.zeros(len(k), dtype=bool)

    rng = np.random.default_rng(0)
    cache_mu = rng.integers(0, 6, 40).astype(float)
    for _ in range(30):
        assert cache.bind(cache_mu, np.ones(cache_mu.size))
        got = cache.lookup(np.array([0.0, 1.0, 2.0]), compute)[0]
        np.testing.assert_array_equal(got, -cache_mu[None, :] - np.arange(3.0)[:, None])
        cache_mu = rng.permutation(np.append(cache_mu, rng.integers(0, 9, 3)))[:40]
