"""Pareto-front and hypervolume-history plots: their data, their artists, their errors."""

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

import sk_hpo  # noqa: E402
from sk_hpo import visualization as vis  # noqa: E402
from sk_hpo._pareto import hypervolume, is_pareto_front, to_loss  # noqa: E402
from sk_hpo._validation import InvalidParameterError  # noqa: E402
from sk_hpo.samplers import RandomSampler  # noqa: E402
from sk_hpo.trial import TrialState  # noqa: E402
from sk_hpo.visualization._pareto_front import (  # noqa: E402
    BEST_COLOR,
    DOMINATED_COLOR,
    INFEASIBLE_COLOR,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def constrained_study(n_trials=30):
    """min x, max y; infeasible when x + (1 - y) < 0.3 (too good to be true)."""
    study = sk_hpo.create_study(directions=["minimize", "maximize"], sampler=RandomSampler(seed=0))

    def objective(trial):
        x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        trial.set_constraint("budget", 0.3 - (x + 1 - y))
        return x, y

    study.optimize(objective, n_trials=n_trials)
    study.tell(study.ask(), state=TrialState.FAIL)  # not drawn
    return study


def three_objective_study(n_trials=20):
    study = sk_hpo.create_study(directions=["minimize"] * 3, sampler=RandomSampler(seed=1))
    study.optimize(
        lambda t: tuple(t.suggest_float(p, 0, 1) for p in "abc"), n_trials=n_trials
    )
    return study


def offsets(collection, three_d=False):
    if three_d:
        return np.column_stack(collection._offsets3d)
    return np.asarray(collection.get_offsets())


def by_label(ax):
    handles, labels = ax.get_legend_handles_labels()
    return dict(zip(labels, handles))


# -- Pareto front: data --------------------------------------------------------------------------


def test_front_matches_best_trials_and_infeasible_are_apart():
    study = constrained_study()
    data = vis.pareto_front_data(study)
    infeasible = [t.number for t in study.trials
                  if t.state == TrialState.COMPLETE and t.constraints["budget"] > 0]
    assert infeasible, "the study must hold infeasible trials"
    assert data.best_numbers.tolist() == [t.number for t in study.best_trials]
    assert data.infeasible_numbers.tolist() == infeasible
    n_complete = sum(t.state == TrialState.COMPLETE for t in study.trials)
    assert len(data.best_numbers) + len(data.dominated_numbers) + len(infeasible) == n_complete
    assert data.has_constraints
    values = {t.number: t.values for t in study.trials}
    assert data.best_values.tolist() == [values[n] for n in data.best_numbers]
    assert data.infeasible_values.tolist() == [values[n] for n in infeasible]
    # no feasible dominated trial is better than the front
    loss = to_loss(np.vstack([data.best_values, data.dominated_values]), study.directions)
    assert is_pareto_front(loss)[: len(data.best_numbers)].all()


def test_without_dominated_trials_only_the_front_is_left():
    data = vis.pareto_front_data(constrained_study(), include_dominated_trials=False)
    assert len(data.best_numbers) > 0
    assert data.dominated_values.shape == (0, 2) and data.infeasible_values.shape == (0, 2)


def test_names_default_to_metric_names_then_objective_i():
    study = constrained_study(5)
    assert vis.pareto_front_data(study).target_names == ["Objective 0", "Objective 1"]
    study.set_metric_names(["cost", "accuracy"])
    assert vis.pareto_front_data(study).target_names == ["cost", "accuracy"]


def test_targets_choose_what_is_drawn_not_the_front():
    study = sk_hpo.create_study(directions=["minimize"] * 4, sampler=RandomSampler(seed=0))
    study.optimize(lambda t: tuple(t.suggest_float(p, 0, 1) for p in "abcd"), n_trials=12)
    with pytest.raises(ValueError, match=r"'targets' parameter of plot_pareto_front is required "
                                         r"for a study of 4 objectives"):
        vis.pareto_front_data(study)
    data = vis.pareto_front_data(study, targets=lambda t: (t.values[0], t.values[3]))
    assert data.target_names == ["Objective 0", "Objective 1"]
    assert sorted(data.best_numbers.tolist()) == sorted(t.number for t in study.best_trials)
    assert data.best_values.tolist() == [
        [study.trials[n].values[0], study.trials[n].values[3]] for n in data.best_numbers
    ]


def test_single_objective_study_is_refused():
    study = sk_hpo.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    with pytest.raises(ValueError, match="needs a study of several objectives.*"
                                         "plot_optimization_history"):
        vis.plot_pareto_front(study)
    with pytest.raises(ValueError, match="plot_hypervolume_history needs a study of several"):
        vis.plot_hypervolume_history(study, [1.0])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"target_names": ["a"]}, ValueError, r"'target_names' .* must hold 2 names"),
        ({"target_names": "ab"}, InvalidParameterError, r"'target_names' .* a list of str"),
        ({"axis_order": [0, 0]}, ValueError, r"'axis_order' .* permutation of \[0, 1\]"),
        ({"axis_order": [0, 1, 2]}, ValueError, r"'axis_order' .* permutation"),
        ({"targets": lambda t: t.values[0]}, TypeError, r"'targets' .* sequence of floats"),
        ({"targets": lambda t: [1.0] * 4}, ValueError, r"'targets' .* 2 or 3 values .* Got 4"),
        ({"targets": 3}, InvalidParameterError, r"'targets' parameter .* callable. Got 3"),
        ({"include_dominated_trials": 1}, InvalidParameterError, "include_dominated_trials"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        vis.plot_pareto_front(constrained_study(5), **kwargs)


def test_targets_on_an_empty_study_need_target_names():
    study = sk_hpo.create_study(directions=["minimize", "minimize"])
    with pytest.raises(ValueError, match="'target_names' .* required when 'targets' is given"):
        vis.pareto_front_data(study, targets=lambda t: t.values)
    data = vis.pareto_front_data(study, targets=lambda t: t.values, target_names=["a", "b"])
    assert data.best_values.shape == (0, 2)


def test_constraints_func_is_deprecated_and_decides_feasibility():
    study = constrained_study(10)
    with pytest.warns(FutureWarning, match="'constraints_func' parameter .* deprecated"):
        data = vis.pareto_front_data(study, constraints_func=lambda t: [t.values[0] - 0.5])
    assert all(v[0] > 0.5 for v in data.infeasible_values)
    assert all(v[0] <= 0.5 for v in data.best_values)


# -- Pareto front: artists -----------------------------------------------------------------------


def test_2d_plot_draws_each_group_in_its_colour():
    study = constrained_study()
    data = vis.pareto_front_data(study)
    ax = vis.plot_pareto_front(study, target_names=["x", "y"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    groups = by_label(ax)
    assert set(groups) == {"Best Trial", "Feasible Trial", "Infeasible Trial"}
    for label, values, color in [
        ("Best Trial", data.best_values, BEST_COLOR),
        ("Feasible Trial", data.dominated_values, DOMINATED_COLOR),
        ("Infeasible Trial", data.infeasible_values, INFEASIBLE_COLOR),
    ]:
        np.testing.assert_allclose(offsets(groups[label]), values)
        assert tuple(groups[label].get_facecolor()[0][:3]) == to_rgba(color)[:3]
    ax.figure.canvas.draw()


def test_axis_order_swaps_the_axes():
    study = constrained_study()
    data = vis.pareto_front_data(study)
    ax = vis.plot_pareto_front(study, axis_order=[1, 0], target_names=["x", "y"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("y", "x")
    np.testing.assert_allclose(offsets(by_label(ax)["Best Trial"]), data.best_values[:, ::-1])


def test_unconstrained_study_says_trial_not_feasible_trial():
    study = three_objective_study(8)
    ax = vis.plot_pareto_front(study, targets=lambda t: t.values[:2], target_names=["a", "b"])
    assert set(by_label(ax)) <= {"Best Trial", "Trial"}


def test_3d_plot():
    study = three_objective_study()
    data = vis.pareto_front_data(study)
    ax = vis.plot_pareto_front(study, target_names=["a", "b", "c"], axis_order=[2, 0, 1])
    assert ax.name == "3d"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("c", "a", "b")
    best = by_label(ax)["Best Trial"]
    np.testing.assert_allclose(offsets(best, three_d=True), data.best_values[:, [2, 0, 1]])
    ax.figure.canvas.draw()
    _, flat = plt.subplots()
    with pytest.raises(ValueError, match="'ax' parameter of ParetoFrontDisplay.plot must be a "
                                         "3-d Axes"):
        vis.ParetoFrontDisplay.from_study(study).plot(ax=flat)


@pytest.mark.parametrize("n_objectives", [2, 3])
def test_empty_study_says_why(n_objectives):
    study = sk_hpo.create_study(directions=["minimize"] * n_objectives)
    ax = vis.plot_pareto_front(study)
    texts = ax.texts
    assert any("No COMPLETE trial" in t.get_text() for t in texts)
    ax.figure.canvas.draw()


def test_display_pattern():
    study = constrained_study(8)
    display = vis.ParetoFrontDisplay.from_study(study)
    assert not hasattr(display, "ax_")
    assert display.plot() is display and display.figure_ is display.ax_.figure
    display = vis.HypervolumeHistoryDisplay.from_study(study, [1.0, 0.0])
    assert display.plot() is display and display.figure_ is display.ax_.figure


# -- hypervolume history -------------------------------------------------------------------------


def brute_force_history(study, reference_point):
    loss_ref = to_loss(reference_point, study.directions)[0]
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    out = []
    for k in range(len(complete)):
        feasible = [t.values for t in complete[: k + 1]
                    if all(c <= 0 for c in t.constraints.values())]
        out.append(hypervolume(to_loss(feasible, study.directions), loss_ref) if feasible else 0)
    return out


@pytest.mark.parametrize("build, reference_point", [
    (constrained_study, [1.0, 0.0]),
    (constrained_study, [0.6, 0.5]),  # many trials outside the box
    (three_objective_study, [1.0, 1.0, 1.0]),
])
def test_hypervolume_history_matches_brute_force(build, reference_point):
    study = build()
    data = vis.hypervolume_history_data(study, reference_point)
    complete = [t.number for t in study.trials if t.state == TrialState.COMPLETE]
    assert data.numbers.tolist() == complete
    np.testing.assert_allclose(data.values, brute_force_history(study, reference_point))
    assert np.all(np.diff(data.values) >= 0) and data.values[-1] > 0
    ax = vis.plot_hypervolume_history(study, reference_point)
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), data.numbers)
    np.testing.assert_allclose(line.get_ydata(), data.values)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Trial", "Hypervolume")


def test_infeasible_trials_add_no_volume():
    study = sk_hpo.create_study(directions=["minimize", "minimize"])
    for values, c in [([0.5, 0.5], 0.0), ([0.1, 0.1], 1.0), ([0.9, 0.2], -1.0)]:
        trial = study.ask()
        trial.set_constraint("c", c)
        study.tell(trial, values=values)
    data = vis.hypervolume_history_data(study, [1.0, 1.0])
    np.testing.assert_allclose(data.values, [0.25, 0.25, 0.25 + 0.1 * 0.3])


@pytest.mark.parametrize(
    "reference_point, error, match",
    [
        ([1.0], ValueError, r"'reference_point' .* one value per objective \(2\). Got \[1.0\]"),
        ([1.0, 2.0, 3.0], ValueError, "one value per objective"),
        (["a", "b"], InvalidParameterError, "sequence of finite floats"),
        ([1.0, float("nan")], InvalidParameterError, "sequence of finite floats"),
        (1.0, InvalidParameterError, "sequence of finite floats"),
    ],
)
def test_bad_reference_point(reference_point, error, match):
    with pytest.raises(error, match=match):
        vis.plot_hypervolume_history(constrained_study(3), reference_point)


def test_empty_history_says_why():
    ax = vis.plot_hypervolume_history(
        sk_hpo.create_study(directions=["minimize", "minimize"]), [1, 1]
    )
    assert any("No COMPLETE trial" in t.get_text() for t in ax.texts)


def test_data_functions_do_not_import_matplotlib():
    code = """
import sys
import sk_hpo
from sk_hpo import visualization as vis
study = sk_hpo.create_study(directions=["minimize", "maximize"])
study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=4)
vis.pareto_front_data(study)
vis.hypervolume_history_data(study, [1, 0])
vis.ParetoFrontDisplay.from_study(study)
assert "matplotlib" not in sys.modules, "matplotlib was imported"
"""
    subprocess.run([sys.executable, "-c", code], check=True)
