"""fANOVA main effects of regression trees, computed exactly from their partitions.

A fitted regression tree is a piecewise-constant function: each leaf is an axis-aligned box
with a constant prediction. Under the uniform measure on the unit cube (the search space, each
parameter mapped to [0, 1] on its own scale), its functional ANOVA (Hutter, Hoos and
Leyton-Brown, ICML 2014) has closed-form main effects: the marginal mean of the tree along
one feature is constant between consecutive split points of that feature, so each main-effect
variance is a finite weighted sum over those cells. No sampling is involved: the values are
exact for the tree (the estimator's only approximation is the forest itself).

Notations
---------
D : number of features (parameters).
L : number of leaves of one tree.
K : number of cells of one feature, the intervals between its consecutive split points.
lower, upper : arrays of shape (L, D), the leaf boxes in unit coordinates.
m : array of shape (L,), the leaf predictions.
w : array of shape (L, D), the box widths ``upper - lower``.
vol : array of shape (L,), the box volumes ``prod_d w[:, d]``.
mu : the tree's mean over the cube, ``sum_l vol_l m_l``.
V : the tree's total variance, ``sum_l vol_l (m_l - mu) ** 2``.
g_d : array of shape (K,), the mean of the tree on cell k of feature d,
    ``g_dk = sum_l [cell k in leaf l] m_l vol_l / w_ld``.
V_d : the main-effect variance of feature d, ``sum_k width_k (g_dk - mu) ** 2``.

The importance of feature d in one tree is ``V_d / V``; :func:`forest_importances` averages
it over the trees (trees with ``V = 0`` abstain) and normalizes the result to sum to 1.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["forest_importances", "leaf_boxes", "main_effect_variances"]


def leaf_boxes(
    children_left: np.ndarray,
    children_right: np.ndarray,
    feature: np.ndarray,
    threshold: np.ndarray,
    node_value: np.ndarray,
    n_features: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leaf boxes of a binary tree over the unit cube, level by level.

    The tree arrays follow scikit-learn's public ``tree_`` layout: node ``i`` splits on
    ``feature[i]`` at ``threshold[i]`` (left is ``x <= threshold``), ``children_left[i] ==
    -1`` marks a leaf, ``node_value[i]`` is its prediction.

    Returns
    -------
    lower, upper : ndarray of shape (L, D)
    m : ndarray of shape (L,)

    Examples
    --------
    >>> left, right = np.array([1, -1, -1]), np.array([2, -1, -1])
    >>> lower, upper, m = leaf_boxes(left, right, np.array([0, -2, -2]),
    ...                              np.array([0.25, -2.0, -2.0]), np.array([0., 1., 3.]), 2)
    >>> lower.tolist(), upper.tolist(), m.tolist()
    ([[0.0, 0.0], [0.25, 0.0]], [[0.25, 1.0], [1.0, 1.0]], [1.0, 3.0])
    """
    n_nodes = len(children_left)
    lower = np.zeros((n_nodes, n_features))
    upper = np.ones((n_nodes, n_features))
    frontier = np.array([0])
    while frontier.size:
        split = frontier[children_left[frontier] != -1]
        left, right = children_left[split], children_right[split]
        f, t = feature[split], np.clip(threshold[split], 0.0, 1.0)
        for child in (left, right):
            lower[child] = lower[split]
            upper[child] = upper[split]
        upper[left, f] = np.minimum(upper[left, f], t)
        lower[right, f] = np.maximum(lower[right, f], t)
        frontier = np.concatenate([left, right])
    leaves = children_left == -1
    return lower[leaves], upper[leaves], np.asarray(node_value, dtype=float)[leaves]


def main_effect_variances(
    lower: np.ndarray, upper: np.ndarray, m: np.ndarray
) -> tuple[np.ndarray, float]:
    """Main-effect variances ``V_d`` of each feature and the total variance ``V``.

    Examples
    --------
    An additive tree, ``f(x, y) = a(x) + b(y)`` on the 2 x 2 grid of half-cubes:

    >>> lower = np.array([[0, 0], [0, .5], [.5, 0], [.5, .5]])
    >>> upper = lower + .5
    >>> m = np.array([0., 1., 4., 5.])          # a = (0, 4), b = (0, 1)
    >>> v_d, v = main_effect_variances(lower, upper, m)
    >>> v_d.tolist(), v
    ([4.0, 0.25], 4.25)
    """
    w = upper - lower
    vol = np.prod(w, axis=1)
    mu = vol @ m
    total = float(vol @ (m - mu) ** 2)
    v_d = np.zeros(lower.shape[1])
    for d in range(lower.shape[1]):
        edges = np.unique(np.concatenate([lower[:, d], upper[:, d], [0.0, 1.0]]))  # (K + 1,)
        rest = np.divide(vol, w[:, d], out=np.zeros_like(vol), where=w[:, d] > 0)
        # Leaf l covers cells start_l .. stop_l - 1: add its share there with a difference
        # array, O(L log L) instead of an (L, K) membership matrix.
        start = np.searchsorted(edges, lower[:, d])
        stop = np.searchsorted(edges, upper[:, d])
        share = m * rest
        delta = np.bincount(start, share, len(edges)) - np.bincount(stop, share, len(edges))
        g = np.cumsum(delta)[:-1]  # (K,)
        v_d[d] = np.diff(edges) @ (g - mu) ** 2
    return v_d, total


def forest_importances(
    trees: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], n_features: int
) -> np.ndarray:
    """Normalized main-effect importances averaged over trees given as leaf boxes.

    Returns equal importances when no tree varies (a constant objective).

    Examples
    --------
    >>> lower = np.array([[0, 0], [.5, 0]])
    >>> upper = np.array([[.5, 1], [1, 1]])
    >>> forest_importances([(lower, upper, np.array([0., 1.]))], 2).tolist()
    [1.0, 0.0]
    """
    fractions = []
    for lower, upper, m in trees:
        v_d, total = main_effect_variances(lower, upper, m)
        if total > 0:
            fractions.append(v_d / total)
    if not fractions:
        return np.full(n_features, 1.0 / n_features)
    mean = np.mean(fractions, axis=0)
    s = mean.sum()
    return mean / s if s > 0 else np.full(n_features, 1.0 / n_features)
