import numpy as np
import pytest

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import GPSampler, RandomSampler
from sk_hpo.trial import TrialState


def objective(trial):
    x = trial.suggest_float("x", -3, 3)
    lr = trial.suggest_float("lr", 1e-4, 1, log=True)
    n = trial.suggest_int("n", 1, 8)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    return (x - 1) ** 2 + (np.log10(lr) + 2) ** 2 + abs(n - 3) + (c != "b")


def make_study(seed=0, **kwargs):
    return sk_hpo.create_study(
        sampler=GPSampler(seed=seed, n_startup_trials=5, **kwargs), pruner=NopPruner()
    )


def test_proposals_are_valid_and_improve_on_random():
    study = make_study()
    study.optimize(objective, n_trials=25)
    for t in study.trials:
        for name, d in t.distributions.items():
            assert d._contains(d.to_internal_repr(t.params[name]))
    rand = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    rand.optimize(objective, n_trials=25)
    assert study.best_value < rand.best_value


def test_reproducible_with_a_seed():
    a, b = make_study(seed=4), make_study(seed=4)
    a.optimize(objective, n_trials=8)
    b.optimize(objective, n_trials=8)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_maximize_and_ignores_failed_and_pruned():
    study = sk_hpo.create_study(
        sampler=GPSampler(seed=0, n_startup_trials=4), pruner=NopPruner(), direction="maximize"
    )

    def obj(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number in (2, 6):
            raise ValueError
        if trial.number in (3, 7):
            trial.report(1e9, 0)  # a pruned trial's huge value must not be learnt
            raise sk_hpo.TrialPruned()
        return -((x - 0.8) ** 2)

    study.optimize(obj, n_trials=16, catch=(ValueError,))
    assert {t.state for t in study.trials} == {
        TrialState.COMPLETE,
        TrialState.FAIL,
        TrialState.PRUNED,
    }
    assert abs(study.best_params["x"] - 0.8) < 0.1


def test_constant_liar_gives_distinct_parallel_proposals():
    study = make_study()
    study.optimize(objective, n_trials=8)
    trials = [study.ask() for _ in range(3)]
    xs = [t.suggest_float("x", -3, 3) for t in trials]
    assert len(set(np.round(xs, 6))) == 3


def test_conditional_parameters_go_to_the_independent_sampler():
    study = make_study()

    def obj(trial):
        x = trial.suggest_float("x", 0, 1)
        if x > 0.5:
            return x + trial.suggest_float("extra", 0, 1)
        return x

    study.optimize(obj, n_trials=12)
    assert len(study.trials) == 12


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"n_startup_trials": -1},
            r"'n_startup_trials' parameter of GPSampler must be an int in the range \[0, inf\)"
            r"\. Got -1",
        ),
        ({"n_candidates": 0}, r"'n_candidates' .* Got 0 instead"),
        ({"max_train_trials": 5}, r"'max_train_trials' .* \[10, inf\)\. Got 5 instead"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GPSampler(**kwargs)
    with pytest.raises(TypeError, match="'independent_sampler' parameter of GPSampler"):
        GPSampler(independent_sampler="random")


def test_training_set_is_capped():
    study = make_study(max_train_trials=10)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=14)
    complete, y = study.sampler._training_set(study, ["x"])
    assert len(complete) == 10 and len(y) == 10
    assert min(y) == min(t.value for t in study.trials)


def test_no_repeat_in_a_finite_space_after_the_startup_trials():
    study = make_study(seed=0)  # 5 random startup trials, which may repeat

    def finite(trial):
        a = trial.suggest_int("a", 0, 3)
        b = trial.suggest_categorical("b", ["x", "y", "z"])
        return (a - 2) ** 2 + (b == "x")

    study.optimize(finite, n_trials=5)
    startup = {(t.params["a"], t.params["b"]) for t in study.trials}
    study.optimize(finite, n_trials=12 - len(startup))  # exactly the points left
    configs = [(t.params["a"], t.params["b"]) for t in study.trials[5:]]
    assert len(set(configs)) == len(configs)
    assert not set(configs) & startup
    study.optimize(finite, n_trials=2)  # exhausted: repeats are allowed, no error
    assert len(study.trials) == 19 - len(startup)


@pytest.mark.parametrize("popped", [False, True])
def test_a_queued_point_is_not_proposed_again(popped):
    study = make_study(seed=1)
    study.optimize(lambda t: t.suggest_int("a", 0, 9), n_trials=5)
    taken = {t.params["a"] for t in study.trials}
    queued = sorted(set(range(10)) - taken)[0]
    if popped:  # the queued trial runs, and has not suggested its fixed value yet
        study.enqueue_trial({"a": queued})
        study.ask()
        trial = study.ask()
    else:  # still waiting when the proposal is made (sampling happens at the first suggest)
        trial = study.ask()
        study.enqueue_trial({"a": queued})
    assert trial.suggest_int("a", 0, 9) not in taken | {queued}
