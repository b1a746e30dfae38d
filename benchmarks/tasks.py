"""Benchmark tasks: define-by-run objectives shared by the sampler benchmarks.

Each :class:`Task` has a ``name``, an ``objective(trial)`` written against the common
``suggest_*`` API (so the same function runs under sk_hpo and under Optuna), a
``direction``, the known optimum when there is one, and two flags for samplers that only
suit some problems:

- ``continuous``: every parameter is a float, none conditional (a GP's home ground);
- ``smooth``: the objective is a smooth function of its parameters.

The scikit-learn tasks use bundled data, small subsets and fixed CV splits, so each
evaluation is deterministic and takes ~10-40 ms. They are minimised, on continuous scores
(log-loss, MSE) rather than accuracy, whose plateaus make every sampler tie.

Usage::

    from benchmarks.tasks import TASKS, get_tasks
    for task in get_tasks(["branin", "hartmann6"]):
        print(task.name, task.direction, task.optimum)
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["Task", "TASKS", "get_tasks"]


@dataclasses.dataclass(frozen=True)
class Task:
    """One benchmark problem.

    Attributes
    ----------
    name : str
    objective : callable
        ``objective(trial) -> float``; uses only ``trial.suggest_float/int/categorical``.
    direction : {"minimize", "maximize"}
    continuous : bool
        All parameters are floats and always present.
    smooth : bool
        The objective is smooth in its parameters (no plateaus, no noise).
    optimum : float or None
        Best achievable value when known.
    description : str
    """

    name: str
    objective: Callable[[Any], float]
    direction: str
    continuous: bool
    smooth: bool
    optimum: float | None
    description: str


# -- synthetic functions ------------------------------------------------------------------------


def branin(trial: Any) -> float:
    x1 = trial.suggest_float("x1", -5.0, 10.0)
    x2 = trial.suggest_float("x2", 0.0, 15.0)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(trial: Any) -> float:
    x = np.array([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(6)])
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


def rosenbrock4(trial: Any) -> float:
    x = np.array([trial.suggest_float(f"x{i}", -5.0, 10.0) for i in range(4)])
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def ackley5(trial: Any) -> float:
    x = np.array([trial.suggest_float(f"x{i}", -32.768, 32.768) for i in range(5)])
    a = -20 * np.exp(-0.2 * np.sqrt(np.mean(x**2)))
    return float(a - np.exp(np.mean(np.cos(2 * np.pi * x))) + 20 + math.e)


def styblinski_tang4(trial: Any) -> float:
    x = np.array([trial.suggest_float(f"x{i}", -5.0, 5.0) for i in range(4)])
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def mixed_conditional(trial: Any) -> float:
    """A model-selection-like function: a categorical branch, log floats, log ints, steps.

    Branch "linear" is best reachable (optimum 0); "tree" has a floor of 0.3.
    """
    kind = trial.suggest_categorical("kind", ["linear", "tree", "knn"])
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    batch = trial.suggest_int("batch", 8, 1024, log=True)
    penalty = 0.5 * (math.log10(lr) + 2.5) ** 2 + 0.3 * (math.log2(batch) - 6) ** 2
    if kind == "linear":
        alpha = trial.suggest_float("alpha", 1e-6, 1e2, log=True)
        l1 = trial.suggest_float("l1_ratio", 0.0, 1.0, step=0.05)
        return penalty + 0.2 * (math.log10(alpha) + 1) ** 2 + 2 * (l1 - 0.35) ** 2
    if kind == "tree":
        depth = trial.suggest_int("depth", 1, 20)
        leaf = trial.suggest_int("min_leaf", 1, 64, log=True)
        return 0.3 + penalty + 0.05 * (depth - 7) ** 2 + 0.2 * (math.log2(leaf) - 2) ** 2
    k = trial.suggest_int("k", 1, 50)
    weights = trial.suggest_categorical("weights", ["uniform", "distance"])
    return 0.6 + penalty + 0.01 * (k - 12) ** 2 + (0.0 if weights == "distance" else 0.2)


def finite_grid(trial: Any) -> float:
    """A finite space of 4 * 5 * 6 * 3 = 360 configurations with one best one (value 0)."""
    a = trial.suggest_categorical("a", ["p", "q", "r", "s"])
    b = trial.suggest_int("b", 0, 8, step=2)
    c = trial.suggest_float("c", 0.0, 1.0, step=0.2)
    d = trial.suggest_int("d", 1, 3)
    base = {"p": 1.0, "q": 0.0, "r": 0.5, "s": 2.0}[a]
    return base + 0.1 * (b - 4) ** 2 + 3 * (c - 0.6) ** 2 + (d != 2) * 0.7 + 0.3 * (a == "q") * (
        b == 4
    ) * (d == 1)


# -- scikit-learn cross-validation tasks --------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))[:600]
    return X[idx] / 16.0, y[idx]


@functools.lru_cache(maxsize=None)
def _breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@functools.lru_cache(maxsize=None)
def _diabetes_raw() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


@functools.lru_cache(maxsize=None)
def _diabetes() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = PolynomialFeatures(degree=2, include_bias=False).fit_transform(X)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


def _cv_error(estimator: Any, X: np.ndarray, y: np.ndarray, scoring: str) -> float:
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    cv = (StratifiedKFold if scoring != "neg_mean_squared_error" else KFold)(
        n_splits=3, shuffle=True, random_state=0
    )
    score = float(np.mean(cross_val_score(estimator, X, y, cv=cv, scoring=scoring)))
    return 1.0 - score if scoring == "accuracy" else -score


def svr_diabetes(trial: Any) -> float:
    """3-fold CV MSE of an RBF SVR on diabetes (standardised), C, gamma, epsilon on log scales."""
    from sklearn.svm import SVR

    C = trial.suggest_float("C", 1e-2, 1e3, log=True)
    gamma = trial.suggest_float("gamma", 1e-4, 1.0, log=True)
    epsilon = trial.suggest_float("epsilon", 1e-3, 1.0, log=True)
    X, y = _diabetes_raw()
    return _cv_error(SVR(C=C, gamma=gamma, epsilon=epsilon), X, y, "neg_mean_squared_error")


def knn_digits(trial: Any) -> float:
    """3-fold CV log-loss of PCA + k-NN on 600 digits: a finite space of 14,400 configurations."""
    from sklearn.decomposition import PCA
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    n_components = trial.suggest_int("n_components", 4, 64, step=2)
    k = trial.suggest_int("n_neighbors", 1, 60)
    weights = trial.suggest_categorical("weights", ["uniform", "distance"])
    p = trial.suggest_categorical("p", [1, 2])
    X, y = _digits()
    model = make_pipeline(
        PCA(n_components=n_components, random_state=0),
        KNeighborsClassifier(n_neighbors=k, weights=weights, p=p),
    )
    return _cv_error(model, X, y, "neg_log_loss")


def model_select_cancer(trial: Any) -> float:
    """3-fold CV log-loss on breast cancer, choosing the model family (conditional space)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    kind = trial.suggest_categorical("classifier", ["logreg", "knn", "tree"])
    if kind == "logreg":
        C = trial.suggest_float("logreg_C", 1e-4, 1e3, log=True)
        model: Any = LogisticRegression(C=C, max_iter=300)
    elif kind == "knn":
        k = trial.suggest_int("knn_k", 1, 100, log=True)
        weights = trial.suggest_categorical("knn_weights", ["uniform", "distance"])
        model = KNeighborsClassifier(n_neighbors=k, weights=weights)
    else:
        depth = trial.suggest_int("tree_depth", 1, 12)
        leaf = trial.suggest_int("tree_min_leaf", 1, 50, log=True)
        model = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=0)
    X, y = _breast_cancer()
    return _cv_error(model, X, y, "neg_log_loss")


def enet_diabetes(trial: Any) -> float:
    """3-fold CV MSE of an elastic net on degree-2 diabetes features (standardised target)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet

    alpha = trial.suggest_float("alpha", 1e-4, 10.0, log=True)
    l1_ratio = trial.suggest_float("l1_ratio", 0.0, 1.0)
    X, y = _diabetes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _cv_error(
            ElasticNet(alpha=alpha, l1_ratio=l1_ratio, max_iter=2000), X, y,
            "neg_mean_squared_error",
        )


TASKS: dict[str, Task] = {
    t.name: t
    for t in [
        Task("branin", branin, "minimize", True, True, 0.397887, "Branin, 2-D"),
        Task("hartmann6", hartmann6, "minimize", True, True, -3.32237, "Hartmann, 6-D"),
        Task("rosenbrock4", rosenbrock4, "minimize", True, True, 0.0, "Rosenbrock, 4-D"),
        Task("ackley5", ackley5, "minimize", True, False, 0.0, "Ackley, 5-D, multimodal"),
        Task(
            "styblinski_tang4", styblinski_tang4, "minimize", True, True, -156.6646,
            "Styblinski-Tang, 4-D",
        ),
        Task(
            "mixed_conditional", mixed_conditional, "minimize", False, False, 0.0,
            "categorical branch, log float/int, stepped float; 3-7 parameters",
        ),
        Task(
            "finite_grid", finite_grid, "minimize", False, False, 0.0,
            "360 configurations: categorical, stepped int/float, int",
        ),
        Task(
            "svr_diabetes", svr_diabetes, "minimize", True, True, None,
            "SVR(C, gamma, epsilon) on diabetes, 3-fold CV MSE",
        ),
        Task(
            "knn_digits", knn_digits, "minimize", False, False, None,
            "PCA + k-NN on 600 digits, 3-fold CV log-loss; 14,400 configurations",
        ),
        Task(
            "model_select_cancer", model_select_cancer, "minimize", False, False, None,
            "logreg/knn/tree with conditional params on breast cancer, 3-fold CV log-loss",
        ),
        Task(
            "enet_diabetes", enet_diabetes, "minimize", True, True, None,
            "ElasticNet(alpha, l1_ratio) on diabetes degree-2 features, 3-fold CV MSE",
        ),
    ]
}


def get_tasks(names: Sequence[str] | None = None) -> list[Task]:
    """Tasks by name (all when ``names`` is None); unknown names raise ``ValueError``."""
    if names is None:
        return list(TASKS.values())
    unknown = [n for n in names if n not in TASKS]
    if unknown:
        raise ValueError(f"Unknown task(s) {unknown!r}; choose from {sorted(TASKS)!r}.")
    return [TASKS[n] for n in names]
