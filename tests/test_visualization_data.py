"""The plotted data, computed without matplotlib."""

import datetime
import math
import subprocess
import sys

import numpy as np
import pytest

import sk_hpo
import sk_hpo.importance
from sk_hpo import visualization as vis
from sk_hpo.distributions import CategoricalDistribution, FloatDistribution
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.trial import FrozenTrial, TrialState
from sk_hpo.visualization._timeline import assign_lanes


def make_study(direction="minimize"):
    return sk_hpo.create_study(
        direction=direction, sampler=RandomSampler(seed=0), pruner=NopPruner()
    )


def add_trial(study, state, value=None, params=None, dists=None, start=None, end=None,
              intermediate=None, system_attrs=None):
    """Write a finished trial straight into the storage (explicit times and states)."""
    template = FrozenTrial(
        number=-1,
        state=state,
        value=value,
        datetime_start=start,
        datetime_complete=end,
        params=dict(params or {}),
        distributions=dict(dists or {}),
        user_attrs={},
        system_attrs=dict(system_attrs or {}),
        intermediate_values=dict(intermediate or {}),
        trial_id=-1,
    )
    study._storage.create_new_trial(study._study_id, template_trial=template)


def conditional_study():
    study = make_study()

    def objective(trial):
        kind = trial.suggest_categorical("kind", ["tree", "linear"])
        lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        if kind == "tree":
            return trial.suggest_int("depth", 1, 6) + lr
        return lr

    study.optimize(objective, n_trials=12)
    return study


class FittedSearch:
    """Stands for a fitted HPOSearchCV: anything with a ``study_``."""

    def __init__(self, study):
        self.study_ = study

    def fit(self, X, y):
        return self


class UnfittedSearch:
    def fit(self, X, y):
        return self


def test_optimization_history_running_best_both_directions():
    cases = [("minimize", [3.0, 1.0, 1.0, 1.0]), ("maximize", [3.0, 3.0, 3.0, 4.0])]
    for direction, best in cases:
        study = make_study(direction)
        for v in [3.0, 1.0, 2.0, 4.0]:
            study.tell(study.ask(), v)
        data = vis.optimization_history_data(study)
        assert data.numbers.tolist() == [0, 1, 2, 3]
        assert data.best_values.tolist() == best
        assert data.direction == direction


def test_optimization_history_skips_pruned_failed_and_nonfinite():
    study = make_study()
    study.tell(study.ask(), 2.0)
    study.tell(study.ask(), state=TrialState.PRUNED)
    study.tell(study.ask(), state=TrialState.FAIL)
    study.tell(study.ask(), math.inf)
    data = vis.optimization_history_data(study)
    assert data.numbers.tolist() == [0]


def test_target_replaces_the_value_and_drops_the_best_line():
    study = make_study()
    for v in [1.0, 2.0]:
        study.tell(study.ask(), v)
    data = vis.optimization_history_data(study, target=lambda t: -t.value, target_name="neg")
    assert data.values.tolist() == [-1.0, -2.0]
    assert data.best_values is None and data.target_name == "neg"


def test_bad_target_is_an_error():
    study = make_study()
    study.tell(study.ask(), 1.0)
    with pytest.raises(TypeError, match="'target' parameter of plot_slice must be None or a"):
        vis.slice_data(study, target="value")
    with pytest.raises(TypeError, match="'target' of plot_edf must return a float, but returned"):
        vis.edf_data(study, target=lambda t: "x")


def test_unknown_params_are_named():
    study = conditional_study()
    with pytest.raises(ValueError, match=r"names parameters that no trial has: \['nope'\]"):
        vis.slice_data(study, params=["lr", "nope"])
    with pytest.raises(
        TypeError, match="The 'params' parameter of plot_parallel_coordinate must be a list of "
        "parameter names or None. Got 'lr' instead."
    ):
        vis.parallel_coordinate_data(study, params="lr")


def test_contour_needs_two_params_when_given():
    with pytest.raises(ValueError, match="must name at least 2 parameters. Got \\['lr'\\] instead"):
        vis.contour_data(conditional_study(), params=["lr"])


def test_study_or_fitted_search_is_accepted():
    study = conditional_study()
    direct = vis.slice_data(study)
    via = vis.slice_data(FittedSearch(study))
    assert list(via.domains) == list(direct.domains)
    with pytest.raises(ValueError, match="has no 'study_' attribute yet; call fit"):
        vis.slice_data(UnfittedSearch())
    with pytest.raises(
        TypeError, match="The 'study' parameter of plot_timeline must be a Study or a fitted "
        r"HPOSearchCV \(an object with a 'study_' attribute\). Got 42 instead."
    ):
        vis.timeline_data(42)


def test_slice_conditional_and_categorical():
    study = conditional_study()
    data = vis.slice_data(study)
    assert list(data.domains) == ["depth", "kind", "lr"]
    kinds = [t.params["kind"] for t in study.trials]
    assert data.positions["depth"].size == kinds.count("tree")
    assert set(data.positions["kind"].tolist()) <= {0.0, 1.0}
    assert data.domains["kind"].labels == ("tree", "linear")
    assert data.domains["lr"].log and data.domains["depth"].kind == "int"
    for name in data.domains:
        assert data.positions[name].shape == data.values[name].shape == data.numbers[name].shape


def test_parallel_coordinate_positions_and_absent():
    study = conditional_study()
    data = vis.parallel_coordinate_data(study)
    assert data.names == ["Objective Value", "depth", "kind", "lr"]
    assert data.positions.shape == (12, 4)
    present = ~np.isnan(data.positions)
    assert np.all((data.positions[present] >= 0) & (data.positions[present] <= 1))
    is_tree = np.array([t.params["kind"] == "tree" for t in study.trials])
    assert np.array_equal(present[:, 1], is_tree)  # depth only in tree trials
    lr = np.array([t.params["lr"] for t in study.trials])
    expected = (np.log(lr) - np.log(1e-3)) / (np.log(1.0) - np.log(1e-3))
    np.testing.assert_allclose(data.positions[:, 3], expected)
    assert data.ticks[2][1] == ["tree", "linear"]
    assert data.ticks[3][1] == ["0.001", "0.00562", "0.0316", "0.178", "1"]


def test_contour_pairs_interpolate_through_the_trials():
    study = make_study()
    study.optimize(
        lambda t: t.suggest_float("x", 0, 1) + 10 * t.suggest_float("y", 0, 1), n_trials=8
    )
    data = vis.contour_data(study)
    pair = data.pairs["x", "y"]
    assert pair.grid_z.shape == (pair.grid_y.size, pair.grid_x.size)
    assert pair.grid_z.min() >= pair.z.min() - 1e-9 and pair.grid_z.max() <= pair.z.max() + 1e-9
    np.testing.assert_allclose(data.pairs["y", "x"].grid_z, pair.grid_z.T)


def test_contour_pair_without_shared_trials_is_empty():
    study = make_study()
    fx, fy = FloatDistribution(0, 1), FloatDistribution(0, 1)
    add_trial(study, TrialState.COMPLETE, 1.0, {"x": 0.5}, {"x": fx})
    add_trial(study, TrialState.COMPLETE, 2.0, {"y": 0.5}, {"y": fy})
    pair = vis.contour_data(study).pairs["x", "y"]
    assert pair.z.size == 0 and pair.grid_z.size == 0


def test_intermediate_values_keep_pruned_curves():
    study = make_study()
    for n_steps, state in [(3, TrialState.COMPLETE), (1, TrialState.PRUNED)]:
        trial = study.ask()
        for step in range(n_steps):
            trial.report(1.0 / (step + 1), step)
        study.tell(trial, 0.1 if state == TrialState.COMPLETE else None, state=state)
    study.tell(study.ask(), 1.0)  # reported nothing: no curve
    data = vis.intermediate_values_data(study)
    assert data.numbers.tolist() == [0, 1]
    assert data.states == ["COMPLETE", "PRUNED"]
    assert data.steps[0].tolist() == [0, 1, 2] and data.values[1].tolist() == [1.0]


def test_edf_several_studies():
    a, b = make_study(), make_study()
    for v in [2.0, 1.0]:
        a.tell(a.ask(), v)
    data = vis.edf_data([a, b])
    assert data.study_names == [a.study_name, b.study_name]
    assert data.values[0].tolist() == [1.0, 2.0] and data.fractions[0].tolist() == [0.5, 1.0]
    assert data.values[1].size == 0
    with pytest.raises(
        ValueError,
        match=r"The 'study' parameter of plot_edf must be .* non-empty list of them. Got \[\] "
        "instead.",
    ):
        vis.edf_data([])


def test_param_importances_data_reason_when_too_few_trials():
    study = make_study()
    study.tell(study.ask(), 1.0)
    data = vis.param_importances_data(study)
    assert data.names == [] and "at least 2 COMPLETE trials; the study has 1" in data.reason


@pytest.mark.parametrize(
    "starts, ends, lanes",
    [
        ([0, 1, 2], [1, 2, 3], [0, 0, 0]),  # sequential: one lane
        ([0, 0, 0], [5, 5, 5], [0, 1, 2]),  # fully parallel
        ([0, 1, 2, 3.5], [2, 3, 4, 5], [0, 1, 0, 1]),
        ([2, 0], [3, 1], [0, 0]),  # order of input does not matter
    ],
)
def test_assign_lanes(starts, ends, lanes):
    got = assign_lanes(np.array(starts, float), np.array(ends, float))
    assert got.tolist() == lanes


def test_timeline_uses_worker_attr_then_packs_the_rest():
    study = make_study()
    t0 = datetime.datetime(2024, 1, 1, 12, 0, 0)
    sec = datetime.timedelta(seconds=1)
    add_trial(study, TrialState.COMPLETE, 1.0, start=t0, end=t0 + 4 * sec,
              system_attrs={"worker": "w-b"})
    add_trial(study, TrialState.PRUNED, 1.0, start=t0 + sec, end=t0 + 2 * sec,
              system_attrs={"worker": "w-a"})
    add_trial(study, TrialState.FAIL, None, start=t0 + 2 * sec, end=t0 + 3 * sec)
    add_trial(study, TrialState.COMPLETE, 1.0, start=t0 + 2 * sec, end=t0 + 5 * sec)
    add_trial(study, TrialState.WAITING)  # never started: not on the timeline
    data = vis.timeline_data(study)
    assert data.t0 == t0
    assert data.starts.tolist() == [0, 1, 2, 2] and data.ends.tolist() == [4, 2, 3, 5]
    assert data.lane_labels == ["w-b", "w-a", "slot 0", "slot 1"]
    assert data.lanes.tolist() == [0, 1, 2, 3]
    assert data.rows_text.startswith("one row per worker where it was recorded, else trials")
    assert data.states == ["COMPLETE", "PRUNED", "FAIL", "COMPLETE"]


def test_timeline_running_trial_ends_now():
    study = make_study()
    study.ask()
    data = vis.timeline_data(study)
    assert data.states == ["RUNNING"] and data.ends[0] >= data.starts[0]


def test_categorical_choices_that_json_cannot_hold():
    study = make_study()

    class Model:
        def __repr__(self):
            return "Model(alpha=1)"

    dist = CategoricalDistribution([None, Model(), "<b>"])
    for i, choice in enumerate(dist.choices):
        add_trial(study, TrialState.COMPLETE, float(i), {"m": choice}, {"m": dist})
    data = vis.slice_data(study)
    assert data.domains["m"].labels == ("None", "Model(alpha=1)", "<b>")
    assert data.positions["m"].tolist() == [0.0, 1.0, 2.0]


def test_dynamic_bounds_are_merged():
    study = make_study()
    for high in [1.0, 5.0]:
        dist = FloatDistribution(0.0, high)
        add_trial(study, TrialState.COMPLETE, high, {"x": high / 2}, {"x": dist})
    domain = vis.slice_data(study).domains["x"]
    assert (domain.low, domain.high) == (0.0, 5.0)


def test_data_functions_do_not_import_matplotlib():
    code = """
import sys
import sk_hpo
import sk_hpo.importance
from sk_hpo import visualization as vis
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
def objective(trial):
    trial.report(1.0, 0)
    return trial.suggest_float("x", 0, 1) + trial.suggest_int("n", 1, 3)
study.optimize(objective, n_trials=6)
for f in (vis.optimization_history_data, vis.intermediate_values_data, vis.contour_data,
          vis.parallel_coordinate_data, vis.slice_data, vis.param_importances_data,
          vis.edf_data, vis.timeline_data):
    f(study)
vis.SliceDisplay.from_study(study)
sk_hpo.importance.get_param_importances(study)
assert "matplotlib" not in sys.modules, "matplotlib was imported"
"""
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("module", [vis, sk_hpo.importance])
def test_all_is_honest(module):
    assert len(module.__all__) == len(set(module.__all__))
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_timeline_rows_are_workers_for_optimize_and_slots_for_a_search():
    study = make_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4, n_jobs=2)
    data = vis.timeline_data(study)
    assert data.rows_text == "one row per worker"
    assert 1 <= len(data.lane_labels) <= 2  # two threads (one may have run them all)

    from sklearn.linear_model import LogisticRegression

    X = np.random.RandomState(0).normal(size=(40, 2))
    search = sk_hpo.HPOSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0, 10.0, 100.0]}, n_iter=4, cv=2, n_jobs=2,
        random_state=0,
    ).fit(X, (X[:, 0] > 0).astype(int))
    data = vis.timeline_data(search)
    assert all(label.startswith("slot ") for label in data.lane_labels)
    assert data.rows_text == (
        "trials that overlap in time are put on separate rows (a row is not a worker)"
    )
