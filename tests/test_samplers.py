"""One conformance suite over every sampler in ``sk_hpo.samplers.__all__`` and every storage.

Samplers join automatically when they are exported: GridSampler gets a grid that covers the
objective of each test, samplers with ``n_startup_trials`` get a small one so that their model
runs, and any other sampler is built with ``seed=`` alone (skipped if it needs more).
"""

import inspect
import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sk_hpo
from sk_hpo import samplers
from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.pruners import NopPruner
from sk_hpo.storages import InMemoryStorage, get_storage
from sk_hpo.trial import TrialState

SAMPLER_NAMES = [n for n in samplers.__all__ if n != "BaseSampler"]
GRID = {"x": [-1.0, 0.0, 0.5], "n": [1, 2], "c": ["a", "b"]}


def make_sampler(name, seed, grid=GRID):
    cls = getattr(samplers, name)
    if name == "GridSampler":
        return cls(grid, seed=seed)
    kwargs = {"seed": seed}
    if "n_startup_trials" in inspect.signature(cls).parameters:
        kwargs["n_startup_trials"] = 3
    return cls(**kwargs)


STORAGES = ["memory", "sqlite"]


@pytest.fixture(params=STORAGES)
def storage(request, tmp_path):
    if request.param == "memory":
        return InMemoryStorage()
    return get_storage(f"sqlite:///{tmp_path / 'samplers.db'}")


def make_study(name, seed=0, direction="minimize", storage=None, grid=GRID):
    return sk_hpo.create_study(
        sampler=make_sampler(name, seed, grid),
        pruner=NopPruner(),
        direction=direction,
        storage=storage,
    )


def objective(trial):
    x = trial.suggest_float("x", -1.0, 0.5)
    n = trial.suggest_int("n", 1, 2)
    c = trial.suggest_categorical("c", ["a", "b"])
    return x**2 + n + (c == "b")


def assert_params_in_distributions(study):
    for t in study.trials:
        for p, d in t.distributions.items():
            assert d._contains(d.to_internal_repr(t.params[p])), (p, d, t.params[p])


@pytest.mark.parametrize("name", SAMPLER_NAMES)
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_runs_in_both_directions(name, direction, storage):
    study = make_study(name, direction=direction, storage=storage)
    study.optimize(objective, n_trials=8)
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 8
    assert_params_in_distributions(study)
    values = [t.value for t in study.trials]
    assert study.best_value == (max(values) if direction == "maximize" else min(values))


@pytest.mark.parametrize("name", SAMPLER_NAMES)
def test_reproducible_with_a_seed(name, storage):
    a = make_study(name, seed=5, storage=storage)
    b = make_study(name, seed=5, storage=storage)
    a.optimize(objective, n_trials=8)
    b.optimize(objective, n_trials=8)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


@pytest.mark.filterwarnings("ignore:Trial .* failed with ValueError")
@pytest.mark.filterwarnings("ignore:QMCSampler samples")
@pytest.mark.parametrize("name", SAMPLER_NAMES)
def test_conditional_space_with_failed_and_pruned_history(name, storage):
    grid = {"kind": ["lin", "log"], "a": [0.0, 0.5], "b": [1e-3, 0.1]}
    study = make_study(name, storage=storage, grid=grid)

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
    assert_params_in_distributions(study)


@pytest.mark.parametrize("name", SAMPLER_NAMES)
def test_single_value_distributions(name, storage):
    study = make_study(name, storage=storage, grid={"a": [1.0], "b": [2], "c": ["z"]})
    study.optimize(
        lambda t: t.suggest_float("a", 1.0, 1.0)
        + t.suggest_int("b", 2, 2)
        + len(t.suggest_categorical("c", ["z"])),
        n_trials=5,
    )
    assert study.trials
    assert all(t.params == {"a": 1.0, "b": 2, "c": "z"} for t in study.trials)


@pytest.mark.parametrize("name", SAMPLER_NAMES)
def test_hooks_wrap_the_sampling_of_each_trial(name, storage, monkeypatch):
    sampler = make_sampler(name, 0)
    calls = []
    for hook in ("before_trial", "after_trial", "sample_relative", "sample_independent"):
        original = getattr(sampler, hook)

        def spy(*args, hook=hook, original=original):
            calls.append("sample" if hook.startswith("sample") else hook)
            return original(*args)

        monkeypatch.setattr(sampler, hook, spy)
    study = sk_hpo.create_study(sampler=sampler, pruner=NopPruner(), storage=storage)
    study.optimize(objective, n_trials=3)
    compact = [c for i, c in enumerate(calls) if i == 0 or c != calls[i - 1]]
    assert compact == ["before_trial", "sample", "after_trial"] * 3


def distributions():
    floats = st.builds(
        lambda low, width, log, step: (
            FloatDistribution(abs(low) + 1e-3, abs(low) + 1e-3 + width, log=True)
            if log
            else FloatDistribution(low, low + width, step=step)
        ),
        st.floats(-1e3, 1e3),
        st.floats(0.0, 1e3),
        st.booleans(),
        st.sampled_from([None, None, 0.5]),
    )
    ints = st.builds(
        lambda low, width, log, step: (
            IntDistribution(max(low, 1), max(low, 1) + width, log=True)
            if log
            else IntDistribution(low, low + width, step=step)
        ),
        st.integers(-50, 50),
        st.integers(0, 200),
        st.booleans(),
        st.sampled_from([1, 1, 3]),
    )
    cats = st.lists(
        st.sampled_from(["a", "b", 1, 2.5, None, True]),
        min_size=1,
        max_size=5,
        unique_by=lambda v: (type(v), v),
    ).map(CategoricalDistribution)
    return st.lists(st.one_of(floats, ints, cats), min_size=1, max_size=4)


def grid_of(dists):
    """A grid that fits the distributions: their ends, or their choices."""
    return {
        f"p{i}": list(d.choices)
        if isinstance(d, CategoricalDistribution)
        else sorted({d.low, d.high})
        for i, d in enumerate(dists)
    }


@pytest.mark.filterwarnings("ignore:The range of .* is not divisible by step")
@pytest.mark.parametrize("name", SAMPLER_NAMES)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(dists=distributions(), seed=st.integers(0, 100))
def test_every_value_lies_in_its_distribution(name, dists, seed):
    study = make_study(name, seed=seed, grid=grid_of(dists))

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
    assert study.trials
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
