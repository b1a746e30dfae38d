import numpy as np
import pytest

from sk_hpo.samplers._gp.optim import best_unseen, maximize_mixed


def f(U):
    return -((U[:, 0] - 0.3) ** 2) - 0.5 * (U[:, 1] - 0.75) ** 2 - (U[:, 2] != 2.0)


def f_grad(U):
    return f(U), np.column_stack([-2 * (U[:, 0] - 0.3), -(U[:, 1] - 0.75)])


def test_finds_the_maximum_of_a_mixed_function():
    rng = np.random.default_rng(0)
    candidates = np.column_stack([rng.random((50, 2)), rng.integers(0, 4, 50).astype(float)])
    cont = np.array([True, True, False])
    x = maximize_mixed(f, f_grad, candidates, cont, [None, None, np.arange(4.0)], n_starts=3)
    np.testing.assert_allclose(x, [0.3, 0.75, 2.0], atol=1e-4)


def test_incumbent_is_refined_even_when_candidates_score_higher():
    # Two maxima: 1 at x = 0.1 and 0 at x = 0.9.
    def g(U):
        return np.maximum(-50 * (U[:, 0] - 0.1) ** 2 + 1, -50 * (U[:, 0] - 0.9) ** 2)

    def g_grad(U):
        left = -50 * (U[:, 0] - 0.1) ** 2 + 1 >= -50 * (U[:, 0] - 0.9) ** 2
        return g(U), np.where(left, -100 * (U[:, 0] - 0.1), -100 * (U[:, 0] - 0.9))[:, None]

    # The candidates score higher than the incumbent but sit in the lower maximum's basin.
    x = maximize_mixed(
        g,
        g_grad,
        np.array([[0.85], [0.95]]),
        np.array([True]),
        [None],
        n_starts=1,
        incumbents=np.array([[0.3]]),
    )
    assert x[0] == pytest.approx(0.1, abs=1e-4)


def test_purely_discrete_space_is_searched_coordinate_wise():
    def h(U):
        return -np.abs(U[:, 0] - 3.0) - np.abs(U[:, 1] - 1.0)

    x = maximize_mixed(
        h, None, np.array([[0.0, 0.0]]), np.zeros(2, dtype=bool), [np.arange(5.0)] * 2
    )
    np.testing.assert_array_equal(x, [3.0, 1.0])


def test_best_unseen_keeps_an_unseen_maximiser():
    f = lambda U: -np.abs(U[:, 0] - 2.0)  # noqa: E731
    u = np.array([2.0])
    assert best_unseen(u, f, [np.arange(4.0)], np.array([[0.0]]), np.empty((0, 1))) is u


def test_best_unseen_takes_the_next_best_point_of_the_grid():
    f = lambda U: -np.abs(U[:, 0] - 2.0) - 0.1 * U[:, 1]  # noqa: E731
    seen = np.array([[2.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    got = best_unseen(np.array([2.0, 0.0]), f, [np.arange(4.0), np.arange(2.0)], seen,
                      np.empty((0, 2)))
    np.testing.assert_array_equal(got, [2.0, 1.0])


def test_best_unseen_repeats_when_every_point_is_seen():
    seen = np.array([[0.0], [1.0]])
    got = best_unseen(np.array([1.0]), lambda U: U[:, 0], [np.arange(2.0)], seen,
                      np.empty((0, 1)))
    np.testing.assert_array_equal(got, [1.0])


def test_best_unseen_searches_the_candidates_of_a_huge_space(monkeypatch):
    monkeypatch.setattr("sk_hpo.samplers._gp.optim._MAX_GRID", 3)
    choices = [np.arange(2.0), np.arange(2.0)]
    candidates = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    f = lambda U: U.sum(axis=1)  # noqa: E731
    got = best_unseen(np.array([1.0, 1.0]), f, choices, np.array([[1.0, 1.0]]), candidates)
    np.testing.assert_array_equal(got, [0.0, 1.0])  # [1, 0] scores as well but is no candidate
