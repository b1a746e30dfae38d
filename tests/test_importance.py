import numpy as np
import pytest
from sklearn.tree import DecisionTreeRegressor

import sk_hpo
from sk_hpo.importance import get_param_importances
from sk_hpo.importance._fanova import forest_importances, leaf_boxes, main_effect_variances
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler


def make_study(seed=0):
    return sk_hpo.create_study(sampler=RandomSampler(seed=seed), pruner=NopPruner())


def boxes_of(tree, n_features):
    t = tree.tree_
    return leaf_boxes(
        t.children_left, t.children_right, t.feature, t.threshold, t.value.ravel(), n_features
    )


@pytest.fixture(scope="module")
def tree_2d():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(300, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + X[:, 0] * X[:, 1]
    return DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, y)


def test_leaf_boxes_partition_the_cube(tree_2d):
    lower, upper, m = boxes_of(tree_2d, 2)
    assert np.isclose(np.prod(upper - lower, axis=1).sum(), 1.0)
    centres = (lower + upper) / 2
    np.testing.assert_allclose(tree_2d.predict(centres), m)


def test_main_effects_match_a_dense_grid(tree_2d):
    g = 800
    mid = (np.arange(g) + 0.5) / g
    xx, yy = np.meshgrid(mid, mid, indexing="ij")
    F = tree_2d.predict(np.column_stack([xx.ravel(), yy.ravel()])).reshape(g, g)
    expected_v = F.var()
    expected_vd = [F.mean(axis=1).var(), F.mean(axis=0).var()]
    v_d, v = main_effect_variances(*boxes_of(tree_2d, 2))
    np.testing.assert_allclose(v, expected_v, rtol=1e-2)
    np.testing.assert_allclose(v_d, expected_vd, rtol=1e-2)
    assert v_d.sum() < v  # the x * y term leaves an interaction


def test_constant_trees_give_equal_shares():
    box = (np.zeros((1, 3)), np.ones((1, 3)), np.array([2.0]))
    np.testing.assert_allclose(forest_importances([box], 3), [1 / 3] * 3)


def known_study(n_trials=150):
    """f = 2 log10(lr) + 3 [kind == "b"] + 3 y + 0 z, each parameter uniform on its scale.

    Main-effect variances: lr 4 * 16 / 12 = 5.33, kind 9 * 2 / 9 = 2, y 9 / 12 = 0.75, z 0;
    normalized: 0.66, 0.25, 0.09, 0.
    """
    study = make_study()

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        y = trial.suggest_float("y", 0, 1)
        trial.suggest_float("z", 0, 1)
        return 2 * np.log10(lr) + 3 * (kind == "b") + 3 * y

    study.optimize(objective, n_trials=n_trials)
    return study


@pytest.fixture(scope="module")
def study_known():
    return known_study()


def test_recovers_known_importances(study_known):
    importances = get_param_importances(study_known)
    assert list(importances) == ["lr", "kind", "y", "z"]
    assert sum(importances.values()) == pytest.approx(1.0)
    expected = {"lr": 0.66, "kind": 0.25, "y": 0.09, "z": 0.0}
    for name, value in expected.items():
        assert importances[name] == pytest.approx(value, abs=0.05)


def test_deterministic_seed(study_known):
    a = get_param_importances(study_known)
    assert get_param_importances(study_known, seed=0) == a
    assert get_param_importances(study_known) == a
    b = get_param_importances(study_known, seed=1)
    assert list(b) == list(a) and b != a


def test_target_is_explained_instead_of_the_value(study_known):
    importances = get_param_importances(study_known, target=lambda t: t.params["y"] ** 2)
    assert next(iter(importances)) == "y"
    assert importances["y"] > 0.9


def test_params_subset(study_known):
    importances = get_param_importances(study_known, params=["z", "y"])
    assert list(importances) == ["y", "z"]


def test_conditional_params_left_out_unless_named():
    study = make_study()

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.suggest_categorical("branch", ["a", "b"]) == "a":
            return x + 5 * trial.suggest_float("c", 0, 1)
        return x

    study.optimize(objective, n_trials=40)
    assert set(get_param_importances(study)) == {"x", "branch"}
    importances = get_param_importances(study, params=["x", "c"])
    assert list(importances) == ["c", "x"]


def test_constant_objective_gives_equal_shares():
    study = make_study()
    study.optimize(lambda t: 0 * t.suggest_float("x", 0, 1) + 0 * t.suggest_int("n", 1, 3), 10)
    assert get_param_importances(study) == {"n": 0.5, "x": 0.5}


def test_fitted_search_is_accepted(study_known):
    class Search:
        study_ = study_known

    assert get_param_importances(Search()) == get_param_importances(study_known)


def test_too_few_trials():
    study = make_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(ValueError, match=r"needs at least 2 COMPLETE trials .* Got 1 trial"):
        get_param_importances(study)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"seed": 1.5}, TypeError, "'seed' parameter of get_param_importances must be an int"),
        ({"params": ["w"]}, ValueError, r"names parameters that no trial has: \['w'\]"),
        ({"params": []}, ValueError, "must name at least one parameter"),
        ({"target": 3}, TypeError, "'target' parameter of get_param_importances must be None"),
    ],
)
def test_errors(study_known, kwargs, error, match):
    with pytest.raises(error, match=match):
        get_param_importances(study_known, **kwargs)
