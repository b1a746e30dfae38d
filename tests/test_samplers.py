"""One conformance suite run over every sampler exported by sk_hpo.samplers and every storage."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sk_hpo
from sk_hpo import samplers
from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.pruners import NopPruner
from sk_hpo.storages import InMemoryStorage
from sk_hpo.trial import TrialState

GRID = {"x": [-1.0, 0.0, 0.5], "n": [1, 2], "c": ["a", "b"]}


def sampler_factories():
    factories = {}
    for name in samplers.__all__:
        cls = getattr(samplers, name)
        if name == "BaseSampler":
            continue
        if name == "GridSampler":
            factories[name] = lambda seed, cls=cls: cls(GRID, seed=seed)
        elif name in ("TPESampler", "GPSampler"):
            factories[name] = lambda seed, cls=cls: cls(seed=seed, n_startup_trials=3)
        else:
            factories[name] = lambda seed, cls=cls: cls(seed=seed)
    return factories


FACTORIES = sampler_factories()


def storages():
    yield "memory"
    if hasattr(sk_hpo.storages, "__all__") and "SQLiteStorage" in dir(sk_hpo.storages):
        try:
            sk_hpo.storages.SQLiteStorage  # noqa: B018
            yield "sqlite"
        except (ImportError, AttributeError):
            pass


@pytest.fixture(params=list(storages()))
def storage(request, tmp_path):
    if request.param == "memory":
        return InMemoryStorage()
    return sk_hpo.storages.SQLiteStorage(f"sqlite:///{tmp_path / 'samplers.db'}")


def objective(trial):
    x = trial.suggest_float("x", -1.0, 0.5)
    n = trial.suggest_int("n", 1, 2)
    c = trial.suggest_categorical("c", ["a", "b"])
    return x**2 + n + (c == "b")


def make_study(name, seed=0, direction="minimize", storage=None):
    return sk_hpo.create_study(
        sampler=FACTORIES[name](seed), pruner=NopPruner(), direction=direction, storage=storage
    )


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_runs_in_both_directions_on_every_storage(name, direction, storage):
    study = make_study(name, direction=direction, storage=storage)
    study.optimize(objective, n_trials=8)
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    assert trials
    for t in trials:
        for p, d in t.distributions.items():
            assert d._contains(d.to_internal_repr(t.params[p]))


@pytest.mark.parametrize("name", FACTORIES)
def test_reproducible_with_a_seed(name):
    a, b = make_study(name, seed=5), make_study(name, seed=5)
    a.optimize(objective, n_trials=8)
    b.optimize(objective, n_trials=8)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


@pytest.mark.parametrize("name", sorted(set(FACTORIES) - {"GridSampler"}))
def test_conditional_space_and_bad_history(name):
    study = make_study(name)

    def conditional(trial):
        kind = trial.suggest_categorical("kind", ["lin", "log"])
        if kind == "lin":
            value = trial.suggest_float("a", 0, 1)
        else:
            value = trial.suggest_float("b", 1e-3, 1, log=True)
        if trial.number % 5 == 3:
            trial.report(value, 0)
            raise sk_hpo.TrialPruned()
        if trial.number % 5 == 4:
            raise ValueError("fail")
        return value

    study.optimize(conditional, n_trials=15, catch=(ValueError,))
    states = {t.state for t in study.trials}
    assert states == {TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL}


@pytest.mark.parametrize("name", sorted(set(FACTORIES) - {"GridSampler"}))
def test_single_value_distributions(name):
    study = make_study(name)
    study.optimize(
        lambda t: t.suggest_float("a", 1.0, 1.0) + t.suggest_int("b", 2, 2)
        + len(t.suggest_categorical("c", ["z"])),
        n_trials=5,
    )
    assert all(t.params == {"a": 1.0, "b": 2, "c": "z"} for t in study.trials)


def distributions():
    floats = st.builds(
        lambda low, width, log, step: (
            FloatDistribution(abs(low) + 1e-3, abs(low) + 1e-3 + width, log=True)
            if log
            else FloatDistribution(low, low + width, step=step)
        ),
        st.floats(-1e3, 1e3),
        st.floats(1e-3, 1e3),
        st.booleans(),
        st.sampled_from([None, None, 0.5]),
    )
    ints = st.builds(
        lambda low, width, log: IntDistribution(max(low, 1), max(low, 1) + width, log=log)
        if log
        else IntDistribution(low, low + width),
        st.integers(-50, 50),
        st.integers(0, 200),
        st.booleans(),
    )
    cats = st.lists(st.sampled_from(["a", "b", 1, 2.5, None, True]), min_size=1, max_size=5,
                    unique_by=lambda v: (type(v), v)).map(CategoricalDistribution)
    return st.lists(st.one_of(floats, ints, cats), min_size=1, max_size=4)


@pytest.mark.filterwarnings("ignore:The range of .* is not divisible by step")
@pytest.mark.parametrize("name", sorted(set(FACTORIES) - {"GridSampler"}))
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(dists=distributions(), seed=st.integers(0, 100))
def test_every_value_lies_in_its_distribution(name, dists, seed):
    import warnings

    study = make_study(name, seed=seed)

    def obj(trial):
        total = 0.0
        for i, d in enumerate(dists):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                value = trial._suggest(f"p{i}", d)
            assert d._contains(d.to_internal_repr(value)), (d, value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total += float(value) if math.isfinite(value) else 0.0
        return total

    study.optimize(obj, n_trials=6)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


@pytest.mark.parametrize("name", FACTORIES)
def test_hook_order(name):
    calls = []
    sampler = FACTORIES[name](0)
    cls = type(sampler)

    class Spy(cls):
        def before_trial(self, study, trial):
            calls.append("before")
            super().before_trial(study, trial)

        def after_trial(self, study, trial, state, value):
            calls.append("after")
            super().after_trial(study, trial, state, value)

    spy = Spy.__new__(Spy)
    spy.__dict__.update(sampler.__dict__)
    study = sk_hpo.create_study(sampler=spy, pruner=NopPruner())
    study.optimize(objective, n_trials=2)
    assert calls == ["before", "after", "before", "after"]
