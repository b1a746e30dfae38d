"""Which trials TPE counts as good: several objectives and constraints (Optuna 5's split)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sk_hpo._pareto import hypervolume, non_dominated_ranks
from sk_hpo.samplers._tpe._multi_objective import (
    contribution_weights,
    nadir_reference,
    split_front,
)
from sk_hpo.samplers._tpe._split import split_good


def _brute_split(loss, k):
    """Whole fronts by rank, then the greedy hypervolume choice within the next front."""
    ranks = non_dominated_ranks(loss)
    good = []
    for r in range(ranks.max() + 1):
        members = list(np.flatnonzero(ranks == r))
        if len(good) + len(members) <= k:
            good += members
            continue
        ref = nadir_reference(loss[members])
        chosen = []
        while len(good) + len(chosen) < k:
            base = hypervolume(loss[chosen], ref) if chosen else 0.0
            gains = {j: hypervolume(loss[chosen + [j]], ref) - base
                     for j in members if j not in chosen}
            best = max(gains.values())
            chosen.append(min(j for j, g in gains.items() if np.isclose(g, best)))
        good += chosen
        break
    return sorted(good)


@pytest.mark.parametrize("seed", range(10))
def test_split_front_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    loss = rng.random((14, 2))
    for k in range(0, 15):
        assert np.flatnonzero(split_front(loss, k)).tolist() == _brute_split(loss, k)


@pytest.mark.parametrize("seed", range(4))
def test_split_front_three_objectives_keeps_whole_fronts_and_the_size(seed):
    loss = np.random.default_rng(seed).random((12, 3))
    ranks = non_dominated_ranks(loss)
    for k in range(0, 13):
        good = split_front(loss, k)
        assert good.sum() == k
        if 0 < k < 12:
            cut = ranks[good].max()
            assert np.all(good[ranks < cut]) and not np.any(good[ranks > cut])


def test_split_front_duplicates_and_edges():
    loss = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 2.0], [2.0, 0.0]])
    # one front of 4 with a duplicate: the duplicate comes last
    assert np.flatnonzero(split_front(loss, 3)).tolist() == [0, 2, 3]
    assert split_front(loss, 0).sum() == 0 and split_front(loss, 4).all()


def test_contribution_weights():
    w = contribution_weights(np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0], [2.0, 2.0]]))
    assert w[3] == pytest.approx(1e-3)  # dominated within the good group
    assert w.max() == 1.0 and np.all(w[:3] > 1e-3)
    assert contribution_weights(np.empty((0, 2))).size == 0


def _keys(states, values):
    """rank_key rows: COMPLETE (class 0) with value, PRUNED at step 3 (class 1)."""
    return np.array([[0.0, 0.0, v] if s == "c" else [1.0, -3.0, v] for s, v in zip(states, values)])


def test_single_objective_constraints_feasible_then_pruned_then_least_violation():
    states = ["c", "c", "c", "p", "c", "c"]
    values = [5.0, 1.0, 0.0, 2.0, 3.0, 4.0]
    violation = np.array([0.0, 0.0, 2.0, 0.0, 0.5, 0.0])
    keys = _keys(states, values)
    for n_good, want in [(1, [1]), (3, [1, 5, 0]), (4, [1, 5, 0, 3]), (5, [1, 5, 0, 3, 4]),
                         (6, [1, 5, 0, 3, 4, 2])]:
        good, weights = split_good(keys, keys[:, 2:], violation, n_good, np.ones(1))
        assert good.tolist() == want and weights is None
    # maximise: feasible complete by decreasing value
    good, _ = split_good(keys, keys[:, 2:], violation, 2, -np.ones(1))
    assert good.tolist() == [0, 5]


def test_unconstrained_single_objective_is_the_usual_ranking():
    keys = _keys(["c", "p", "c"], [3.0, 0.0, 1.0])
    good, _ = split_good(keys, keys[:, 2:], np.zeros(3), 2, np.ones(1))
    assert good.tolist() == [2, 0]


@pytest.mark.parametrize("seed", range(5))
def test_multi_objective_constraints_and_weights(seed):
    rng = np.random.default_rng(seed)
    n = 12
    values = rng.random((n, 2))
    violation = np.where(rng.random(n) < 0.3, rng.random(n), 0.0)
    keys = np.zeros((n, 3))
    signs = np.array([1.0, -1.0])  # minimise, maximise
    feasible = np.flatnonzero(violation == 0)
    for n_good in range(n + 1):
        good, weights = split_good(keys, values, violation, n_good, signs,
                                   weigh_by_contribution=True)
        assert len(good) == n_good == len(set(good.tolist()))
        k = min(n_good, feasible.size)
        want = feasible[_brute_split(values[feasible] * signs, k)]
        assert sorted(good[:k].tolist()) == sorted(want.tolist())
        infeasible = good[k:]
        assert np.all(violation[infeasible] > 0)
        order = np.argsort(violation[violation > 0], kind="stable")[: n_good - k]
        assert infeasible.tolist() == np.flatnonzero(violation > 0)[order].tolist()
        assert weights is None or (len(weights) == n_good and np.all(weights > 0))


def test_brute_split_helper_agrees_with_exhaustive_best_subset_on_tiny_front():
    # sanity of the oracle: for one front of 4 and k=1 the greedy choice is the best box
    loss = np.array([[0.0, 3.0], [1.0, 1.0], [3.0, 0.0], [2.0, 0.5]])
    ref = nadir_reference(loss[non_dominated_ranks(loss) == 0])
    best = max(itertools.combinations(range(4), 1), key=lambda c: hypervolume(loss[list(c)], ref))
    assert _brute_split(loss, 1) == list(best)
