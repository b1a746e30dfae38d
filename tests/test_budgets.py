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


def test_gp_learns_pruned_trials_as_bad():
    study = sk_hpo.create_study(sampler=GPSampler(seed=0), pruner=NopPruner())
    for x, v in [(1.0, 0.3), (2.0, 0.5), (9.0, 0.2)]:
        study.add_trial(complete(x, v, {1: v + 1}))
    for x in (4.0, 5.0, 6.0, 7.0):
        study.add_trial(pruned(x, {1: 5.0}))
    trials, y = study.sampler._training_set(study, ["x"])
    assert len(trials) == 7
    assert y.tolist() == [0.3, 0.5, 0.2, 0.5, 0.5, 0.5, 0.5]  # pruned: the worst value


def test_gp_models_a_lower_step_when_few_trials_complete():
    study = sk_hpo.create_study(
        sampler=GPSampler(seed=0), pruner=NopPruner(), direction="maximize"
    )
    study.add_trial(complete(1.0, 0.9, {1: 0.2}))
    for x, v in [(3.0, 0.5), (5.0, 0.6), (7.0, 0.1)]:
        study.add_trial(pruned(x, {1: v}))
    study.add_trial(pruned(9.0, {0: 0.8}))
    trials, y = study.sampler._training_set(study, ["x"])
    # d + 1 = 2 trials are needed at a step: step 1 (reached by 4), values to minimise
    assert [t.params["x"] for t in trials] == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert y.tolist() == [-0.2, -0.5, -0.6, -0.1, -0.1]
