import textwrap
import time

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

import sk_hpo
from sk_hpo.exceptions import SearchSpaceExhausted
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import GridSampler

SPACE = {"x": [0, 1, 2], "kind": ["a", "b"]}


def objective(trial):
    x = trial.suggest_int("x", 0, 2)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return x + (kind == "b")


def make_study(sampler, **kwargs):
    return sk_hpo.create_study(sampler=sampler, pruner=NopPruner(), **kwargs)


def points(study):
    return sorted((t.params["kind"], t.params["x"]) for t in study.trials)


def test_every_point_once_then_stop():
    study = make_study(GridSampler(SPACE))
    study.optimize(objective, n_trials=100)
    assert points(study) == [(k, x) for k in "ab" for x in range(3)]
    assert study.sampler.is_exhausted(study)


def test_order_is_parameter_grid_order_without_seed_and_shuffled_with_seed():
    from sklearn.model_selection import ParameterGrid

    sampler = GridSampler(SPACE)
    assert [sampler.grid_point(i) for i in range(sampler.n_grid)] == list(ParameterGrid(SPACE))
    a = make_study(GridSampler(SPACE, seed=1))
    b = make_study(GridSampler(SPACE, seed=1))
    a.optimize(objective, n_trials=6)
    b.optimize(objective, n_trials=6)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert points(a) == [(k, x) for k in "ab" for x in range(3)]
    in_order = [GridSampler(SPACE).grid_point(i) for i in range(6)]
    assert [t.params for t in a.trials] != in_order


def test_threads_never_repeat_a_point():
    space = {"x": list(range(10)), "y": list(range(4))}
    study = make_study(GridSampler(space))
    study.optimize(
        lambda t: t.suggest_int("x", 0, 9) + t.suggest_int("y", 0, 3), n_trials=60, n_jobs=4
    )
    seen = [(t.params["x"], t.params["y"]) for t in study.trials if t.params]
    assert len(seen) == len(set(seen)) == 40


WORKER = textwrap.dedent(
    """
    import sys, time
    import sk_hpo
    from sk_hpo.pruners import NopPruner
    from sk_hpo.samplers import GridSampler

    def objective(trial):
        time.sleep(0.01)
        return trial.suggest_int("x", 0, 9) + trial.suggest_int("y", 0, 3)

    study = sk_hpo.load_study(
        study_name="grid", storage=sys.argv[1],
        sampler=GridSampler({"x": list(range(10)), "y": list(range(4))}), pruner=NopPruner(),
    )
    study.optimize(objective, n_trials=100)
    """
)


def test_two_processes_on_one_sqlite_file_share_the_grid(tmp_path, run_workers):
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    sampler = GridSampler({"x": list(range(10)), "y": list(range(4))})
    study = make_study(sampler, storage=url, study_name="grid")
    run_workers(WORKER, url, n=2)
    seen = [(t.params["x"], t.params["y"]) for t in study.trials if t.params]
    assert len(seen) == len(set(seen)) == 40
    assert sampler.is_exhausted(study)


def test_failed_and_pruned_points_are_not_retried():
    def objective(trial):
        x = trial.suggest_int("x", 0, 2)
        if x == 0:
            raise sk_hpo.TrialPruned()
        if x == 1:
            raise ValueError("boom")
        return x

    study = make_study(GridSampler({"x": [0, 1, 2]}))
    with pytest.warns(UserWarning, match="failed with ValueError"):
        study.optimize(objective, n_trials=10, catch=(ValueError,))
    assert [(t.params["x"], t.state.name) for t in study.trials] == [
        (0, "PRUNED"), (1, "FAIL"), (2, "COMPLETE")
    ]


def test_point_of_a_dead_worker_is_evaluated_by_another(tmp_path):
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    dead = sk_hpo.storages.SQLiteStorage(url, heartbeat_interval=60.0, grace_period=0.1)
    study = make_study(GridSampler(SPACE, seed=0), storage=dead, study_name="g")
    abandoned = study._ask(None, heartbeat=True)  # as optimize does; then its process "dies"
    study._heartbeat.discard(abandoned._trial_id)
    held = (abandoned.suggest_categorical("kind", ["a", "b"]), abandoned.suggest_int("x", 0, 2))
    time.sleep(0.2)
    alive = sk_hpo.storages.SQLiteStorage(url, heartbeat_interval=60.0)
    survivor = sk_hpo.load_study(
        study_name="g", storage=alive, sampler=GridSampler(SPACE, seed=0), pruner=NopPruner()
    )
    survivor.optimize(objective, n_trials=20)
    done = sorted(
        (t.params["kind"], t.params["x"]) for t in survivor.trials if t.state.name == "COMPLETE"
    )
    assert done == [(k, x) for k in "ab" for x in range(3)]  # the abandoned point included
    assert survivor.trials[abandoned.number].state.name == "FAIL"
    assert held in done


def test_point_of_an_interrupted_trial_is_evaluated_on_resume():
    calls = []

    def objective(trial):
        x = trial.suggest_int("x", 0, 2)
        calls.append(x)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return x

    study = make_study(GridSampler({"x": [0, 1, 2]}))
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=10)
    study.optimize(objective, n_trials=10)
    states = [(t.params["x"], t.state.name) for t in study.trials]
    assert states == [(0, "COMPLETE"), (1, "FAIL"), (1, "COMPLETE"), (2, "COMPLETE")]


def test_a_new_grid_on_the_same_storage_is_walked_in_full():
    storage = sk_hpo.storages.InMemoryStorage()
    first = make_study(GridSampler({"x": [0, 1]}), storage=storage, study_name="s")
    first.optimize(lambda t: t.suggest_int("x", 0, 5), n_trials=10)
    second = sk_hpo.load_study(
        study_name="s", storage=storage, sampler=GridSampler({"x": [3, 4, 5]}),
        pruner=NopPruner(),
    )
    second.optimize(lambda t: t.suggest_int("x", 0, 5), n_trials=10)
    assert [t.params["x"] for t in second.trials] == [0, 1, 3, 4, 5]


def test_enqueued_trial_takes_the_matching_point():
    study = make_study(GridSampler(SPACE))
    study.enqueue_trial({"kind": "b"})
    study.enqueue_trial({"kind": "a", "x": 7})  # off the grid: runs as queued
    study.optimize(
        lambda t: t.suggest_int("x", 0, 9) + (t.suggest_categorical("kind", ["a", "b"]) == "b"),
        n_trials=100,
    )
    assert [(t.params["kind"], t.params["x"]) for t in study.trials[:2]] == [("b", 0), ("a", 7)]
    assert points(study) == sorted([(k, x) for k in "ab" for x in range(3)] + [("a", 7)])


def test_enqueued_trial_off_the_grid_needs_every_grid_value():
    study = make_study(GridSampler(SPACE))
    study.enqueue_trial({"kind": "c"})
    trial = study.ask()
    with pytest.raises(ValueError, match="holds no grid point.*enqueue a value for 'x'"):
        trial.suggest_int("x", 0, 2)


def test_ask_after_exhaustion_raises():
    study = make_study(GridSampler({"x": [1]}))
    study.optimize(lambda t: t.suggest_int("x", 0, 2), n_trials=3)
    with pytest.raises(SearchSpaceExhausted, match="All 1 points"):
        study.ask()


def test_estimator_values():
    choices = [SVC(), LogisticRegression()]
    study = make_study(GridSampler({"est": choices}))
    study.optimize(lambda t: float(t.suggest_categorical("est", choices) is choices[0]), 5)
    assert len(study.trials) == 2
    assert {type(t.params["est"]).__name__ for t in study.trials} == {"SVC", "LogisticRegression"}


def test_unknown_parameter_and_value_outside_distribution():
    study = make_study(GridSampler({"x": [5]}))
    trial = study.ask()
    with pytest.raises(ValueError, match="'y' is not in the grid of GridSampler"):
        trial.suggest_float("y", 0, 1)
    # as Optuna: a grid value outside the suggested range is used, with a warning
    with pytest.warns(UserWarning, match=r"grid value 5 of 'x' is outside IntDistribution"):
        assert trial.suggest_int("x", 0, 2) == 5
    assert study.tell(trial, 1.0).params == {"x": 5}


@pytest.mark.parametrize(
    "space, exc, match",
    [
        ([("x", [1])], TypeError, "must be a dict of parameter names"),
        ({"x": []}, ValueError, "'x' .* must not be empty"),
        ({"x": "abc"}, TypeError, "search_space\\['x'\\]\" parameter of GridSampler must be"),
        ({"x": 3}, TypeError, "must be a list. Got 3 instead"),
    ],
)
def test_bad_search_space(space, exc, match):
    with pytest.raises(exc, match=match):
        GridSampler(space)
