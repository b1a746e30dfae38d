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


def test_ask_after_exhaustion_raises():
    study = make_study(GridSampler({"x": [1]}))
    study.optimize(lambda t: t.suggest_int("x", 0, 2), n_trials=3)
    with pytest.raises(SearchSpaceExhausted, match="All 1 points"):
        study.ask()


def test_estimator_values():
    choices = [SVC(), LogisticRegression()]
    study = make_study(GridSampler({"est": choices}))
    study.optimize(lambda t: float(t.suggest_categorical("est", choices) is choices[0]), n_trials=5)
    assert len(study.trials) == 2
    assert {type(t.params["est"]).__name__ for t in study.trials} == {"SVC", "LogisticRegression"}


def test_unknown_parameter_and_value_outside_distribution():
    study = make_study(GridSampler({"x": [5]}))
    trial = study.ask()
    with pytest.raises(ValueError, match="'y' is not in the grid of GridSampler"):
        trial.suggest_float("y", 0, 1)
    with pytest.raises(ValueError, match="grid value 5 of 'x' is not in"):
        trial.suggest_int("x", 0, 2)


@pytest.mark.parametrize(
    "space, exc, match",
    [
        ([("x", [1])], TypeError, "must be a dict of parameter names"),
        ({"x": []}, ValueError, "'x' .* must not be empty"),
        ({"x": "abc"}, TypeError, "'x' in the GridSampler search_space must be a list"),
        ({"x": 3}, TypeError, "must be a list, got 3"),
    ],
)
def test_bad_search_space(space, exc, match):
    with pytest.raises(exc, match=match):
        GridSampler(space)
