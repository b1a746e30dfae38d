"""Pareto numerics against brute force on small random sets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sk_hpo._pareto import (
    _front_mask_2d,
    crowding_distance,
    greedy_hypervolume_subset,
    hypervolume,
    hypervolume_contributions,
    is_pareto_front,
    leading_ranks,
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


def _random_loss(seed, n, m, duplicates=True, grid=None):
    rng = np.random.default_rng(seed)
    loss = rng.random((n, m)) if grid is None else rng.integers(0, grid, (n, m)).astype(float)
    if duplicates and n > 2:
        loss[-1] = loss[0]
    return loss


@pytest.mark.parametrize("seed", range(12))
def test_front_mask_2d_and_leading_ranks_match_brute_force(seed):
    loss = _random_loss(seed, 12, 2, grid=4 if seed % 2 else None)  # ties on a grid
    assert _front_mask_2d(loss).tolist() == (brute_ranks(loss) == 0).tolist()
    full = brute_ranks(loss)
    for n_min in range(1, 13):
        ranks = leading_ranks(loss, n_min)
        # the fronts peeled (up to the one holding the n_min-th point) are exact; the rest
        # share the next rank
        last = full[np.argsort(full)[n_min - 1]]
        assert np.all(ranks[full <= last] == full[full <= last])
        assert np.all(ranks[full > last] == last + 1)
    assert leading_ranks(loss, 12).tolist() == full.tolist()
    loss3 = _random_loss(seed, 10, 3)
    assert leading_ranks(loss3, 10).tolist() == brute_ranks(loss3).tolist()


@pytest.mark.parametrize("m", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(6))
def test_hypervolume_contributions_match_leave_one_out(seed, m):
    loss = _random_loss(seed, 7, m)
    ref = np.full(m, 1.1)
    got = hypervolume_contributions(loss, ref)
    total = brute_hypervolume(loss, ref)
    want = [total - brute_hypervolume(np.delete(loss, i, axis=0), ref) for i in range(7)]
    np.testing.assert_allclose(got, want, atol=1e-12)


def _brute_greedy(loss, k, ref):
    taken = []
    for _ in range(k):
        base = brute_hypervolume(loss[taken], ref) if taken else 0.0
        gains = [
            -np.inf if j in taken else brute_hypervolume(loss[taken + [j]], ref) - base
            for j in range(len(loss))
        ]
        best = max(gains)
        taken.append(next(j for j in range(len(loss)) if np.isclose(gains[j], best)))
    return taken


@pytest.mark.parametrize("m", [2, 3])
@pytest.mark.parametrize("seed", range(8))
def test_greedy_hypervolume_subset_matches_brute_force_greedy(seed, m):
    rng = np.random.default_rng(seed)
    # one front: points on a simplex-like surface, plus a duplicate
    raw = rng.random((8, m))
    loss = raw / raw.sum(axis=1, keepdims=True)
    loss = loss[non_dominated_ranks(loss) == 0]
    loss = np.vstack([loss, loss[:1]])
    ref = np.full(m, 1.2)
    for k in range(1, len(loss) + 1):
        got = greedy_hypervolume_subset(loss, k, ref).tolist()
        want = _brute_greedy(loss, k, ref)
        # equal hypervolume at every step (ties may be broken differently in 3-d)
        assert brute_hypervolume(loss[got], ref) == pytest.approx(brute_hypervolume(loss[want], ref))
        assert len(set(got)) == k
    assert greedy_hypervolume_subset(loss, 0, ref).size == 0
