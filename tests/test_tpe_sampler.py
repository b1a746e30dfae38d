import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sk_hpo
from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import TPESampler
from sk_hpo.samplers._budgets import rank, rank_key
from sk_hpo.trial import FrozenTrial, TrialState


def make_study(direction="minimize", **kwargs):
    return sk_hpo.create_study(
        direction=direction, sampler=TPESampler(**kwargs), pruner=NopPruner()
    )


def mixed_objective(trial):
    x = trial.suggest_float("x", -5, 5)
    lr = trial.suggest_float("lr", 1e-6, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 64, log=True)
    k = trial.suggest_int("k", 0, 10, step=2)
    q = trial.suggest_float("q", 0, 1, step=0.1)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    return x**2 + (math.log10(lr) + 3) ** 2 + abs(n - 8) + k + q + (c != "b")


def test_same_seed_same_suggestions():
    studies = []
    for _ in range(2):
        study = make_study(seed=3, n_startup_trials=5)
        study.optimize(mixed_objective, n_trials=15)
        studies.append([t.params for t in study.trials])
    assert studies[0] == studies[1]
    other = make_study(seed=4, n_startup_trials=5)
    other.optimize(mixed_objective, n_trials=15)
    assert [t.params for t in other.trials] != studies[0]


def test_optimizes_better_than_its_startup():
    study = make_study(seed=0)
    study.optimize(mixed_objective, n_trials=50)
    startup_best = min(t.value for t in study.trials[:10])
    assert study.best_value < startup_best


def test_maximize():
    study = make_study(direction="maximize", seed=0)
    study.optimize(lambda t: -((t.suggest_float("x", 0, 1) - 0.3) ** 2), n_trials=40)
    assert abs(study.best_params["x"] - 0.3) < 0.05


distributions = st.one_of(
    st.builds(
        lambda lo, w, log: FloatDistribution(lo, lo + w, log=log),
        st.floats(1e-6, 10), st.floats(1e-9, 1e6), st.booleans(),
    ),
    st.builds(
        lambda lo, n, step: FloatDistribution(lo, lo + n * step, step=step),
        st.floats(-10, 10), st.integers(1, 30), st.sampled_from([0.1, 0.25, 2.0]),
    ),
    st.builds(
        lambda lo, n, step: IntDistribution(lo, lo + n * step, step=step),
        st.integers(-10, 10), st.integers(1, 40), st.integers(1, 3),
    ),
    st.builds(
        lambda lo, w: IntDistribution(lo, lo + w, log=True),
        st.integers(1, 5), st.integers(1, 10**6),
    ),
    st.builds(lambda k: CategoricalDistribution(list(range(k))), st.integers(2, 6)),
)


@pytest.mark.filterwarnings("ignore:The range of FloatDistribution is not divisible")
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dists=st.lists(distributions, min_size=1, max_size=4), multivariate=st.booleans())
def test_every_value_lies_in_its_distribution(dists, multivariate):
    study = make_study(seed=0, n_startup_trials=3, multivariate=multivariate)
    for i in range(12):
        trial = study.ask()
        total = 0.0
        for j, dist in enumerate(dists):
            value = trial._suggest(f"p{j}", dist)
            assert dist._contains(dist.to_internal_repr(value)), (dist, value)
            total += hash(str(value)) % 97
        study.tell(trial, total)


def test_no_repeat_in_a_finite_space_until_exhausted():
    study = make_study(seed=0, n_startup_trials=4)

    def objective(trial):
        a = trial.suggest_categorical("a", ["x", "y", "z"])
        b = trial.suggest_int("b", 0, 6, step=2)
        return (a == "y") + abs(b - 2)

    study.optimize(objective, n_trials=12)
    configs = [tuple(sorted(t.params.items())) for t in study.trials]
    assert len(set(configs)) == 12  # the whole space, no repeat
    study.optimize(objective, n_trials=3)  # exhausted: repeats are allowed, no error
    assert len(study.trials) == 15


def test_no_repeat_in_a_finite_conditional_space():
    study = make_study(seed=1, n_startup_trials=2)

    def objective(trial):
        model = trial.suggest_categorical("model", ["a", "b"])
        if model == "a":
            return trial.suggest_int("x", 1, 3)
        return 10 + trial.suggest_categorical("y", [1, 2])

    study.optimize(objective, n_trials=5)
    configs = {tuple(sorted(t.params.items())) for t in study.trials}
    assert len(configs) == 5


def test_enqueued_configuration_is_not_proposed_again():
    study = make_study(seed=0, n_startup_trials=1)
    study.enqueue_trial({"a": 0})
    study.enqueue_trial({"a": 1})
    study.optimize(lambda t: t.suggest_int("a", 0, 2), n_trials=3)
    assert sorted(t.params["a"] for t in study.trials) == [0, 1, 2]


def test_parallel_asks_are_distinct_in_a_finite_space():
    study = make_study(seed=0)
    study.optimize(lambda t: (t.suggest_int("n", 0, 40) - 20) ** 2, n_trials=15)
    finished = {t.params["n"] for t in study.trials}
    running = [study.ask() for _ in range(6)]
    values = [t.suggest_int("n", 0, 40) for t in running]
    assert len(set(values)) == 6
    assert not set(values) & finished


def test_processes_racing_for_one_configuration_get_distinct_ones():
    """Two Study objects on one storage stand for two processes: each sampler has its own
    memory and the same seed, so without the storage's claim they would propose the same
    configuration when they ask at once (the first has not stored all its parameters)."""
    storage = sk_hpo.storages.InMemoryStorage()

    def objective(trial):
        return trial.suggest_int("a", 0, 4) + (trial.suggest_categorical("b", ["x", "y"]) == "x")

    first = sk_hpo.create_study(storage=storage, study_name="s", sampler=TPESampler(seed=0),
                                pruner=NopPruner())
    first.optimize(objective, n_trials=4)
    second = sk_hpo.load_study(study_name="s", storage=storage, sampler=TPESampler(seed=0),
                               pruner=NopPruner())
    first = sk_hpo.load_study(study_name="s", storage=storage, sampler=TPESampler(seed=0),
                              pruner=NopPruner())
    t1, t2 = first.ask(), second.ask()
    a1 = t1.suggest_int("a", 0, 4)  # t1 proposed its configuration and stored one parameter
    a2, b2 = t2.suggest_int("a", 0, 4), t2.suggest_categorical("b", ["x", "y"])
    b1 = t1.suggest_categorical("b", ["x", "y"])
    assert (a1, b1) != (a2, b2)
    finished = {(t.params["a"], t.params["b"]) for t in first.trials[:4]}
    assert not {(a1, b1), (a2, b2)} & finished


def test_constant_liar_spreads_parallel_asks():
    def spread(constant_liar):
        spreads = []
        for seed in range(4):
            study = make_study(seed=seed, constant_liar=constant_liar)
            study.optimize(lambda t: (t.suggest_float("x", 0, 1) - 0.5) ** 2, n_trials=20)
            running = [study.ask() for _ in range(8)]
            xs = [t.suggest_float("x", 0, 1) for t in running]
            spreads.append(np.std(xs))
        return np.mean(spreads)

    assert spread(True) > spread(False)


def test_conditional_space_is_modelled_by_groups():
    study = make_study(seed=0)

    def objective(trial):
        kind = trial.suggest_categorical("kind", ["svm", "tree"])
        if kind == "svm":
            c = trial.suggest_float("C", 1e-3, 1e3, log=True)
            return abs(math.log10(c) - 1)
        depth = trial.suggest_int("depth", 1, 10)
        return 1 + abs(depth - 4)

    study.optimize(objective, n_trials=40)
    late = study.trials[-15:]
    trial = study.ask()
    assert {"kind", "C", "depth"} <= set(trial.relative_params)
    assert sum(t.params["kind"] == "svm" for t in late) >= 10
    assert study.best_value < 0.2


@pytest.mark.parametrize("group", [True, False])
def test_dynamic_ranges_and_new_parameters(group):
    study = make_study(seed=0, n_startup_trials=3, group=group)

    def objective(trial):
        high = trial.suggest_int("high", 1, 10)
        y = trial.suggest_int("y", 0, high)  # dynamic range: sampled one at a time
        extra = trial.suggest_float("extra", 0, 1) if trial.number > 8 else 0.0
        assert 0 <= y <= high
        return high - y + extra

    study.optimize(objective, n_trials=20)
    assert len(study.trials) == 20


def test_univariate_mode():
    study = make_study(seed=0, multivariate=False)
    study.optimize(mixed_objective, n_trials=25)
    assert study.ask().relative_params == {}
    assert study.best_value < min(t.value for t in study.trials[:10])


def test_pruned_trials_feed_the_model():
    study = make_study(seed=0, n_startup_trials=5)

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, step=0)
        if x > 0.2:
            raise sk_hpo.TrialPruned()
        return x

    study.optimize(objective, n_trials=30)
    states = [t.state for t in study.trials]
    assert TrialState.PRUNED in states
    assert study.best_value < 0.05


def _reporting_study(n_pruned, n_running, multivariate=True, report=True):
    """Pruned trials at x in [0.3, 1] that scored 1.0 at step 0, then running ones at
    x in [0.02, 0.08] that reported 0.0 there (unless ``report`` is False)."""
    study = make_study(seed=0, multivariate=multivariate, n_startup_trials=5)
    dist = FloatDistribution(0, 1)
    for x in np.linspace(0.3, 1.0, n_pruned):
        study.add_trial(sk_hpo.trial.create_trial(
            params={"x": float(x)}, distributions={"x": dist}, state=TrialState.PRUNED,
            intermediate_values={0: 1.0},
        ))
    for x in np.linspace(0.02, 0.08, n_running):
        study.enqueue_trial({"x": float(x)})
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        if report:
            trial.report(0.0, step=0)
    return study


@pytest.mark.parametrize("multivariate", [True, False])
def test_running_trials_that_reported_are_ranked_at_their_step(multivariate):
    # The three running trials reported the best values at step 0: they are the good group
    # (as pruned trials stopped there would be), not constant lies among the bad ones, so
    # the model proposes near them. Lied about, they pushed proposals away from x < 0.1.
    study = _reporting_study(n_pruned=12, n_running=3, multivariate=multivariate)
    xs = [study.ask().suggest_float("x", 0, 1) for _ in range(6)]
    assert np.median(xs) < 0.15, xs


@pytest.mark.parametrize("report", [True, False])
def test_running_trials_that_reported_count_towards_the_startup(report):
    # 2 pruned + 3 running trials that reported reach n_startup_trials=5: the model makes a
    # relative proposal. Running trials that reported nothing do not count: random startup.
    study = _reporting_study(n_pruned=2, n_running=3, report=report)
    assert (study.ask().relative_params != {}) == report


def _frozen(number, state, value=None, intermediate=None):
    return FrozenTrial(
        number, state, value, None, None, {}, {}, {}, {}, dict(intermediate or {}), number
    )


def test_rank_puts_complete_then_deeper_pruned_first():
    trials = [
        _frozen(0, TrialState.PRUNED, intermediate={0: 0.1}),
        _frozen(1, TrialState.COMPLETE, 5.0),
        _frozen(2, TrialState.PRUNED, intermediate={0: 9.0, 3: 7.0}),
        _frozen(3, TrialState.PRUNED),
        _frozen(4, TrialState.COMPLETE, 1.0),
        _frozen(5, TrialState.PRUNED, intermediate={0: 0.5, 3: 2.0}),
    ]
    keys = np.array([rank_key(t) for t in trials])
    assert rank(keys, sign=1.0).tolist() == [4, 1, 5, 2, 0, 3]
    assert rank(keys, sign=-1.0).tolist()[:2] == [1, 4]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_startup_trials": -1}, "'n_startup_trials' parameter of TPESampler must be an int"),
        ({"n_startup_trials": "3"}, "'n_startup_trials'.*Got '3' instead"),
        ({"n_ei_candidates": 0}, r"'n_ei_candidates' parameter of TPESampler must be an int in the "
                                 r"range \[1, inf\)"),
        ({"n_ei_candidates": 2.5}, "'n_ei_candidates'.*Got 2.5 instead"),
        ({"gamma": 0.1}, "'gamma' parameter of TPESampler must be a callable"),
        ({"prior_weight": 0.0}, r"'prior_weight' parameter of TPESampler must be a float in the "
                                r"range \(0, inf\)"),
        ({"prior_weight": float("nan")}, "'prior_weight'.*Got nan instead"),
    ],
)
def test_invalid_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        TPESampler(**kwargs)


def test_custom_gamma_is_used():
    calls = []

    def gamma(n):
        calls.append(n)
        return 2

    study = make_study(seed=0, n_startup_trials=2, gamma=gamma)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    assert calls and max(calls) <= 4


def test_pickle_and_repr():
    sampler = TPESampler(seed=7)
    study = sk_hpo.create_study(sampler=sampler, pruner=NopPruner())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=12)
    clone = pickle.loads(pickle.dumps(sampler))
    study2 = sk_hpo.create_study(sampler=clone, pruner=NopPruner())
    study2.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=12)
    assert repr(clone) == "TPESampler(seed=7)"


def test_optimize_with_threads():
    study = make_study(seed=0)
    study.optimize(mixed_objective, n_trials=30, n_jobs=2)
    assert len(study.trials) == 30
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_default_sampler_of_create_study_is_tpe():
    assert isinstance(sk_hpo.create_study(pruner=NopPruner()).sampler, TPESampler)


def test_no_repeat_in_a_finite_space_with_threads():
    def objective(trial):
        a = trial.suggest_categorical("a", ["x", "y", "z"])
        b = trial.suggest_int("b", 0, 6, step=2)
        return (a == "y") + abs(b - 2)

    for seed in range(3):
        study = make_study(seed=seed, n_startup_trials=4)
        study.optimize(objective, n_trials=1)
        study.optimize(objective, n_trials=11, n_jobs=2)
        configs = [tuple(sorted(t.params.items())) for t in study.trials]
        assert len(set(configs)) == 12


def test_huge_integer_space_is_never_enumerated():
    study = make_study(seed=0, n_startup_trials=3)
    study.optimize(
        lambda t: abs(t.suggest_int("a", 0, 10**12) - 10**6) + t.suggest_int("b", 0, 10**12),
        n_trials=15,
    )
    configs = {tuple(t.params.values()) for t in study.trials}
    assert len(configs) == 15


def _one_trial_study(sampler):
    study = sk_hpo.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("k", 0, 9), n_trials=1)
    return study


def test_relative_space_is_inferred_during_startup_and_startup_draws_are_random(monkeypatch):
    sampler = TPESampler(n_startup_trials=5, seed=0)
    study = _one_trial_study(sampler)
    space = sampler.infer_relative_search_space(study, study.trials[-1])
    assert space == {"x": FloatDistribution(0, 1), "k": IntDistribution(0, 9)}
    assert sampler.sample_relative(study, study.trials[-1], space) == {}  # still in startup
    calls = []
    monkeypatch.setattr(
        sk_hpo.samplers.RandomSampler, "sample_independent",
        lambda self, *args: calls.append(args[2]) or 0.5,
    )
    sampler.sample_independent(study, study.trials[-1], "x", FloatDistribution(0, 1))
    assert calls == ["x"]


def test_multivariate_and_group_defaults_and_their_invalid_combination():
    assert TPESampler()._multivariate and TPESampler()._group
    single = TPESampler(multivariate=False)
    assert not single._group
    assert single.infer_relative_search_space(None, None) == {}  # the study is not read
    with pytest.raises(ValueError, match="'group' parameter of TPESampler must be False or None"):
        TPESampler(multivariate=False, group=True)


def test_weights_callable_is_used_and_checked():
    seen = []

    def weights(n):
        seen.append(n)
        return np.arange(1, n + 1, dtype=float)

    sampler = TPESampler(n_startup_trials=2, seed=0, weights=weights)
    study = sk_hpo.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    assert seen  # called for the good and the bad observations
    with pytest.raises(ValueError, match="'weights' parameter of TPESampler must be"):
        TPESampler(weights=3)


def test_consider_prior_is_accepted_with_a_future_warning():
    with pytest.warns(FutureWarning, match="'consider_prior' parameter of TPESampler"):
        TPESampler(consider_prior=True)


def test_after_trial_reaches_the_startup_sampler(monkeypatch):
    sampler = TPESampler(seed=0)
    calls = []
    monkeypatch.setattr(sampler._random_sampler, "after_trial", lambda *a: calls.append(a[2]))
    sk_hpo.create_study(sampler=sampler).optimize(lambda t: 1.0, n_trials=2)
    assert calls == [TrialState.COMPLETE] * 2
