"""Studies of several objectives and constrained studies, over every storage."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import sk_hpo
from sk_hpo._direction import StudyDirection
from sk_hpo.distributions import FloatDistribution
from sk_hpo.pruners import MedianPruner
from sk_hpo.samplers import GPSampler, GridSampler, QMCSampler, RandomSampler, TPESampler
from sk_hpo.study import MaxTrialsCallback
from sk_hpo.trial import TrialState, create_trial
from tests.conftest import make_storage

MIN_MAX = ["minimize", "maximize"]


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def storage(request, tmp_path):
    return make_storage(request.param, request, tmp_path)


def two_objectives(trial):
    x = trial.suggest_float("x", 0, 1)
    y = trial.suggest_float("y", 0, 1)
    return x + y, x * y


def test_directions_values_and_pareto_front(storage):
    study = sk_hpo.create_study(storage=storage, directions=MIN_MAX, study_name="mo")
    assert study.directions == [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE]
    for values in ([1.0, 1.0], [2.0, 3.0], [2.0, 0.5], [1.0, 1.0], [0.5, 0.2]):
        assert study.tell(study.ask(), values=values).state == TrialState.COMPLETE
    assert study.trials[1].values == [2.0, 3.0]
    # [2, 0.5] is dominated by [1, 1]; the duplicate [1, 1] stays on the front
    assert [t.number for t in study.best_trials] == [0, 1, 3, 4]
    reopened = sk_hpo.load_study(study_name="mo", storage=storage)
    assert reopened.directions == study.directions
    assert [t.number for t in reopened.best_trials] == [0, 1, 3, 4]
    again = sk_hpo.create_study(storage=storage, directions=MIN_MAX, study_name="mo",
                                load_if_exists=True)
    assert len(again.trials) == 5
    with pytest.raises(ValueError, match=r"exists with directions \['minimize', 'maximize'\]"):
        sk_hpo.create_study(storage=storage, directions=["minimize", "minimize"],
                            study_name="mo", load_if_exists=True)


def test_single_objective_attributes_refuse(storage):
    study = sk_hpo.create_study(storage=storage, directions=MIN_MAX)
    study.optimize(two_objectives, n_trials=3)
    for attr in ("best_trial", "best_value", "best_params"):
        with pytest.raises(RuntimeError, match="best_trials"):
            getattr(study, attr)
    with pytest.raises(RuntimeError, match="study.directions"):
        study.direction
    with pytest.raises(RuntimeError, match="read 'values'"):
        study.trials[0].value
    assert "directions=['minimize', 'maximize']" in repr(study)


def test_constraints_stored_and_honoured(storage):
    study = sk_hpo.create_study(storage=storage, directions=["minimize", "minimize"],
                                study_name="c")

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        trial.set_constraint("budget", x - 0.5)
        assert trial.constraints == {"budget": x - 0.5}
        return x, 1 - x

    study.optimize(objective, n_trials=10)
    reloaded = sk_hpo.load_study(study_name="c", storage=storage)
    for t in reloaded.trials:
        assert t.constraints == {"budget": pytest.approx(t.params["x"] - 0.5)}
    front = reloaded.best_trials
    assert front and all(t.params["x"] <= 0.5 for t in front)
    # single objective: best_trial skips infeasible trials
    single = sk_hpo.create_study(storage=storage)
    for x, c in ((0.1, 1.0), (0.5, -1.0), (0.9, 0.0)):
        trial = single.ask()
        trial.set_constraint("c", c)
        single.tell(trial, x)
    assert single.best_value == 0.5
    only_bad = sk_hpo.create_study(storage=storage)
    trial = only_bad.ask()
    trial.set_constraint("c", 2.0)
    only_bad.tell(trial, 1.0)
    with pytest.raises(ValueError, match="No feasible trial"):
        only_bad.best_trial


def test_set_constraint_bad_input():
    trial = sk_hpo.create_study().ask()
    with pytest.raises(
        ValueError,
        match="'value' parameter of Trial.set_constraint must be a float other than NaN. Got nan",
    ):
        trial.set_constraint("c", math.nan)
    with pytest.raises(
        TypeError,
        match="'value' parameter of Trial.set_constraint must be a float. Got 'big' instead",
    ):
        trial.set_constraint("c", "big")
    with pytest.raises(
        TypeError,
        match="'key' parameter of Trial.set_constraint must be a str. Got 1 instead",
    ):
        trial.set_constraint(1, 0.0)
    trial.set_constraint("c", 0.0)
    with pytest.warns(UserWarning, match="already set to 0.0; the new value 1.0 is ignored"):
        trial.set_constraint("c", 1.0)
    assert trial.constraints == {"c": 0.0}


def test_dataframe_columns_and_metric_names():
    study = sk_hpo.create_study(directions=MIN_MAX, sampler=RandomSampler(seed=0))
    study.optimize(two_objectives, n_trials=2)
    df = study.trials_dataframe()
    assert ["values_0", "values_1"] == [c for c in df.columns if c.startswith("value")]
    assert df["values_1"].tolist() == [t.values[1] for t in study.trials]
    study.set_metric_names(["cost", "gain"])
    assert study.metric_names == ["cost", "gain"]
    multi = study.trials_dataframe(multi_index=True)
    assert multi["values"].columns.tolist() == ["cost", "gain"]
    with pytest.raises(
        ValueError, match="'metric_names' parameter of Study.set_metric_names must be a list of 2"
    ):
        study.set_metric_names(["only one"])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_optimize_callbacks_enqueue_add_trial(n_jobs):
    study = sk_hpo.create_study(directions=MIN_MAX)
    study.enqueue_trial({"x": 0.25, "y": 0.5})
    study.add_trial(create_trial(params={"x": 0.1, "y": 0.1},
                                 distributions={"x": FloatDistribution(0, 1),
                                                "y": FloatDistribution(0, 1)},
                                 values=[0.2, 0.01], constraints={"c": -1.0}))
    seen = []
    study.optimize(two_objectives, n_trials=20, n_jobs=n_jobs,
                   callbacks=[MaxTrialsCallback(8), lambda s, t: seen.append(t.values)])
    trials = study.trials
    assert trials[0].params == {"x": 0.25, "y": 0.5} and trials[0].values == [0.75, 0.125]
    assert trials[1].constraints == {"c": -1.0} and trials[1].values == [0.2, 0.01]
    assert 8 <= len(trials) <= 8 + n_jobs and all(len(v) == 2 for v in seen)
    with pytest.raises(ValueError, match="has 1 values, but study .* has 2 objectives"):
        study.add_trial(create_trial(value=1.0))


def test_copy_study_keeps_directions():
    source = sk_hpo.create_study(directions=MIN_MAX, study_name="s")
    source.optimize(two_objectives, n_trials=3)
    target = sk_hpo.storages.InMemoryStorage()
    sk_hpo.copy_study(from_study_name="s", from_storage=source._storage, to_storage=target)
    copied = sk_hpo.load_study(study_name="s", storage=target)
    assert copied.directions == source.directions
    assert [t.values for t in copied.trials] == [t.values for t in source.trials]
    summary, = sk_hpo.get_all_study_summaries(target)
    assert summary.directions == source.directions and summary.best_trial is None


@pytest.mark.parametrize("sampler", [
    RandomSampler(seed=0), QMCSampler(seed=0),
    GridSampler({"x": [0.0, 0.5, 1.0], "y": [0.0, 1.0]}),
])
def test_non_adaptive_samplers_work_unchanged(sampler):
    study = sk_hpo.create_study(directions=MIN_MAX, sampler=sampler)
    study.optimize(two_objectives, n_trials=6)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 6
    assert study.best_trials


@pytest.mark.parametrize("sampler", [GPSampler(seed=0)])
def test_single_objective_samplers_refuse(sampler):
    study = sk_hpo.create_study(directions=MIN_MAX, sampler=sampler)
    with pytest.raises(ValueError, match="single objective.*TPESampler.*NSGAIISampler"):
        study.optimize(two_objectives, n_trials=1)


def test_default_sampler_is_tpe():
    assert type(sk_hpo.create_study(directions=MIN_MAX).sampler).__name__ == "TPESampler"


def test_report_and_should_prune_refuse():
    study = sk_hpo.create_study(directions=MIN_MAX, pruner=MedianPruner())
    trial = study.ask()
    with pytest.raises(NotImplementedError, match="Trial.report is not supported"):
        trial.report(1.0, 0)
    with pytest.raises(NotImplementedError, match="Trial.should_prune is not supported"):
        trial.should_prune()


# -- bad input -----------------------------------------------------------------------------


def test_direction_and_directions_together():
    with pytest.raises(ValueError, match="Give direction or directions, not both"):
        sk_hpo.create_study(direction="minimize", directions=MIN_MAX)


@pytest.mark.parametrize("bad", [["minimize", "up"], ["minimize", None], [1], [], "minimize"])
def test_directions_entry_not_a_direction(bad):
    with pytest.raises(ValueError, match=r"The 'directions' parameter of create_study must be a "
                                         r"non-empty list of 'minimize' or 'maximize' .*Got "
                                         + re.escape(repr(bad))):
        sk_hpo.create_study(directions=bad)


@pytest.mark.parametrize("returned, problem", [
    ((1.0,), "the number of the values 1 did not match the number of the objectives 2"),
    ((1.0, 2.0, 3.0), "the number of the values 3 did not match"),
    (1.0, "the value 1.0 is not a sequence of 2 values"),
    ((1.0, math.nan), "the value nan is not acceptable"),
    ((1.0, "a"), "the value 'a' could not be cast to float"),
    (np.array([1.0, None]), "the value None could not be cast to float"),
])
def test_bad_objective_values_fail_the_trial_with_a_warning(returned, problem):
    study = sk_hpo.create_study(directions=MIN_MAX)
    with pytest.warns(UserWarning, match=f"Trial #0 failed because {problem}.*sequence of 2 "
                                         "floats"):
        study.optimize(lambda t: returned, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL and study.trials[0].values is None
    with pytest.raises(ValueError, match="tell.state=COMPLETE. for trial #1"):
        study.tell(study.ask(), returned, state=TrialState.COMPLETE)


@pytest.mark.parametrize("name", ["contour_data", "edf_data", "optimization_history_data",
                                  "parallel_coordinate_data", "slice_data"])
def test_plots_need_a_target_with_several_objectives(name):
    from sk_hpo import visualization

    study = sk_hpo.create_study(directions=MIN_MAX, sampler=RandomSampler(seed=0))
    study.optimize(two_objectives, n_trials=5)
    data_of = getattr(visualization, name)
    with pytest.raises(ValueError, match=f"'target' parameter of .* is required for a study of "
                                         "several objectives"):
        data_of(study)
    assert data_of(study, target=lambda t: t.values[1]) is not None


def test_fixed_and_frozen_trials_hold_constraints():
    fixed = sk_hpo.trial.FixedTrial({"x": 1.0})
    fixed.set_constraint("c", -1)
    assert fixed.constraints == {"c": -1.0}
    frozen = create_trial(value=1.0, constraints={"a": 0.5})
    frozen.set_constraint("b", -0.5)
    assert frozen.constraints == {"a": 0.5, "b": -0.5}
    # Optuna's older list form is read too
    legacy = create_trial(value=1.0, system_attrs={"constraints": [0.1, -0.2]})
    assert legacy.constraints == {"0": 0.1, "1": -0.2}


def test_sampler_after_trial_sees_an_uncaught_objective_error():
    seen = []

    class Recording(RandomSampler):
        def after_trial(self, study, trial, state, values):
            seen.append((trial.number, state, values))

    study = sk_hpo.create_study(directions=MIN_MAX, sampler=Recording(seed=0))

    def objective(trial):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        study.optimize(objective, n_trials=3)
    assert seen == [(0, TrialState.FAIL, None)]
    assert study.trials[0].state == TrialState.FAIL


def test_frozen_value_setter_refuses_several_values():
    trial = create_trial(values=[1.0, 2.0])
    with pytest.raises(RuntimeError, match="has 2 objective values; set 'values'"):
        trial.value = 0.5
    single = create_trial(value=1.0)
    single.value = 2.0
    assert single.values == [2.0]


@pytest.mark.parametrize("make", [
    lambda: create_trial(value=1.0),
    lambda: sk_hpo.trial.FixedTrial({}),
    lambda: sk_hpo.create_study().ask(),
])
def test_set_constraint_keeps_the_first_value_on_every_trial_type(make):
    trial = make()
    trial.set_constraint("c", 1.0)
    with pytest.warns(UserWarning, match="Constraint 'c' of trial .* already set to 1.0"):
        trial.set_constraint("c", 2.0)
    assert trial.constraints == {"c": 1.0}
