"""Every plot renders (Agg) on every kind of study, and follows the Display pattern."""

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import sk_hpo  # noqa: E402
from sk_hpo import visualization as vis  # noqa: E402
from sk_hpo.pruners import NopPruner  # noqa: E402
from sk_hpo.samplers import RandomSampler  # noqa: E402
from sk_hpo.trial import TrialState  # noqa: E402


def make_study(direction="minimize"):
    return sk_hpo.create_study(
        direction=direction, sampler=RandomSampler(seed=0), pruner=NopPruner()
    )


def finished_study():
    study = make_study()

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        n = trial.suggest_int("n", 1, 5)
        for step in range(3):
            trial.report(x**2 + n / (step + 1), step)
        return x**2 + np.log10(lr) ** 2 / 10 + n

    study.optimize(objective, n_trials=10)
    return study


def pruned_failed_study():
    study = make_study("maximize")

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        for step in range(4):
            trial.report(x * (step + 1), step)
            if step == 1 and x < 0.4:
                raise sk_hpo.TrialPruned()
        if x > 0.8:
            raise RuntimeError("diverged")
        return 4 * x

    with pytest.warns(UserWarning, match="failed with RuntimeError"):
        study.optimize(objective, n_trials=12, catch=(RuntimeError,))
    states = {t.state for t in study.trials}
    assert {TrialState.PRUNED, TrialState.FAIL, TrialState.COMPLETE} <= states
    return study


def conditional_study():
    study = make_study()

    def objective(trial):
        kind = trial.suggest_categorical("kind", ["tree", "linear", None])
        c = trial.suggest_float("C", 1e-3, 1e3, log=True)
        if kind == "tree":
            return trial.suggest_int("depth", 1, 8) + np.log10(c) ** 2
        if kind == "linear":
            return (trial.suggest_categorical("penalty", ["l1", "l2"]) == "l1") + abs(np.log10(c))
        return 1.0

    study.optimize(objective, n_trials=14)
    return study


def one_trial_study():
    study = make_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=1)
    return study


def constant_study():
    study = make_study()
    study.optimize(lambda t: 0 * t.suggest_float("x", 0, 1) + t.suggest_int("k", 2, 2), n_trials=4)
    return study


STUDIES = {
    "finished": finished_study,
    "pruned_failed": pruned_failed_study,
    "conditional": conditional_study,
    "empty": make_study,
    "one_trial": one_trial_study,
    "constant": constant_study,
}

PLOTS = [
    vis.plot_optimization_history,
    vis.plot_intermediate_values,
    vis.plot_parallel_coordinate,
    vis.plot_contour,
    vis.plot_slice,
    vis.plot_param_importances,
    vis.plot_edf,
    vis.plot_timeline,
]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def studies():
    return {name: build() for name, build in STUDIES.items()}


def first_axes(ax):
    return ax.flat[0] if isinstance(ax, np.ndarray) else ax


@pytest.mark.parametrize("kind", list(STUDIES))
@pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
def test_every_plot_renders(plot, kind, studies):
    ax = plot(studies[kind])
    axes = ax.ravel() if isinstance(ax, np.ndarray) else [ax]
    assert all(isinstance(a, matplotlib.axes.Axes) for a in axes)
    first_axes(ax).figure.canvas.draw()


@pytest.mark.parametrize(
    "display, name",
    [
        (vis.OptimizationHistoryDisplay, "optimization_history_data"),
        (vis.IntermediateValuesDisplay, "intermediate_values_data"),
        (vis.ParallelCoordinateDisplay, "parallel_coordinate_data"),
        (vis.ContourDisplay, "contour_data"),
        (vis.SliceDisplay, "slice_data"),
        (vis.ParamImportancesDisplay, "param_importances_data"),
        (vis.EDFDisplay, "edf_data"),
        (vis.TimelineDisplay, "timeline_data"),
    ],
)
def test_display_pattern(display, name, studies):
    study = studies["finished"]
    disp = display.from_study(study)
    assert not hasattr(disp, "ax_")  # from_study computes, plot draws
    data = getattr(vis, name)(study)
    for field in type(data).__dataclass_fields__:
        assert hasattr(disp, field)
    assert disp.plot() is disp
    assert disp.figure_ is first_axes(disp.ax_).figure


def test_plot_on_given_axes(studies):
    study = studies["finished"]
    fig, axes = plt.subplots(1, 3)
    assert vis.plot_optimization_history(study, ax=axes[0]) is axes[0]
    got = vis.plot_slice(study, params=["lr", "x"], ax=axes[1:])
    assert list(got) == list(axes[1:])
    with pytest.raises(ValueError, match=r"'ax' parameter of SliceDisplay.plot must hold 3 Axes"):
        vis.plot_slice(study, ax=axes[0])


def test_log_and_categorical_axes(studies):
    study = studies["conditional"]
    axes = vis.plot_slice(study, params=["C", "kind", "depth"])
    assert axes[0].get_xscale() == "log"
    assert [t.get_text() for t in axes[1].get_xticklabels()] == ["tree", "linear", "None"]
    assert axes[2].get_xscale() == "linear"
    ax = vis.plot_contour(study, params=["kind", "C"])
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["tree", "linear", "None"]


def _labels_overlap(ax):
    ax.figure.canvas.draw()
    low, high = sorted(ax.get_xlim())
    ticks = ax.xaxis.get_major_ticks() + ax.xaxis.get_minor_ticks()
    boxes = [
        t.label1.get_window_extent()
        for t in ticks
        if t.label1.get_visible() and t.label1.get_text() and low <= t.get_loc() <= high
    ]
    boxes.sort(key=lambda b: b.x0)
    return [(a, b) for a, b in zip(boxes, boxes[1:]) if a.x1 > b.x0], len(boxes)


@pytest.mark.parametrize(
    "low, high",
    [(1.0, 1.5), (2e-4, 8e-4), (1e-3, 1e-2), (1e-3, 2e-2), (0.3, 30.0), (1e-2, 1e3), (1e-6, 1e6)],
)
def test_log_axis_labels_do_not_overlap_in_a_narrow_slice_panel(low, high):
    # A log axis spanning less than a decade got matplotlib's minor labels (2x10^-4,
    # 3x10^-4, ...), which overlapped in a slice panel 3.2 inches wide.
    study = make_study()
    study.optimize(lambda t: t.suggest_float("alpha", low, high, log=True), n_trials=30)
    fig, ax = plt.subplots(figsize=(3.2, 3.4), layout="constrained")
    vis.plot_slice(study, ax=[ax])
    overlaps, n_labels = _labels_overlap(ax)
    assert overlaps == [] and n_labels >= 2
    plt.close(fig)


def test_timeline_axis_says_worker_or_slot(studies):
    assert vis.plot_timeline(studies["finished"]).get_ylabel() == "Worker"
    study = make_study()
    for _ in range(2):
        study.tell(study.ask(), 1.0)
    assert vis.plot_timeline(study).get_ylabel() == "Slot"


def test_contour_grid_for_three_params(studies):
    axes = vis.plot_contour(studies["finished"])
    assert axes.shape == (3, 3)
    assert not axes[1, 1].axison
    assert axes[2, 0].get_xlabel() == "lr" and axes[2, 0].get_ylabel() == "x"


def test_empty_study_says_why(studies):
    ax = vis.plot_optimization_history(studies["empty"])
    assert any("No COMPLETE trial" in t.get_text() for t in ax.texts)
    ax = vis.plot_param_importances(studies["one_trial"])
    assert any("at least 2 COMPLETE trials" in t.get_text() for t in ax.texts)


def test_pruned_trials_are_marked(studies):
    ax = vis.plot_intermediate_values(studies["pruned_failed"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Pruned" in labels and "Complete" in labels


def test_missing_matplotlib_says_how_to_install(monkeypatch, studies):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "sk-hpo\[plot\]"'):
        vis.plot_edf(studies["finished"])


def test_importing_sk_hpo_does_not_import_matplotlib():
    code = (
        "import sys, sk_hpo, sk_hpo.visualization, sk_hpo.importance\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "plot",
    [
        vis.plot_optimization_history,
        vis.plot_parallel_coordinate,
        vis.plot_contour,
        vis.plot_slice,
        vis.plot_param_importances,
        vis.plot_edf,
    ],
    ids=lambda f: f.__name__,
)
def test_target_and_params(plot, studies):
    kwargs = {"target": lambda t: t.params["x"] ** 2, "target_name": "x squared"}
    if plot not in (vis.plot_optimization_history, vis.plot_edf):
        kwargs["params"] = ["x", "n"]
    figure = first_axes(plot(studies["finished"], **kwargs)).figure
    labels = [a.get_xlabel() + " " + a.get_ylabel() for a in figure.axes]
    labels += [t.get_text() for a in figure.axes for t in a.get_xticklabels()]
    assert any("x squared" in label for label in labels)
    figure.canvas.draw()
