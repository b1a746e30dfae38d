import numpy as np
import pytest

import sk_hpo
from sk_hpo.distributions import FloatDistribution
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import GPSampler, TPESampler
from sk_hpo.samplers._budgets import budget_keys, modelled_step, rank, rank_key, reach_of
from sk_hpo.trial import TrialState, create_trial

X = {"x": FloatDistribution(0.0, 10.0)}


def complete(x, value, intermediate=None):
    return create_trial(
        params={"x": x}, distributions=X, value=value, intermediate_values=intermediate
    )


def pruned(x, intermediate):
    return create_trial(
        params={"x": x}, distributions=X, state=TrialState.PRUNED,
        intermediate_values=intermediate,
    )


def keys_of(trials):
    return np.array([rank_key(t) for t in trials], dtype=float).reshape(-1, 3)


@pytest.mark.parametrize(
    "reach, n_min, expected",
    [
        ([np.inf, np.inf, 3.0], 2, np.inf),
        ([np.inf, 9.0, 3.0, 3.0, 1.0], 3, 3.0),
        ([np.inf, 9.0, 3.0, 3.0, 1.0], 2, 9.0),
        ([np.inf, 9.0, 3.0, -np.inf], 4, np.inf),  # too few reported anything
        ([-np.inf, -np.inf], 1, np.inf),
        ([5.0, 1.0], 0, 5.0),  # n_min below 1 counts as 1
    ],
)
def test_modelled_step(reach, n_min, expected):
    assert modelled_step(np.array(reach), n_min) == expected


def test_enough_complete_trials_keep_the_plain_ranking():
    trials = [complete(1.0, 0.5, {1: 0.9}), complete(2.0, 0.4), pruned(3.0, {1: 0.1})]
    keys = keys_of(trials)
    step, out = budget_keys(trials, keys, n_min=2)
    assert step == np.inf and out is keys
    assert rank(out, 1.0).tolist() == [1, 0, 2]


def test_ranked_at_the_modelled_step_pruned_below_rank_last():
    trials = [
        complete(1.0, 0.5, {1: 0.9, 3: 0.7}),
        pruned(2.0, {1: 0.3, 3: 0.2}),  # better than the complete trial at step 3
        pruned(3.0, {1: 0.05}),  # best at step 1 but stopped below step 3
        pruned(4.0, {}),  # reported nothing
        complete(5.0, 0.6),  # reported nothing: its final value stands for step 3
        pruned(6.0, {1: 0.4, 2: 0.5}),  # no value at 3: its value at 2 is below it
    ]
    step, keys = budget_keys(trials, keys_of(trials), n_min=3)
    assert step == 3.0
    np.testing.assert_array_equal(reach_of(keys_of(trials)), [np.inf, 3, 1, -np.inf, np.inf, 2])
    assert rank(keys, sign=1.0).tolist() == [1, 4, 0, 5, 2, 3]
    assert rank(keys, sign=-1.0).tolist()[:3] == [0, 4, 1]  # maximising
    assert keys[0].tolist() == [0.0, 0.0, 0.7]


def test_tpe_counts_pruned_trials_as_bad():
    # Pruned trials near x=2 reported excellent low-budget values; the COMPLETE trials near
    # x=8 climbed higher: they form TPE's good group and the proposals go near 8.
    study = sk_hpo.create_study(sampler=TPESampler(seed=0), pruner=NopPruner())
    rng = np.random.default_rng(0)
    for x in rng.uniform(7.5, 8.5, 4):
        study.add_trial(complete(float(x), 5.0, {1: 4.0}))
    for x in rng.uniform(1.5, 2.5, 16):
        study.add_trial(pruned(float(x), {1: 0.0}))
    proposals = [study.ask({"x": X["x"]}).params["x"] for _ in range(10)]
    assert np.median(proposals) > 5


def test_tpe_with_bohb_n_min_models_the_step_that_fills_the_good_group(monkeypatch):
    # The variant the mixed-budget benchmark measures (not the default): with n_min =
    # gamma(n) = 3, step 1 is modelled and the pruned trials near x=8 are the best there.
    monkeypatch.setattr(TPESampler, "_budget_n_min", lambda self, n: max(self._gamma(n), 1))
    study = sk_hpo.create_study(sampler=TPESampler(seed=0), pruner=NopPruner())
    study.add_trial(complete(1.0, 0.5, {1: 0.9}))
    study.add_trial(complete(1.2, 0.5, {1: 0.9}))
    rng = np.random.default_rng(0)
    for x in rng.uniform(7.5, 8.5, 6):
        study.add_trial(pruned(float(x), {1: 0.1}))
    for x in rng.uniform(0, 10, 12):
        study.add_trial(pruned(float(x), {1: 2.0}))
    proposals = [study.ask({"x": X["x"]}).params["x"] for _ in range(10)]
    assert np.median(proposals) > 5


def test_gp_learns_from_complete_trials_only():
    study = sk_hpo.create_study(sampler=GPSampler(seed=0), pruner=NopPruner())
    for x, v in [(1.0, 0.3), (2.0, 0.5), (9.0, 0.2)]:
        study.add_trial(complete(x, v, {1: v + 1}))
    for x in (4.0, 5.0, 6.0, 7.0):
        study.add_trial(pruned(x, {1: 5.0}))
    trials, y = study.sampler._training_set(study, ["x"])
    assert y.tolist() == [0.3, 0.5, 0.2]


@pytest.mark.parametrize("n_min, expected", [(1, [0.3, 0.5, 0.2, 0.5, 0.5]), (4, None)])
def test_gp_with_pruned_trials_modelled(monkeypatch, n_min, expected):
    # The variants the mixed-budget benchmark measures (not the default).
    from sk_hpo.samplers._gp import sampler as gp

    monkeypatch.setattr(gp, "_MODELLED", (TrialState.COMPLETE, TrialState.PRUNED))
    monkeypatch.setattr(GPSampler, "_budget_n_min", lambda self, d: n_min)
    study = sk_hpo.create_study(sampler=GPSampler(seed=0), pruner=NopPruner(), direction="maximize")
    for x, v in [(1.0, -0.3), (2.0, -0.5), (9.0, -0.2)]:
        study.add_trial(complete(x, v, {1: v - 1}))
    study.add_trial(pruned(4.0, {1: -5.0}))
    study.add_trial(pruned(5.0, {0: -0.1}))
    trials, y = study.sampler._training_set(study, ["x"])
    if expected is None:  # step 1 is reached by 4 trials: values there, the last at the worst
        expected = [1.3, 1.5, 1.2, 5.0, 5.0]
    assert y.tolist() == expected
