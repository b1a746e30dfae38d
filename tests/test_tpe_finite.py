import numpy as np

from sk_hpo.distributions import CategoricalDistribution, IntDistribution
from sk_hpo.samplers._tpe._finite import SeenConfigurations, best_unseen, grid_sizes, grid_values
from sk_hpo.samplers._tpe.parzen_estimator import SpaceArrays


def zero_scores(X):
    return np.zeros(len(X))


def test_grid_values_and_sizes():
    space = SpaceArrays.from_distributions(
        [
            CategoricalDistribution(["a", "b"]),
            IntDistribution(1, 9, step=4),
            IntDistribution(0, 10**12),
        ]
    )
    np.testing.assert_array_equal(grid_sizes(space), [2, 3, 10**12 + 1])
    np.testing.assert_array_equal(grid_values(space, 0), [0, 1])
    np.testing.assert_array_equal(grid_values(space, 1), [1, 5, 9])


def test_best_candidate_when_unseen():
    space = SpaceArrays.from_distributions([IntDistribution(0, 9)])
    cands = np.array([[1.0], [2.0], [3.0]])
    got = best_unseen(
        [["x"]], [cands], [np.array([0.1, 0.9, 0.5])], [space], [zero_scores],
        SeenConfigurations(), np.random.default_rng(0),
    )
    assert got == {"x": 2.0}


def test_next_best_candidate_when_the_best_is_seen():
    space = SpaceArrays.from_distributions([IntDistribution(0, 9)])
    seen = SeenConfigurations()
    seen.add({"x": 2.0})
    cands = np.array([[1.0], [2.0], [3.0]])
    got = best_unseen(
        [["x"]], [cands], [np.array([0.1, 0.9, 0.5])], [space], [zero_scores],
        seen, np.random.default_rng(0),
    )
    assert got == {"x": 3.0}


def test_best_unseen_combination_across_groups():
    spaces = [SpaceArrays.from_distributions([IntDistribution(0, 1)])] * 2
    seen = SeenConfigurations()
    seen.add({"a": 1.0, "b": 1.0})
    got = best_unseen(
        [["a"], ["b"]],
        [np.array([[1.0], [0.0]]), np.array([[1.0], [0.0]])],
        [np.array([2.0, 0.0]), np.array([1.0, 0.0])],
        spaces, [zero_scores, zero_scores], seen, np.random.default_rng(0),
    )
    assert got == {"a": 1.0, "b": 0.0}  # total 2 beats {"a": 0, "b": 1} (total 1)


def test_all_candidates_seen_falls_back_to_the_whole_space():
    space = SpaceArrays.from_distributions([IntDistribution(0, 4)])
    seen = SeenConfigurations()
    for v in (0.0, 1.0, 2.0, 4.0):
        seen.add({"x": v})
    got = best_unseen(
        [["x"]], [np.array([[0.0], [1.0]])], [np.zeros(2)], [space], [zero_scores],
        seen, np.random.default_rng(0),
    )
    assert got == {"x": 3.0}


def test_exhausted_space_repeats_the_best_candidate():
    space = SpaceArrays.from_distributions([IntDistribution(0, 1)])
    seen = SeenConfigurations()
    seen.add({"x": 0.0})
    seen.add({"x": 1.0})
    got = best_unseen(
        [["x"]], [np.array([[0.0], [1.0]])], [np.array([0.0, 1.0])], [space], [zero_scores],
        seen, np.random.default_rng(0),
    )
    assert got == {"x": 1.0}


def test_huge_space_draws_unseen_configurations_without_enumerating():
    space = SpaceArrays.from_distributions([IntDistribution(0, 10**12)] * 2)
    seen = SeenConfigurations()
    seen.add({"x": 5.0, "y": 5.0})
    got = best_unseen(
        [["x", "y"]], [np.array([[5.0, 5.0]])], [np.zeros(1)], [space], [zero_scores],
        seen, np.random.default_rng(0),
    )
    assert got != {"x": 5.0, "y": 5.0}
    assert all(0 <= v <= 10**12 and float(v).is_integer() for v in got.values())
