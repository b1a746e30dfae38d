import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.trial import TrialState


@pytest.fixture
def study():
    return sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())


def test_suggest_types_and_bounds(study):
    trial = study.ask()
    x = trial.suggest_float("x", -1.0, 1.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    q = trial.suggest_float("q", 0.0, 1.0, step=0.25)
    n = trial.suggest_int("n", 1, 10)
    m = trial.suggest_int("m", 1, 1024, log=True)
    k = trial.suggest_int("k", 0, 10, step=5)
    c = trial.suggest_categorical("c", ["a", "b", None])
    assert isinstance(x, float) and -1 <= x <= 1
    assert 1e-5 <= lr <= 1e-1
    assert q in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert isinstance(n, int) and 1 <= n <= 10
    assert isinstance(m, int) and 1 <= m <= 1024
    assert k in (0, 5, 10)
    assert c in ("a", "b", None)
    assert trial.params == {"x": x, "lr": lr, "q": q, "n": n, "m": m, "k": k, "c": c}
    stored = study.tell(trial, 0.0)
    assert stored.params == trial.params


def test_same_name_twice_returns_same_value(study):
    trial = study.ask()
    first = trial.suggest_float("x", 0, 1)
    assert trial.suggest_float("x", 0, 1) == first


def test_same_name_with_another_range_warns_and_keeps_the_first_value(study):
    trial = study.ask()
    first = trial.suggest_float("x", 0, 1)
    with pytest.warns(RuntimeWarning, match=r"'x' was already suggested .* first call"):
        assert trial.suggest_float("x", 0, 2) == first
    with pytest.raises(ValueError, match="Cannot set different distribution kind"):
        trial.suggest_int("x", 0, 1)


def test_same_name_with_another_kind_in_a_later_trial_is_an_error(study):
    study.ask().suggest_float("x", 0, 1)
    trial = study.ask()
    with pytest.raises(ValueError, match="Cannot set different distribution kind"):
        trial.suggest_categorical("x", [0, 1])
    with pytest.raises(ValueError, match="different log configuration"):
        trial.suggest_float("x", 0.1, 1, log=True)
    assert 0 <= trial.suggest_float("x", 0, 5) <= 5  # other bounds: a dynamic space
    # a fresh Study object over the same storage learns the kind from the stored trials
    again = sk_hpo.load_study(study_name=study.study_name, storage=study._storage)
    with pytest.raises(ValueError, match="Cannot set different distribution kind"):
        again.ask().suggest_int("x", 0, 1)


def test_report_accepts_an_integral_float_step(study):
    trial = study.ask()
    trial.report(0.5, step=1.0)
    with pytest.raises(ValueError, match=r"'step' parameter of Trial.report .* Got 1.5 instead"):
        trial.report(0.5, step=1.5)
    assert study.tell(trial, state=TrialState.PRUNED).intermediate_values == {1: 0.5}


def test_single_value_distributions(study):
    trial = study.ask()
    assert trial.suggest_float("a", 2.5, 2.5) == 2.5
    assert trial.suggest_int("b", 3, 3) == 3
    assert trial.suggest_categorical("c", ["only"]) == "only"


def test_estimator_choices_round_trip(study):
    choices = [LogisticRegression(C=1.0), LogisticRegression(C=10.0)]
    trial = study.ask()
    chosen = trial.suggest_categorical("est", choices)
    assert any(chosen is c for c in choices)


@pytest.mark.parametrize(
    "method, args, replacement",
    [
        ("suggest_uniform", (0.0, 1.0), "suggest_float"),
        ("suggest_loguniform", (1e-3, 1.0), "log=True"),
        ("suggest_discrete_uniform", (0.0, 1.0, 0.5), "step=q"),
    ],
)
def test_deprecated_aliases_warn_but_work(study, method, args, replacement):
    trial = study.ask()
    with pytest.warns(FutureWarning, match=replacement):
        value = getattr(trial, method)("x", *args)
    assert args[0] <= value <= args[1]


def test_suggest_name_must_be_a_str(study):
    trial = study.ask()
    with pytest.raises(
        TypeError,
        match=r"'name' parameter of Trial.suggest_\* must be a str. Got 1",
    ):
        trial.suggest_float(1, 0.0, 1.0)


def test_report_validation(study):
    trial = study.ask()
    with pytest.raises(
        TypeError, match=r"'value' parameter of Trial.report must be a float. Got 'a' instead"
    ):
        trial.report("a", 0)
    with pytest.raises(ValueError, match=r"'step' parameter of Trial.report must be an int in the "
                                         r"range \[0, inf\). Got -1 instead"):
        trial.report(1.0, -1)
    with pytest.raises(TypeError, match=r"'step' parameter of Trial.report .* Got 'a' instead"):
        trial.report(1.0, "a")
    trial.report(np.float32(0.5), np.int64(0))
    with pytest.warns(UserWarning, match="already reported a value at step 0"):
        trial.report(0.7, 0)
    frozen = study.tell(trial, state=TrialState.PRUNED)
    assert frozen.intermediate_values == {0: 0.5}
    assert frozen.value == 0.5  # a pruned trial keeps its last reported value


def test_user_attrs_must_be_json(study):
    trial = study.ask()
    trial.set_user_attr("fold_scores", [0.1, 0.2])
    with pytest.raises(TypeError, match=r"'model' must be JSON-serializable"):
        trial.set_user_attr("model", LogisticRegression())
    assert study.tell(trial, 1.0).user_attrs == {"fold_scores": [0.1, 0.2]}


def test_should_prune_uses_the_study_pruner():
    class AlwaysPrune(NopPruner):
        def prune(self, study, trial):
            return trial.last_step is not None

    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=AlwaysPrune())
    trial = study.ask()
    assert trial.should_prune() is False
    trial.report(1.0, 0)
    assert trial.should_prune() is True


def test_relative_params_are_used_for_matching_distributions():
    from sk_hpo.distributions import FloatDistribution

    class Relative(RandomSampler):
        def infer_relative_search_space(self, study, trial):
            return {"x": FloatDistribution(0, 1)}

        def sample_relative(self, study, trial, search_space):
            return {"x": 0.125}

    study = sk_hpo.create_study(sampler=Relative(seed=0), pruner=NopPruner())
    trial = study.ask()
    assert trial.suggest_float("x", 0, 1) == 0.125
    other = study.ask()
    assert other.suggest_float("x", 0, 2) != 0.125 or math.isclose(other.params["x"], 0.125)


def _mixed_objective(trial):
    kind = trial.suggest_categorical("kind", ["a", "b"])
    n = trial.suggest_int("n", 1, 8, log=True)
    x = trial.suggest_float("x", 1e-3, 1.0, log=True)
    trial.report(x, 0)
    if trial.should_prune():
        raise sk_hpo.TrialPruned()
    trial.set_user_attr("seen", True)
    return x + n + (kind == "b")


def test_a_frozen_trial_replays_an_objective():
    # the Optuna idiom: rebuild the best model with objective(study.best_trial)
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    study.optimize(_mixed_objective, n_trials=8)
    best = study.best_trial
    assert _mixed_objective(best) == study.best_value
    assert best.user_attrs["seen"] is True
    assert best.should_prune() is False
    assert study.best_trial.intermediate_values == best.intermediate_values  # nothing stored


def test_a_frozen_trial_refuses_parameters_it_does_not_hold():
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    study.optimize(_mixed_objective, n_trials=2)
    frozen = study.trials[0]
    with pytest.raises(ValueError, match=r"Trial #0 has no value for parameter 'y' \(it has \["):
        frozen.suggest_float("y", 0, 1)
    with pytest.raises(ValueError, match="Cannot set different distribution kind"):
        frozen.suggest_int("x", 1, 2)


def test_a_frozen_trial_warns_for_a_value_outside_the_asked_range():
    # Optuna returns the stored value with a warning (the objective's range may have changed)
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    study.optimize(_mixed_objective, n_trials=1)
    frozen = study.trials[0]
    with pytest.warns(UserWarning, match=r"value .* of parameter 'x' in Trial #0 is out of"):
        assert frozen.suggest_float("x", 2.0, 3.0, log=True) == frozen.params["x"]
    with pytest.raises(ValueError, match="does not support dynamic choices"):
        frozen.suggest_categorical("kind", ["c"])


def test_frozen_trials_sort_by_number_and_are_hashable():
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    study.optimize(_mixed_objective, n_trials=3)
    trials = study.trials
    assert [t.number for t in sorted(reversed(trials))] == [0, 1, 2]
    assert trials[0] < trials[1] <= trials[1]
    assert len({*trials, *study.trials}) == 3  # equal trials hash alike


def test_fixed_trial_runs_an_objective_without_a_study():
    trial = sk_hpo.trial.FixedTrial({"kind": "b", "n": 2, "x": 0.5}, number=7)
    assert _mixed_objective(trial) == 3.5
    assert trial.number == 7 and trial.params == {"kind": "b", "n": 2, "x": 0.5}
    assert trial.user_attrs == {"seen": True}
    assert isinstance(trial, sk_hpo.trial.BaseTrial)
    with pytest.raises(ValueError, match="FixedTrial #7 has no value for parameter 'y'"):
        trial.suggest_float("y", 0, 1)
    with pytest.warns(FutureWarning, match="suggest_uniform is deprecated"):
        assert sk_hpo.trial.FixedTrial({"u": 0.5}).suggest_uniform("u", 0, 1) == 0.5


def test_create_trial_is_at_the_top_level_as_in_optuna():
    assert sk_hpo.create_trial is sk_hpo.trial.create_trial


class _Recording(sk_hpo.samplers.BaseSampler):
    """A custom sampler: proposes ``relative`` jointly over ``space``; records its calls."""

    def __init__(self, space, relative):
        self.space, self.relative, self.calls = space, relative, []

    def infer_relative_search_space(self, study, trial):
        self.calls.append("infer")
        return dict(self.space)

    def sample_relative(self, study, trial, search_space):
        self.calls.append(("relative", sorted(search_space)))
        return dict(self.relative)

    def sample_independent(self, study, trial, name, distribution):
        self.calls.append(("independent", name))
        return distribution.to_external_repr(distribution.low)


def test_sample_relative_is_called_even_for_an_empty_relative_space():
    sampler = _Recording({}, {})
    trial = sk_hpo.create_study(sampler=sampler).ask()
    assert trial.suggest_float("x", 0, 1) == 0.0
    assert sampler.calls == ["infer", ("relative", []), ("independent", "x")]


def test_relative_values_are_used_when_they_fit_the_suggested_distribution():
    from sk_hpo.distributions import CategoricalDistribution, FloatDistribution

    space = {"c": CategoricalDistribution([None, "a"]), "x": FloatDistribution(0, 1)}
    sampler = _Recording(space, {"c": None, "x": 0.5})
    trial = sk_hpo.create_study(sampler=sampler).ask()
    assert trial.suggest_categorical("c", [None, "a"]) is None  # None is a value, not "absent"
    assert trial.suggest_float("x", 0, 2) == 0.5  # other bounds, value inside: used
    assert ("independent", "x") not in sampler.calls
    other = sk_hpo.create_study(sampler=_Recording(space, {"x": 0.5})).ask()
    assert other.suggest_float("x", 0.6, 1) == 0.6  # outside the new range: independent


def test_a_relative_value_outside_the_inferred_space_is_a_sampler_error():
    trial = sk_hpo.create_study(sampler=_Recording({}, {"x": 0.5})).ask()
    with pytest.raises(ValueError, match="sample_relative returned 'x', which is not in the "):
        trial.suggest_float("x", 0, 1)


def test_a_relative_value_for_another_kind_of_parameter_is_an_error():
    from sk_hpo.distributions import FloatDistribution

    trial = sk_hpo.create_study(
        sampler=_Recording({"y": FloatDistribution(0, 10)}, {"y": 5.5})
    ).ask()
    with pytest.raises(ValueError, match="Cannot set different distribution kind"):
        trial.suggest_int("y", 1, 10)


def test_a_told_trial_is_a_copy_the_caller_may_change():
    # FrozenTrial.__deepcopy__ shares immutable fields and copies flat dicts shallowly
    import sk_hpo as _sk

    study = _sk.create_study()
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.set_user_attr("nested", {"a": [1]})
    frozen = study.tell(trial, 1.0)
    frozen.params["x"] = 5.0
    frozen.user_attrs["nested"]["a"].append(2)
    frozen.values.append(3.0)
    stored = study.trials[0]
    assert stored.params["x"] != 5.0
    assert stored.user_attrs["nested"] == {"a": [1]} and stored.values == [1.0]
    assert stored.datetime_start == frozen.datetime_start
