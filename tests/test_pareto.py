"""Pareto numerics against brute force on small random sets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sk_hpo._pareto import (
    crowding_distance,
    hypervolume,
    is_pareto_front,
    non_dominated_ranks,
    to_loss,
)


def brute_dominates(a, b):
    return all(a <= b) and any(a < b)


def brute_ranks(loss):
    ranks, remaining, rank = np.full(len(loss), -1), set(range(len(loss))), 0
    while remaining:
        front = {i for i in remaining
                 if not any(brute_dominates(loss[j], loss[i]) for j in remaining)}
        for i in front:
            ranks[i] = rank
        remaining -= front
        rank += 1
    return ranks


def brute_hypervolume(loss, ref):
    """Inclusion-exclusion over every subset of the points."""
    loss = loss[np.all(loss < ref, axis=1)]
    total = 0.0
    for k in range(1, len(loss) + 1):
        for subset in itertools.combinations(loss, k):
            corner = np.max(subset, axis=0)
            total += (-1) ** (k + 1) * np.prod(ref - corner)
    return total


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("m", [2, 3, 4])
def test_ranks_and_front_match_brute_force(seed, m):
    rng = np.random.default_rng(seed)
    loss = rng.integers(0, 4, size=(12, m)).astype(float)  # ties and duplicates
    ranks = non_dominated_ranks(loss)
    np.testing.assert_array_equal(ranks, brute_ranks(loss))
    np.testing.assert_array_equal(is_pareto_front(loss), ranks == 0)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("m", [2, 3, 4])
def test_hypervolume_matches_inclusion_exclusion(seed, m):
    rng = np.random.default_rng(seed)
    loss = rng.random((8, m))
    ref = np.full(m, 1.1)
    assert hypervolume(loss, ref) == pytest.approx(brute_hypervolume(loss, ref))


def test_hypervolume_edge_cases():
    assert hypervolume(np.empty((0, 2)), [1, 1]) == 0.0
    assert hypervolume([[2.0, 0.0]], [1, 1]) == 0.0  # beyond the reference point
    assert hypervolume([[0.5, 0.5], [0.5, 0.5]], [1, 1]) == pytest.approx(0.25)
    assert hypervolume([[0.0]], [2.0]) == 2.0


def test_constrained_ranks_put_feasible_first():
    loss = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]
    ranks = non_dominated_ranks(loss, violation=[0.5, 0.0, 0.0, 0.1])
    assert ranks.tolist() == [3, 0, 1, 2]


def test_crowding_distance():
    loss = np.array([[0.0, 4.0], [1.0, 2.0], [2.0, 1.0], [4.0, 0.0]])
    d = crowding_distance(loss)
    assert np.isinf(d[[0, 3]]).all()
    assert d[1] == pytest.approx(2 / 4 + 3 / 4)
    assert np.isinf(crowding_distance(loss[:2])).all()
    flat = crowding_distance(np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]))
    assert flat[1] == pytest.approx(1.0)  # the objective without spread adds nothing


def test_to_loss_negates_maximised_objectives():
    assert to_loss([[1, 2], [3, 4]], ["maximize", "minimize"]).tolist() == [[-1, 2], [-3, 4]]
