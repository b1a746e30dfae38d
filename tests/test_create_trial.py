import math

import pytest

import sk_hpo
from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.samplers import TPESampler
from sk_hpo.trial import TrialState, create_trial

DISTS = {
    "x": FloatDistribution(1e-3, 1.0, log=True),
    "n": IntDistribution(1, 9, step=2),
    "kind": CategoricalDistribution(["a", None, 3]),
}
PARAMS = {"x": 0.01, "n": 5, "kind": None}


@pytest.fixture(params=["memory", "sqlite"])
def study(request, tmp_path):
    storage = None if request.param == "memory" else f"sqlite:///{tmp_path / 's.db'}"
    return sk_hpo.create_study(storage=storage, study_name="s", direction="maximize")


def test_created_trial_carries_what_was_given():
    t = create_trial(
        params=PARAMS, distributions=DISTS, value=0.5, user_attrs={"src": "paper"},
        intermediate_values={0: 0.1, 3: 0.4},
    )
    assert (t.state, t.value, t.params, t.distributions) == (TrialState.COMPLETE, 0.5, PARAMS, DISTS)
    assert t.user_attrs == {"src": "paper"} and t.intermediate_values == {0: 0.1, 3: 0.4}
    assert t.number == -1 and t.duration is not None


def test_created_trial_attrs_take_the_json_form_storages_keep(study):
    import numpy as np

    t = create_trial(params=PARAMS, distributions=DISTS, value=0.5,
                     user_attrs={"n": np.int64(3), "pair": (1, 2)})
    assert t.user_attrs == {"n": 3, "pair": [1, 2]} and type(t.user_attrs["n"]) is int
    study.add_trial(t)
    assert study.trials[0].user_attrs == t.user_attrs


def test_added_trials_are_numbered_stored_and_inform_best(study):
    study.optimize(lambda t: t.suggest_float("y", 0, 1), n_trials=1)
    study.add_trials([
        create_trial(params=PARAMS, distributions=DISTS, value=2.0),
        create_trial(state=TrialState.PRUNED, params={}, distributions={},
                     intermediate_values={1: 0.3}, value=0.3),
        create_trial(state=TrialState.FAIL),
    ])
    reloaded = sk_hpo.load_study(study_name="s", storage=study._storage)
    trials = reloaded.trials
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert [t.state for t in trials[1:]] == [TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL]
    assert trials[1].params == PARAMS and trials[1].distributions == DISTS
    assert trials[2].intermediate_values == {1: 0.3}
    assert reloaded.best_value == 2.0 and reloaded.best_params == PARAMS


def test_a_sampler_learns_from_added_trials():
    # Warm start: 30 added trials say the optimum is near x = 0.8; TPE starts from there.
    dist = {"x": FloatDistribution(0, 1)}
    study = sk_hpo.create_study(sampler=TPESampler(seed=0, n_startup_trials=10))
    study.add_trials(
        create_trial(params={"x": i / 29}, distributions=dist, value=(i / 29 - 0.8) ** 2)
        for i in range(30)
    )
    study.optimize(lambda t: (t.suggest_float("x", 0, 1) - 0.8) ** 2, n_trials=10)
    proposed = [t.params["x"] for t in study.trials[30:]]
    assert sum(abs(x - 0.8) < 0.15 for x in proposed) >= 7


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"state": TrialState.RUNNING, "value": 1.0}, ValueError,
         "or TrialState.FAIL. Got TrialState.RUNNING instead"),
        ({"state": "done"}, ValueError, "Got 'done' instead. Only finished trials can be added"),
        ({}, ValueError, "A COMPLETE trial needs a value"),
        ({"value": math.nan}, ValueError,
         "'value' parameter of create_trial must be a float other than NaN"),
        ({"value": "high"}, ValueError, "Got 'high' instead"),
        ({"state": TrialState.FAIL, "value": 1.0}, ValueError,
         "'value' parameter of create_trial must be None when state is TrialState.FAIL"),
        ({"value": 1.0, "params": {"x": 0.5}}, ValueError,
         "keys of 'params' \\['x'\\]. Got \\[\\] instead"),
        ({"value": 1.0, "params": {"x": 5.0}, "distributions": {"x": DISTS["x"]}},
         ValueError, "value 5.0 of parameter 'x' is not in its distribution"),
        ({"value": 1.0, "params": {"kind": "b"}, "distributions": {"kind": DISTS["kind"]}},
         ValueError, "value 'b' of parameter 'kind' is not in"),
        ({"value": 1.0, "params": {"x": 0.5}, "distributions": {"x": (0, 1)}},
         TypeError, "must be an sk_hpo distribution. Got \\(0, 1\\) instead"),
        ({"value": 1.0, "intermediate_values": {-1: 0.5}}, ValueError,
         "'intermediate_values' parameter of create_trial must be a dict whose steps"),
        ({"value": 1.0, "user_attrs": {"f": object()}}, TypeError, "'user_attrs' parameter"),
    ],
)
def test_bad_trials_are_refused(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        create_trial(**kwargs)


def test_add_trial_refuses_what_is_not_a_finished_frozen_trial():
    study = sk_hpo.create_study()
    with pytest.raises(
        TypeError,
        match="'trial' parameter of Study.add_trial must be an instance of 'FrozenTrial'. Got",
    ):
        study.add_trial({"x": 1})
    running = study.ask()
    frozen = study._storage.get_trial(running._trial_id)
    with pytest.raises(ValueError, match="Got a trial in state RUNNING instead. Use enqueue_trial"):
        study.add_trial(frozen)
    assert len(study.trials) == 1


def test_frozen_trial_validate_checks_its_fields_agree():
    trial = create_trial(params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, value=1.0)
    trial._validate()  # a trial create_trial made is valid
    bad = [
        ({"datetime_start": None}, "has no datetime_start"),
        ({"state": TrialState.RUNNING}, "a RUNNING trial has none"),
        ({"datetime_complete": None}, "a finished trial has one"),
        ({"state": TrialState.FAIL}, "a FAIL trial has none"),
        ({"value": math.nan}, "needs values that are not NaN"),
        ({"values": [0.0, math.nan]}, "needs values that are not NaN"),
        ({"params": {}}, "they must have the same keys"),
        ({"params": {"x": -0.5}}, "is not in its distribution"),
    ]
    for changes, message in bad:
        with pytest.raises(ValueError, match=message):
            trial._replace(**changes)._validate()
