"""Search tasks of the search race (``bench_search.py``): estimators, spaces and data.

Each :class:`SearchTask` is what a user would hand to RandomizedSearchCV: an estimator, a
space of scipy.stats distributions (``loguniform``, ``randint``, ``uniform``) and lists, and
data that ships with scikit-learn or is generated (nothing is downloaded). ``param`` names
the task's natural budget parameter (``max_iter``, ``n_estimators``) for
``HPOSearchCV(resource=<param>)``, None where no such parameter makes sense.

``est_seconds`` is a rough wall time of one RandomizedSearchCV(n_iter=40, cv=5, n_jobs=2)
on a quiet 2-core machine (one fold fit's time x 200 / 2, measured on a loaded machine), so
the race can print its expected length up front.

Usage::

    from benchmarks.search_tasks import SEARCH_TASKS, DEFAULT_TASKS
    task = SEARCH_TASKS["saga_logreg"]
    X, y = task.data()
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_classification,
    make_friedman1,
)
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

__all__ = ["DEFAULT_TASKS", "SEARCH_TASKS", "SearchTask"]


@dataclass(frozen=True)
class SearchTask:
    """One search problem.

    Attributes
    ----------
    name : str
    estimator : estimator object
    space : dict
        ``param_distributions`` as written for RandomizedSearchCV.
    data : callable
        ``data() -> (X, y)``, deterministic and cached.
    classifier : bool
        Stratified splits (classifiers) or plain KFold (the regressor).
    param : str or None
        The natural budget parameter for ``resource=<param>``.
    est_seconds : float
        Rough RandomizedSearchCV(n_iter=40, cv=5, n_jobs=2) wall on a quiet 2-core machine.
    description : str
    """

    name: str
    estimator: Any
    space: dict[str, Any]
    data: Callable[[], tuple[np.ndarray, np.ndarray]]
    classifier: bool = True
    param: str | None = None
    est_seconds: float = 10.0
    description: str = ""


# -- data (cached: every seed and method splits the same arrays) ------------------------------


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    return load_digits(return_X_y=True)


@functools.cache
def _digits_nudged(n_shifts: int) -> tuple[np.ndarray, np.ndarray]:
    """The digits and ``n_shifts`` copies shifted by one pixel (right, down, left, up), as
    in scikit-learn's RBM example: ``1797 * (1 + n_shifts)`` images."""
    X, y = _digits()
    images = X.reshape(-1, 8, 8)
    copies = [images]
    for axis, step in [(2, 1), (1, 1), (2, -1), (1, -1)][:n_shifts]:
        shifted = np.roll(images, step, axis=axis)
        edge = [slice(None)] * 3
        edge[axis] = 0 if step == 1 else -1
        shifted[tuple(edge)] = 0
        copies.append(shifted)
    return np.concatenate(copies).reshape(-1, 64), np.tile(y, len(copies))


@functools.cache
def _classification(n_samples: int, n_features: int, n_informative: int,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    return make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=n_informative,
        n_redundant=n_informative // 2, n_classes=2, flip_y=0.05, class_sep=0.8,
        random_state=seed,
    )


@functools.cache
def _classification_2000() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(
        n_samples=2000, n_features=20, n_informative=8, n_redundant=4, flip_y=0.05,
        random_state=0,
    )


@functools.cache
def _friedman() -> tuple[np.ndarray, np.ndarray]:
    return make_friedman1(n_samples=1500, n_features=10, noise=1.0, random_state=0)


@functools.cache
def _breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    return load_breast_cancer(return_X_y=True)


@functools.cache
def _diabetes() -> tuple[np.ndarray, np.ndarray]:
    return load_diabetes(return_X_y=True)


# -- tasks -----------------------------------------------------------------------------------

_TASKS = [
    # the race's original three tasks (kept available; not in the default set)
    SearchTask(
        "svc_digits",
        SVC(),
        {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)},
        _digits,
        est_seconds=2.0,
        description="SVC(C, gamma) on the digits (1797 images)",
    ),
    SearchTask(
        "hgb_5params",
        HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
        {
            "learning_rate": loguniform(0.01, 0.5),
            "max_leaf_nodes": randint(4, 64),
            "min_samples_leaf": randint(5, 80),
            "l2_regularization": loguniform(1e-4, 10.0),
            "max_features": uniform(0.3, 0.7),
        },
        _classification_2000,
        param="max_iter",
        est_seconds=6.0,
        description="HistGradientBoostingClassifier, 5 params, 2000 generated samples",
    ),
    SearchTask(
        "pipeline_pca_svc",
        Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())]),
        {
            "pca__n_components": randint(5, 64),
            "svc__C": loguniform(1e-2, 1e3),
            "svc__gamma": loguniform(1e-5, 1e-1),
        },
        _digits,
        est_seconds=2.0,
        description="StandardScaler + PCA + SVC on the digits",
    ),
    # the default set: 8 estimator families
    SearchTask(
        "svc_nudged_digits",
        SVC(),
        {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)},
        functools.partial(_digits_nudged, 1),
        est_seconds=15.0,
        description="kernel SVM: SVC(C, gamma) on the digits + 1-pixel shifts (3594 images)",
    ),
    SearchTask(
        "hgb_classif",
        HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
        {
            "learning_rate": loguniform(0.01, 0.5),
            "max_leaf_nodes": randint(4, 64),
            "min_samples_leaf": randint(5, 100),
            "l2_regularization": loguniform(1e-4, 10.0),
            "max_features": uniform(0.3, 0.7),
            "max_bins": [63, 127, 255],
        },
        functools.partial(_classification, 2000, 30, 10),
        param="max_iter",
        est_seconds=9.0,
        description="HistGradientBoostingClassifier, 6 params, 2000 x 30 generated",
    ),
    SearchTask(
        "rf_classif",
        RandomForestClassifier(n_estimators=100, random_state=0),
        {
            "max_depth": [None, 5, 10, 20],
            "min_samples_leaf": randint(1, 20),
            "max_features": uniform(0.05, 0.45),
            "criterion": ["gini", "entropy"],
            "bootstrap": [True, False],
        },
        functools.partial(_classification, 800, 20, 8, 1),
        param="n_estimators",
        est_seconds=14.0,
        description="RandomForestClassifier(n_estimators=100), 5 params, 800 x 20 generated",
    ),
    SearchTask(
        "saga_logreg",
        LogisticRegression(solver="saga", l1_ratio=0.5, max_iter=100),
        {"C": loguniform(1e-3, 1e2), "l1_ratio": uniform(0.0, 1.0)},
        functools.partial(_classification, 2000, 100, 20, 2),
        param="max_iter",
        est_seconds=8.0,
        description="LogisticRegression(saga, elasticnet: C, l1_ratio), 2000 x 100 generated",
    ),
    SearchTask(
        "sgd_pipeline",
        make_pipeline(StandardScaler(), SGDClassifier(max_iter=50, tol=None, random_state=0)),
        {
            "sgdclassifier__loss": ["hinge", "log_loss", "modified_huber"],
            "sgdclassifier__penalty": ["l2", "l1", "elasticnet"],
            "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
            "sgdclassifier__l1_ratio": uniform(0.0, 1.0),
            "sgdclassifier__learning_rate": ["optimal", "invscaling", "adaptive"],
            "sgdclassifier__eta0": loguniform(1e-4, 1e-1),
        },
        functools.partial(_classification, 10000, 50, 15, 3),
        param="sgdclassifier__max_iter",
        est_seconds=9.0,
        description="StandardScaler + SGDClassifier(max_iter=50, tol=None), 6 params, "
                    "10000 x 50 generated",
    ),
    SearchTask(
        "mlp_digits",
        make_pipeline(StandardScaler(), MLPClassifier(max_iter=40, random_state=0)),
        {
            "mlpclassifier__hidden_layer_sizes": [(32,), (64,), (128,), (64, 64)],
            "mlpclassifier__alpha": loguniform(1e-6, 1e-1),
            "mlpclassifier__learning_rate_init": loguniform(1e-4, 1e-1),
            "mlpclassifier__batch_size": [32, 64, 128, 256],
        },
        _digits,
        param="mlpclassifier__max_iter",
        est_seconds=12.0,
        description="StandardScaler + MLPClassifier(max_iter=40, adam), 4 params, digits",
    ),
    SearchTask(
        "pca_knn_nudged_digits",
        Pipeline([("scale", StandardScaler()), ("pca", PCA(random_state=0)),
                  ("knn", KNeighborsClassifier())]),
        {
            "pca__n_components": randint(5, 64),
            "knn__n_neighbors": randint(1, 50),
            "knn__weights": ["uniform", "distance"],
            "knn__p": [1, 2],
        },
        functools.partial(_digits_nudged, 4),
        est_seconds=7.0,
        description="StandardScaler + PCA + KNeighborsClassifier, 4 params, digits + 4 "
                    "shifts (8985 images)",
    ),
    SearchTask(
        "gbr_friedman",
        GradientBoostingRegressor(n_estimators=100, random_state=0),
        {
            "learning_rate": loguniform(0.01, 0.3),
            "max_depth": randint(2, 7),
            "min_samples_leaf": randint(1, 40),
            "subsample": uniform(0.5, 0.5),
            "max_features": uniform(0.3, 0.7),
        },
        _friedman,
        classifier=False,
        param="n_estimators",
        est_seconds=9.0,
        description="regressor: GradientBoostingRegressor, 5 params, friedman1 1500 x 10 (R^2)",
    ),
]

# tasks kept out of the default set, to check the defaults away from the tasks they were
# chosen on: small data (569 and 442 rows), a regressor's kernel, a wide ensemble
_TASKS += [
    SearchTask(
        "logreg_breast_cancer",
        make_pipeline(StandardScaler(), LogisticRegression(solver="liblinear")),
        {"logisticregression__C": loguniform(1e-4, 1e3),
         "logisticregression__penalty": ["l1", "l2"]},
        _breast_cancer,
        est_seconds=2.0,
        description="StandardScaler + LogisticRegression(liblinear: C, penalty), breast cancer",
    ),
    SearchTask(
        "svr_diabetes",
        make_pipeline(StandardScaler(), SVR()),
        {"svr__C": loguniform(1e-2, 1e3), "svr__gamma": loguniform(1e-4, 1.0),
         "svr__epsilon": loguniform(1e-2, 10.0)},
        _diabetes,
        classifier=False,
        est_seconds=2.0,
        description="regressor: StandardScaler + SVR(C, gamma, epsilon), diabetes (R^2)",
    ),
    SearchTask(
        "extra_trees_wide",
        ExtraTreesClassifier(n_estimators=100, random_state=0),
        {"max_features": uniform(0.02, 0.5), "min_samples_leaf": randint(1, 30),
         "max_depth": [None, 8, 16], "class_weight": [None, "balanced"]},
        functools.partial(_classification, 3000, 80, 12, 4),
        param="n_estimators",
        est_seconds=15.0,
        description="ExtraTreesClassifier(n_estimators=100), 4 params, 3000 x 80 generated",
    ),
]

SEARCH_TASKS: dict[str, SearchTask] = {t.name: t for t in _TASKS}
DEFAULT_TASKS = [
    "svc_nudged_digits", "hgb_classif", "rf_classif", "saga_logreg", "sgd_pipeline",
    "mlp_digits", "pca_knn_nudged_digits", "gbr_friedman",
]
