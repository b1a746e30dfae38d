"""HPOSearchCV as a drop-in for GridSearchCV / RandomizedSearchCV (behaviours of sklearn's own
search tests: cv_results_, refit, scoring, error_score, fit params, delegation, pickling)."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.ma import MaskedArray
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification, make_regression
from sklearn.decomposition import PCA
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import make_scorer, accuracy_score
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV

X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
Xr, yr = make_regression(n_samples=40, n_features=4, noise=1.0, random_state=0)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


def grid_search(estimator, grid, **kwargs):
    return HPOSearchCV(estimator, grid, sampler="grid", n_iter=None, pruner=None, **kwargs)


def assert_same_results(ours, theirs):
    """Every non-time column equal, same dtypes, same masks."""
    assert list(ours) == list(theirs)
    for key, expected in theirs.items():
        got = ours[key]
        if "time" in key:
            assert got.shape == expected.shape and got.dtype == expected.dtype
            continue
        if key == "params":
            assert got == expected
            continue
        assert type(got) is type(expected), key
        assert got.dtype == expected.dtype, key
        if isinstance(expected, MaskedArray):
            np.testing.assert_array_equal(got.mask, expected.mask)
            assert [a for a in got.compressed()] == [b for b in expected.compressed()], key
        else:
            np.testing.assert_array_equal(got, expected, err_msg=key)


class FailingClassifier(BaseEstimator, ClassifierMixin):
    """Fails to fit when parameter == FAIL."""

    FAIL = 2

    def __init__(self, parameter=None):
        self.parameter = parameter

    def fit(self, X, y):
        if self.parameter == self.FAIL:
            raise ValueError("Failing classifier failed as required")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return 0.0 if self.parameter is None else float(self.parameter)


class WeightRecorder(BaseEstimator, ClassifierMixin):
    """Records the length of the sample_weight it is fitted with."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y, sample_weight=None):
        assert sample_weight is not None and len(sample_weight) == len(X)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


GRIDS = [
    {"C": [0.1, 1.0, 10.0]},
    {"C": [1, 2, 3], "kernel": ["rbf", "linear"]},
    [{"kernel": ["rbf"], "gamma": [0.1, 1.0]}, {"kernel": ["linear"], "C": [0.5, 2.0]}],
    {"C": np.array([0.5, 1.5]), "shrinking": [True, False], "class_weight": [None, "balanced"]},
    {"degree": range(1, 4), "kernel": ["poly"]},
]


@pytest.mark.parametrize("grid", GRIDS)
def test_grid_matches_grid_search_cv_exactly(grid):
    ours = grid_search(SVC(), grid, cv=3).fit(X, y)
    theirs = GridSearchCV(SVC(), grid, cv=3).fit(X, y)
    assert_same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == theirs.best_score_


def test_grid_matches_with_multimetric_train_scores_and_estimator_values():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = {"clf": [LogisticRegression(), DecisionTreeClassifier(random_state=0)],
            "scale": [StandardScaler(), "passthrough"]}
    kwargs = dict(cv=3, scoring=["accuracy", "roc_auc"], refit="roc_auc",
                  return_train_score=True)
    ours = grid_search(pipe, grid, **kwargs).fit(X, y)
    theirs = GridSearchCV(pipe, grid, **kwargs).fit(X, y)
    assert list(ours.cv_results_) == list(theirs.cv_results_)
    for key in theirs.cv_results_:
        if "time" not in key and key not in ("params", "param_clf", "param_scale"):
            np.testing.assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key])
    assert [repr(p) for p in ours.cv_results_["params"]] == [
        repr(p) for p in theirs.cv_results_["params"]
    ]
    assert ours.cv_results_["param_clf"].dtype == object
    assert ours.best_params_["clf"] is not grid["clf"][0]  # refit clones parameter values
    assert ours.multimetric_ and set(ours.scorer_) == {"accuracy", "roc_auc"}


def test_random_has_randomized_search_keys_and_dtypes():
    space = {"C": loguniform(1e-2, 1e2), "gamma": uniform(0.01, 1.0), "degree": randint(1, 4),
             "kernel": ["rbf", "poly"]}
    ours = HPOSearchCV(SVC(), space, sampler="random", pruner=None, n_iter=6, cv=3,
                       random_state=0).fit(X, y)
    theirs = RandomizedSearchCV(SVC(), space, n_iter=6, cv=3, random_state=0).fit(X, y)
    assert list(ours.cv_results_) == list(theirs.cv_results_)
    for key, expected in theirs.cv_results_.items():
        got = ours.cv_results_[key]
        assert type(got) is type(expected), key
        if key != "params":
            assert got.dtype == expected.dtype and got.shape == expected.shape, key
    assert len(ours.cv_results_["params"]) == 6
    for params in ours.cv_results_["params"]:
        assert 1e-2 <= params["C"] <= 1e2 and 1 <= params["degree"] <= 3


def test_ranks_are_int32_nan_last_and_ties_share_the_lower_rank():
    grid = {"parameter": [1, FailingClassifier.FAIL, 1, 0]}
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 12"):
        search = grid_search(FailingClassifier(), grid, cv=3).fit(X, y)
    ranks = search.cv_results_["rank_test_score"]
    assert ranks.dtype == np.int32
    # a value listed twice is two candidates, as in GridSearchCV
    assert search.cv_results_["params"] == [
        {"parameter": 1}, {"parameter": 2}, {"parameter": 1}, {"parameter": 0}
    ]
    assert ranks.tolist() == [1, 4, 1, 3]
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    tie = grid_search(DummyClassifier(), {"strategy": ["prior", "most_frequent"]}, cv=3)
    assert tie.fit(X, y).cv_results_["rank_test_score"].tolist() == [1, 1]


def test_error_score_raise_and_numeric_and_all_failing():
    grid = {"parameter": [0, FailingClassifier.FAIL]}
    with pytest.raises(ValueError, match="Failing classifier failed as required"):
        grid_search(FailingClassifier(), grid, cv=3, error_score="raise").fit(X, y)
    with pytest.warns(FitFailedWarning, match="set to 0.25"):
        search = grid_search(FailingClassifier(), grid, cv=3, error_score=0.25, refit=False)
        search.fit(X, y)
    assert search.cv_results_["split0_test_score"].tolist() == [0.0, 0.25]
    with pytest.raises(ValueError, match="All the 3 fits failed"):
        grid_search(FailingClassifier(), {"parameter": [2]}, cv=3).fit(X, y)


def test_failing_scorer_gets_error_score_with_a_warning():
    def scorer(est, X_, y_):
        if est.C > 1:
            raise RuntimeError("scorer broke")
        return 0.5

    with pytest.warns(UserWarning, match="Scoring failed"):
        search = grid_search(LinearSVC(), {"C": [1, 2]}, cv=2, scoring=scorer).fit(X, y)
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    with pytest.raises(RuntimeError, match="scorer broke"):
        grid_search(LinearSVC(), {"C": [2]}, cv=2, scoring=scorer, error_score="raise").fit(X, y)


@pytest.mark.parametrize(
    "scoring, keys",
    [
        ("accuracy", ["score"]),
        (make_scorer(accuracy_score), ["score"]),
        (["accuracy", "f1"], ["accuracy", "f1"]),
        ({"acc": "accuracy", "f": make_scorer(accuracy_score)}, ["acc", "f"]),
        (lambda est, X_, y_: {"a": est.score(X_, y_), "b": 1.0}, ["a", "b"]),
    ],
)
def test_scoring_forms(scoring, keys):
    refit = keys[0] if keys != ["score"] else True
    search = grid_search(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2, scoring=scoring,
                         refit=refit).fit(X, y)
    for key in keys:
        assert f"rank_test_{key}" in search.cv_results_
    assert search.multimetric_ == (keys != ["score"])
    assert isinstance(search.score(X, y), float)


def test_multimetric_refit_must_name_a_metric():
    with pytest.raises(ValueError, match=r"refit must be set to a scorer key.*True was passed"
                       r"\. The metrics are \['accuracy', 'f1'\]"):
        grid_search(LogisticRegression(), {"C": [1.0]}, scoring=["accuracy", "f1"]).fit(X, y)
    search = grid_search(LogisticRegression(), {"C": [1.0, 2.0]}, scoring=["accuracy", "f1"],
                         refit=False, cv=2).fit(X, y)
    assert not hasattr(search, "best_index_") and not hasattr(search, "best_estimator_")
    with pytest.raises(ValueError, match="not known"):
        grid_search(LogisticRegression(), {"C": [1.0]}, scoring=["accuracy", "nope"]).fit(X, y)


def test_refit_false_and_callable():
    search = grid_search(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2, refit=False).fit(X, y)
    assert hasattr(search, "best_params_") and not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError, match="no attribute 'predict'") as info:
        search.predict(X)
    assert "refit=False" in str(info.value.__cause__)
    with pytest.raises(AttributeError, match="refit=False"):
        search.classes_
    pick_last = grid_search(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, cv=2,
                            refit=lambda results: len(results["params"]) - 1).fit(X, y)
    assert pick_last.best_index_ == 2 and not hasattr(pick_last, "best_score_")
    with pytest.raises(TypeError, match="not an integer"):
        grid_search(LogisticRegression(), {"C": [1.0]}, cv=2, refit=lambda r: "0").fit(X, y)
    with pytest.raises(IndexError, match="out of range"):
        grid_search(LogisticRegression(), {"C": [1.0]}, cv=2, refit=lambda r: 5).fit(X, y)


def test_fit_params_and_groups():
    w = np.ones(len(X))
    search = grid_search(WeightRecorder(), {"C": [1.0, 2.0]}, cv=3, scoring="accuracy")
    search.fit(X, y, sample_weight=w)
    groups = np.repeat(np.arange(6), 10)
    search = grid_search(LogisticRegression(), {"C": [1.0]}, cv=GroupKFold(3)).fit(
        X, y, groups=groups
    )
    assert search.n_splits_ == 3
    with pytest.raises(ValueError, match="groups"):
        grid_search(LogisticRegression(), {"C": [1.0]}, cv=GroupKFold(3)).fit(X, y)


def test_pipeline_params_and_estimators_as_values():
    pipe = Pipeline([("pca", PCA()), ("clf", LogisticRegression())])
    space = {"pca__n_components": [2, 3], "clf": [LogisticRegression(), SVC()]}
    search = HPOSearchCV(pipe, space, n_iter=4, cv=2, random_state=0, pruner=None,
                         sampler="random").fit(X, y)
    assert {type(p["clf"]).__name__ for p in search.cv_results_["params"]} <= {
        "LogisticRegression", "SVC"}
    assert len({repr(p) for p in search.cv_results_["params"]}) == 4


def test_pandas_input_feature_names_and_sparse_input():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    search = grid_search(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(df, pd.Series(y))
    assert search.feature_names_in_.tolist() == list(df.columns)
    assert search.n_features_in_ == 5
    sparse = grid_search(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(sp.csr_matrix(X), y)
    dense = grid_search(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(X, y)
    np.testing.assert_allclose(
        sparse.cv_results_["mean_test_score"], dense.cv_results_["mean_test_score"]
    )
    assert not hasattr(sparse, "feature_names_in_")


def test_precomputed_kernel():
    K = X @ X.T
    ours = grid_search(SVC(kernel="precomputed"), {"C": [0.1, 1.0]}, cv=3).fit(K, y)
    theirs = GridSearchCV(SVC(kernel="precomputed"), {"C": [0.1, 1.0]}, cv=3).fit(K, y)
    assert_same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.predict(K[:5]).shape == (5,)
    with pytest.raises(ValueError, match="square kernel"):
        grid_search(SVC(kernel="precomputed"), {"C": [1.0]}, cv=3).fit(X, y)


@pytest.mark.parametrize(
    "estimator, grid, methods, data",
    [
        (LogisticRegression(), {"C": [0.1, 1.0]},
         ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"],
         (X, y)),
        (PCA(), {"n_components": [2, 3]}, ["transform", "inverse_transform", "score"], (X, None)),
        (KernelDensity(), {"bandwidth": [0.5, 1.0]}, ["score_samples", "score"], (X, None)),
        (KMeans(n_init=2, random_state=0), {"n_clusters": [2, 3]}, ["predict", "transform"],
         (X, None)),
    ],
)
def test_delegation(estimator, grid, methods, data):
    X_, y_ = data
    search = grid_search(estimator, grid, cv=2).fit(X_, y_)
    best = search.best_estimator_
    for method in methods:
        arg = best.transform(X_) if method == "inverse_transform" else X_
        if method == "score":
            ours = search.score(X_, y_) if y_ is not None else search.score(X_)
            expected = best.score(X_, y_) if y_ is not None else best.score(X_)
        else:
            ours, expected = getattr(search, method)(arg), getattr(best, method)(arg)
        np.testing.assert_allclose(ours, expected)
    if y_ is not None:
        np.testing.assert_array_equal(search.classes_, np.unique(y))
    assert search.n_features_in_ == X_.shape[1]


def test_methods_follow_the_estimator_before_and_after_fit():
    search = grid_search(Ridge(), {"alpha": [1.0]}, cv=2)
    assert hasattr(search, "predict") and not hasattr(search, "predict_proba")
    assert not hasattr(search, "n_features_in_")
    with pytest.raises(NotFittedError):
        search.predict(Xr)
    search.fit(Xr, yr)
    assert not hasattr(search, "classes_") and not hasattr(search, "transform")


def test_pickle_clone_repr_and_nested_cross_validation():
    search = HPOSearchCV(LogisticRegression(), {"C": loguniform(0.01, 10)}, n_iter=3, cv=2,
                         sampler="random", pruner=None, random_state=0)
    assert clone(search).get_params()["n_iter"] == 3
    assert "HPOSearchCV" in search._repr_html_()
    fitted = search.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert len(restored.study_.trials) == 3
    assert "HPOSearchCV" in fitted._repr_html_()
    scores = cross_val_score(clone(search), X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_unsupervised_and_regression():
    search = grid_search(KMeans(n_init=2, random_state=0), {"n_clusters": [2, 3]}, cv=2)
    assert search.fit(X).best_params_["n_clusters"] in (2, 3)
    reg = HPOSearchCV(Ridge(), {"alpha": loguniform(1e-3, 1e3)}, n_iter=4, cv=KFold(3),
                      sampler="random", pruner=None, random_state=0).fit(Xr, yr)
    assert reg.best_score_ > 0.9
