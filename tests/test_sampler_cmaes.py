"""CmaEsSampler: proposals, convergence, state rebuilt from the storage (JSON, no pickle),
restarts, the independent sampler, bad arguments and the missing extra."""

import collections
import json
import sys
import types
import warnings

import numpy as np
import pytest

import sk_hpo
from sk_hpo._direction import StudyDirection
from sk_hpo.distributions import FloatDistribution, IntDistribution
from sk_hpo.samplers import CmaEsSampler, RandomSampler
from sk_hpo.samplers._cmaes import ASK_ATTR, TELL_ATTR, to_unit
from sk_hpo.samplers._qmc import from_unit
from sk_hpo.trial import TrialState


def sphere(trial, dim=3):
    return sum(trial.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(dim))


def mixed(trial):
    a = trial.suggest_float("a", -2, 2)
    b = trial.suggest_float("b", 1e-3, 1e2, log=True)
    n = trial.suggest_int("n", -3, 7)
    k = trial.suggest_int("k", 0, 20, step=4)
    s = trial.suggest_float("s", 0.0, 1.0, step=0.25)
    m = trial.suggest_int("m", 1, 1000, log=True)
    return a**2 + np.log10(b) ** 2 + (n - 2) ** 2 + (k - 8) ** 2 + s + np.log10(m)


def study_with(sampler, storage=None, **kwargs):
    return sk_hpo.create_study(
        sampler=sampler, pruner=sk_hpo.pruners.NopPruner(), storage=storage, **kwargs
    )


@pytest.mark.parametrize("with_margin", [False, True])
def test_proposals_lie_in_their_distributions(with_margin):
    study = study_with(CmaEsSampler(seed=0, popsize=5, with_margin=with_margin))
    study.optimize(mixed, n_trials=40)
    proposed = [t for t in study.trials if ASK_ATTR in t.system_attrs]
    assert len(proposed) == 39  # every trial after the first (independent) one
    for t in study.trials:
        for name, d in t.distributions.items():
            value = t.params[name]
            assert d._contains(d.to_internal_repr(value)), (name, d, value)
            if isinstance(d, IntDistribution):
                assert isinstance(value, int)
            else:
                assert isinstance(value, float)
    assert study.best_value < 15


@pytest.mark.parametrize(
    "dist, values",
    [
        (FloatDistribution(-2, 3), [-2.0, 0.5, 3.0]),
        (FloatDistribution(1e-3, 10, log=True), [1e-3, 0.1, 10.0]),
        (IntDistribution(-3, 7), [-3, 0, 7]),
        (IntDistribution(0, 20, step=4), [0, 8, 20]),
        (IntDistribution(1, 1000, log=True), [1, 31, 1000]),
        (FloatDistribution(0, 1, step=0.25), [0.0, 0.5, 1.0]),
    ],
)
def test_unit_cube_round_trip(dist, values):
    for value in values:
        u = to_unit(value, dist)
        assert 0.0 <= u <= 1.0
        assert from_unit(u, dist) == pytest.approx(value)


def test_converges_much_better_than_random_with_the_same_budget():
    budget = 150
    cma = study_with(CmaEsSampler(seed=1))
    cma.optimize(sphere, n_trials=budget)
    rand = study_with(RandomSampler(seed=1))
    rand.optimize(sphere, n_trials=budget)
    assert cma.best_value < 0.05
    assert cma.best_value < rand.best_value / 50


def test_maximize_is_handled():
    study = study_with(CmaEsSampler(seed=0), direction="maximize")
    study.optimize(lambda t: -sphere(t), n_trials=120)
    assert study.best_value > -0.2


def test_reproducible_with_a_seed():
    runs = []
    for _ in range(2):
        study = study_with(CmaEsSampler(seed=3, restart_strategy="ipop", popsize=4))
        study.optimize(mixed, n_trials=30)
        runs.append([t.params for t in study.trials])
    assert runs[0] == runs[1]
    other = study_with(CmaEsSampler(seed=4))
    other.optimize(mixed, n_trials=30)
    assert [t.params for t in other.trials] != runs[0]


def _json_only(value):
    """True if ``value`` is made of JSON types only (no bytes, no pickled hex blob)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_only(v) for v in value)
    if isinstance(value, str):
        return len(value) < 100
    return value is None or isinstance(value, (bool, int, float))


@pytest.mark.parametrize("restart_strategy", [None, "ipop"])
def test_a_fresh_sampler_on_a_resumed_sqlite_study_continues_the_same_search(
    tmp_path, restart_strategy
):
    def objective(trial):
        return sphere(trial, dim=2) + 1e-3 * trial.suggest_int("n", 0, 9)

    kwargs = {"seed": 7, "restart_strategy": restart_strategy, "popsize": 4}
    reference = study_with(CmaEsSampler(**kwargs))
    reference.optimize(objective, n_trials=60)

    url = f"sqlite:///{tmp_path / 'cma.db'}"
    first = study_with(CmaEsSampler(**kwargs), storage=url, study_name="s")
    first.optimize(objective, n_trials=25)
    resumed = sk_hpo.load_study(study_name="s", storage=url, sampler=CmaEsSampler(**kwargs))
    resumed.optimize(objective, n_trials=35)

    assert [t.params for t in resumed.trials] == [t.params for t in reference.trials]
    generations = [t.system_attrs[ASK_ATTR]["generation"] for t in resumed.trials[1:]]
    assert generations[24] > 0  # the resumed trials continue the generations
    assert generations == sorted(generations) or restart_strategy == "ipop"
    for t in resumed.trials:
        for key in (ASK_ATTR, TELL_ATTR):
            if key in t.system_attrs:
                value = t.system_attrs[key]
                assert _json_only(value), value
                assert json.loads(json.dumps(value)) == value
    tells = [t.system_attrs[TELL_ATTR] for t in resumed.trials if TELL_ATTR in t.system_attrs]
    assert len(tells) >= 10
    assert all(len(r["trials"]) >= 4 for r in tells)
    assert not any(k.startswith("cma:optimizer") for t in resumed.trials for k in t.system_attrs)


def test_two_samplers_sharing_a_study_follow_one_search(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a = study_with(CmaEsSampler(seed=0, popsize=4), storage=url, study_name="s")
    b = sk_hpo.load_study(study_name="s", storage=url, sampler=CmaEsSampler(seed=1, popsize=4))
    pending = []
    for i in range(60):  # two workers, each keeping a trial in flight
        pending.append((a if i % 2 else b).ask())
        if len(pending) == 2:
            trial = pending.pop(0)
            a.tell(trial, sphere(trial, dim=2))
    for trial in pending:
        a.tell(trial, sphere(trial, dim=2))
    keys = [
        (r["restart"], r["generation"])
        for t in a.trials
        if (r := t.system_attrs.get(TELL_ATTR)) is not None
    ]
    assert len(keys) == len(set(keys)) >= 10  # each generation told once, by one worker
    assert a.best_value < 0.05
    # Both samplers' optimizers, and a fresh one, agree on the records replayed.
    fresh = CmaEsSampler(seed=2, popsize=4)
    study = sk_hpo.load_study(study_name="s", storage=url, sampler=fresh)
    sphere(study.ask(), dim=2)  # the first suggest replays the records
    applied = [number for _, number, _ in fresh._runs[study].applied]
    assert applied[: len(keys)] == [t.number for t in a.trials if TELL_ATTR in t.system_attrs]


def test_the_lowest_numbered_valid_record_of_a_generation_wins():
    """Processes telling one generation at once: every sampler follows the valid record on
    the lowest-numbered trial, and a cached optimizer that applied another one rebuilds."""
    sampler = CmaEsSampler(seed=0, popsize=4)
    study = study_with(sampler)
    study.optimize(lambda t: sphere(t, dim=2), n_trials=5)  # startup + generation 0
    t5, t6, t7 = study.ask(), study.ask(), study.ask()
    sphere(t7, dim=2)  # this process tells generation 0 on trial 7
    rec = study._storage.get_trial(t7._trial_id).system_attrs[TELL_ATTR]
    assert (rec["generation"], rec["trials"]) == (0, [1, 2, 3, 4])
    assert sampler._runs[study].applied == [((0, 0), 7, 4)]
    # Others told it too, on trials 5 (a record of the wrong size: skipped) and 6.
    study._storage.set_trial_system_attr(t5._trial_id, TELL_ATTR, dict(rec, trials=[1, 2, 3]))
    study._storage.set_trial_system_attr(t6._trial_id, TELL_ATTR, dict(rec, trials=[4, 3, 2, 1]))
    sphere(t5, dim=2)
    assert sampler._runs[study].applied == [((0, 0), 6, 4)]
    fresh = CmaEsSampler(seed=0, popsize=4)
    resumed = sk_hpo.load_study(study_name=study.study_name, storage=study._storage, sampler=fresh)
    sphere(resumed.ask(), dim=2)
    assert fresh._runs[resumed].applied == [((0, 0), 6, 4)]


def test_categorical_parameters_go_to_the_independent_sampler_with_one_warning():
    def objective(trial):
        c = trial.suggest_categorical("c", ["a", "b"])
        return sphere(trial, dim=2) + (c == "b")

    study = study_with(CmaEsSampler(seed=0))
    with pytest.warns(UserWarning, match="CmaEsSampler samples 'c'.*RandomSampler") as record:
        study.optimize(objective, n_trials=30)
    assert sum("samples 'c'" in str(w.message) for w in record) == 1
    assert all(w.filename == __file__ for w in record)  # points at the user's line
    assert {t.params["c"] for t in study.trials} == {"a", "b"}
    assert all(ASK_ATTR in t.system_attrs for t in study.trials[1:])  # floats still CMA-ES

    quiet = study_with(CmaEsSampler(seed=0, warn_independent_sampling=False))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet.optimize(objective, n_trials=5)


def test_custom_independent_sampler_is_used():
    calls = []

    class Spy(RandomSampler):
        def sample_independent(self, study, trial, name, dist):
            calls.append(name)
            return super().sample_independent(study, trial, name, dist)

    study = study_with(CmaEsSampler(seed=0, n_startup_trials=3, independent_sampler=Spy(0)))
    study.optimize(lambda t: sphere(t, dim=2), n_trials=6)
    assert calls == ["x0", "x1"] * 3  # the startup trials only


@pytest.mark.parametrize("strategy", ["ipop", "bipop"])
def test_restarts_trigger_on_a_flat_function(strategy):
    def flat(trial):
        return 1.0 + 0 * trial.suggest_float("x", 0, 1) + 0 * trial.suggest_float("y", 0, 1)

    study = study_with(CmaEsSampler(seed=0, restart_strategy=strategy, popsize=4))
    study.optimize(flat, n_trials=160)
    restarts = collections.Counter(
        t.system_attrs[ASK_ATTR]["restart"] for t in study.trials[1:]
    )
    assert restarts[1] > 0
    nxt = next(
        r["next"]
        for t in study.trials
        if (r := t.system_attrs.get(TELL_ATTR)) is not None and "next" in r
    )
    if strategy == "ipop":
        assert nxt["popsize"] == 8
    else:  # the large first run is followed by a small one, with a smaller step
        assert nxt["regime"] == "small" and nxt["popsize"] == 4 and nxt["sigma"] < 1 / 6
    without = study_with(CmaEsSampler(seed=0, popsize=4))
    without.optimize(flat, n_trials=160)
    assert {t.system_attrs[ASK_ATTR]["restart"] for t in without.trials[1:]} == {0}


def test_pruned_trials_are_ignored_unless_asked_for():
    def objective(trial):
        value = sphere(trial, dim=2)
        if trial.number % 3 == 0:
            trial.report(value, 0)
            raise sk_hpo.TrialPruned()
        return value

    counts = {}
    for consider in (False, True):
        study = study_with(CmaEsSampler(seed=0, popsize=4, consider_pruned_trials=consider))
        study.optimize(objective, n_trials=40)
        told = {
            n
            for t in study.trials
            if (r := t.system_attrs.get(TELL_ATTR)) is not None
            for n in r["trials"]
        }
        states = {study.trials[n].state for n in told}
        counts[consider] = TrialState.PRUNED in states
    assert counts == {False: False, True: True}


def test_enqueued_values_are_told_as_evaluated():
    study = study_with(CmaEsSampler(seed=0, popsize=4))
    study.optimize(lambda t: sphere(t, dim=2), n_trials=3)
    study.enqueue_trial({"x0": 4.0})
    study.optimize(lambda t: sphere(t, dim=2), n_trials=10)
    enqueued = study.trials[3]
    assert enqueued.params["x0"] == 4.0
    x = enqueued.system_attrs[ASK_ATTR]["x"]
    assert len(x) == 2  # its vector was proposed; the value given by hand is told instead
    told = [
        r for t in study.trials if (r := t.system_attrs.get(TELL_ATTR)) and 3 in r["trials"]
    ]
    assert told


def test_x0_and_sigma0_set_the_first_generation():
    sampler = CmaEsSampler(seed=0, x0={"x0": 4.0, "x1": -4.0}, sigma0=1e-3)
    study = study_with(sampler)
    study.optimize(lambda t: sphere(t, dim=2), n_trials=4)
    for t in study.trials[1:]:
        assert t.params["x0"] == pytest.approx(4.0, abs=0.1)
        assert t.params["x1"] == pytest.approx(-4.0, abs=0.1)


def test_x0_outside_its_distribution_is_a_clear_error():
    study = study_with(CmaEsSampler(seed=0, x0={"x0": 40.0}))
    with pytest.raises(ValueError, match=r"'x0' parameter of CmaEsSampler.*'x0'.*40\.0"):
        study.optimize(lambda t: sphere(t, dim=2), n_trials=3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"seed": 1.5},
            r"'seed' parameter of CmaEsSampler must be an int in the range \[0, inf\) "
            r"or None. Got 1.5",
        ),
        ({"seed": -1}, r"'seed' .* Got -1 instead"),
        ({"restart_strategy": "lpop"}, r"'restart_strategy' .*'ipop', 'bipop'.*'lpop'"),
        ({"x0": [1.0]}, r"'x0' parameter of CmaEsSampler must be a dict or None"),
        ({"sigma0": 0.0}, r"'sigma0' .* range \(0, inf\) or None. Got 0.0"),
        ({"n_startup_trials": -1}, r"'n_startup_trials' .* \[0, inf\)\. Got -1"),
        ({"independent_sampler": "random"}, r"'independent_sampler' .*BaseSampler.*'random'"),
        ({"warn_independent_sampling": 1}, r"'warn_independent_sampling' .*bool.*Got 1"),
        ({"consider_pruned_trials": "yes"}, r"'consider_pruned_trials' .*Got 'yes'"),
        ({"popsize": 2}, r"'popsize' .* \[4, inf\) or None. Got 2"),
        ({"inc_popsize": 1}, r"'inc_popsize' .* \[2, inf\)\. Got 1"),
        ({"with_margin": None}, r"'with_margin' .*bool.*Got None"),
        ({"mirrored_sampling": "yes"}, r"'mirrored_sampling' .*bool.*Got 'yes'"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CmaEsSampler(**kwargs)


def test_several_objectives_are_refused():
    study = types.SimpleNamespace(directions=[StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE])
    sampler = CmaEsSampler(seed=0)
    match = "CmaEsSampler optimises a single objective, but this study has 2"
    with pytest.raises(ValueError, match=match):
        sampler.infer_relative_search_space(study, None)
    with pytest.raises(ValueError, match="NSGAIISampler"):
        sampler.sample_independent(study, None, "x", FloatDistribution(0, 1))


def test_missing_cmaes_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cmaes", None)
    with pytest.raises(ImportError, match=r'pip install "sk-hpo\[cmaes\]"'):
        CmaEsSampler()


def test_with_margin_on_a_continuous_space_is_plain_cma_es():
    study = study_with(CmaEsSampler(seed=0, with_margin=True))
    study.optimize(lambda t: sphere(t, dim=2), n_trials=80)
    assert study.best_value < 0.05


def test_constraints_are_ignored_with_one_warning():
    sampler = CmaEsSampler(seed=0)
    trial = types.SimpleNamespace(constraints=[0.5])
    with pytest.warns(UserWarning, match="CmaEsSampler ignores the constraints"):
        sampler.after_trial(None, trial, TrialState.COMPLETE, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler.after_trial(None, trial, TrialState.COMPLETE, 1.0)
        sampler.after_trial(None, types.SimpleNamespace(), TrialState.COMPLETE, 1.0)


def test_threads_share_one_search():
    study = study_with(CmaEsSampler(seed=0, popsize=4))
    study.optimize(lambda t: sphere(t, dim=2), n_trials=60, n_jobs=2)
    assert len(study.trials) == 60
    keys = [
        (r["restart"], r["generation"])
        for t in study.trials
        if (r := t.system_attrs.get(TELL_ATTR)) is not None
    ]
    assert len(keys) == len(set(keys)) >= 8
    assert study.best_value < 0.5


def test_a_copy_starts_with_empty_caches_and_continues_the_search():
    import copy

    sampler = CmaEsSampler(seed=0, popsize=4)
    study = study_with(sampler)
    study.optimize(lambda t: sphere(t, dim=2), n_trials=20)
    clone = copy.deepcopy(sampler)
    assert not clone._runs and repr(clone) == repr(sampler)
    study.sampler = clone
    study.optimize(lambda t: sphere(t, dim=2), n_trials=20)
    reference = study_with(CmaEsSampler(seed=0, popsize=4))
    reference.optimize(lambda t: sphere(t, dim=2), n_trials=40)
    assert [t.params for t in study.trials] == [t.params for t in reference.trials]


def _asks(study):
    """``(number, ask record)`` of the trials CMA-ES proposed."""
    return [(t.number, rec) for t in study.trials if (rec := t.system_attrs.get(ASK_ATTR))]


def test_every_second_member_of_a_generation_mirrors_the_one_before_about_the_mean():
    study = study_with(CmaEsSampler(seed=0))  # d = 3: generations of 7
    study.optimize(lambda t: sphere(t, dim=3), n_trials=1 + 7 * 6)
    asks = dict(_asks(study))
    midpoints = collections.defaultdict(list)
    for number, rec in asks.items():
        position = number - 1 - 7 * rec["generation"]  # trial 0 is the random startup
        assert ("mirror" in rec) == (position % 2 == 1)  # no mirror fell outside the cube
        if "mirror" in rec:
            partner = asks[rec["mirror"]]
            assert rec["mirror"] == number - 1 and "mirror" not in partner
            assert partner["generation"] == rec["generation"]
            midpoint = (np.array(rec["x"]) + np.array(partner["x"])) / 2
            midpoints[rec["generation"]].append(midpoint)
    assert sorted(midpoints) == list(range(6))
    for generation, points in midpoints.items():
        # every pair of a generation is symmetric about one point: that generation's mean
        np.testing.assert_allclose(points, [points[0]] * len(points), atol=1e-12)
    np.testing.assert_allclose(midpoints[0][0], [0.5, 0.5, 0.5], atol=1e-12)  # the centre
    assert len({tuple(p[0]) for p in midpoints.values()}) == 6  # the mean moves


def test_a_mirror_outside_the_unit_cube_falls_back_to_an_ordinary_draw():
    # A mean near an edge of the cube (0.05 in x0): many mirrors fall outside it.
    sampler = CmaEsSampler(seed=0, x0={"x0": -4.5}, sigma0=0.1, popsize=12)
    study = study_with(sampler)
    study.optimize(lambda t: sphere(t, dim=2), n_trials=1 + 12)
    asks = dict(_asks(study))
    mean = np.array([0.05, 0.5])
    n_fallbacks = n_mirrors = 0
    for number, rec in asks.items():
        previous = asks.get(number - 1)
        if rec["generation"] != 0 or previous is None or "mirror" in previous:
            continue
        mirror = 2 * mean - np.array(previous["x"])
        if np.all((mirror >= 0) & (mirror <= 1)):
            n_mirrors += 1
            assert rec["mirror"] == number - 1
            np.testing.assert_allclose(rec["x"], mirror, atol=1e-12)
        else:
            n_fallbacks += 1
            assert "mirror" not in rec
            assert np.all((np.array(rec["x"]) >= 0) & (np.array(rec["x"]) <= 1))
    assert n_fallbacks >= 2 and n_mirrors >= 2


def test_mirrors_are_rebuilt_from_the_storage_by_a_fresh_sampler_at_each_trial():
    reference = study_with(CmaEsSampler(seed=5, popsize=4))
    reference.optimize(lambda t: sphere(t, dim=2), n_trials=30)
    study = study_with(CmaEsSampler(seed=5, popsize=4))
    for _ in range(30):
        study.sampler = CmaEsSampler(seed=5, popsize=4)  # as if each trial ran in a new process
        study.optimize(lambda t: sphere(t, dim=2), n_trials=1)
    assert [t.params for t in study.trials] == [t.params for t in reference.trials]
    assert sum("mirror" in rec for _, rec in _asks(study)) >= 10


def test_a_trial_asked_while_its_predecessor_has_no_vector_yet_is_an_ordinary_draw():
    """Two processes asking at once: the second cannot see the first's vector, so it draws
    (a vector is never mirrored twice)."""
    study = study_with(CmaEsSampler(seed=0, popsize=4))
    study.optimize(lambda t: sphere(t, dim=2), n_trials=2)  # startup + an original
    first = study.ask()
    second = study.ask()  # its predecessor has asked nothing yet
    sphere(second, dim=2)
    sphere(first, dim=2)
    rec_first, rec_second = (
        study._storage.get_trial(t._trial_id).system_attrs[ASK_ATTR] for t in (first, second)
    )
    assert rec_first["mirror"] == 1 and "mirror" not in rec_second
    third = study.ask()
    sphere(third, dim=2)  # the next one mirrors the ordinary draw
    assert study._storage.get_trial(third._trial_id).system_attrs[ASK_ATTR]["mirror"] == 3


def test_mirrored_sampling_false_draws_every_member():
    study = study_with(CmaEsSampler(seed=0, mirrored_sampling=False))
    study.optimize(lambda t: sphere(t, dim=3), n_trials=30)
    assert not any("mirror" in rec for _, rec in _asks(study))
    assert study.best_value < 5
