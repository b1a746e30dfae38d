"""Differential conformance of HPOSearchCV against scikit-learn's own searches.

``HPOSearchCV(sampler="grid", n_iter=None, pruner=None)`` is fitted next to ``GridSearchCV``
and ``HPOSearchCV(sampler="random", pruner=None)`` next to ``RandomizedSearchCV`` on the same
data, space and splits; every observable difference is a failure unless it is documented:

- the pruning columns ``n_splits_run``, ``state`` and ``trial_number`` (``_results.py``), only
  present when a pruner is set;
- the candidates of a random search over distributions are drawn by another generator (so
  only their structure can be compared); over lists only, they are RandomizedSearchCV's.

Error and warning messages are scikit-learn's text (HPOSearchCV may name itself and add a
sentence after it), so code matching them works with both.

Exceptions are compared by kind: every built-in exception class scikit-learn's error is an
instance of, HPOSearchCV's must be an instance of too (code catching one catches the other).
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.ma import MaskedArray
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_iris, make_classification, make_regression
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    LeaveOneGroupOut,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.neighbors import KernelDensity, KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV

X, y = make_classification(n_samples=90, n_features=6, n_informative=3, random_state=0)
Xr, yr = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
X_iris, y_iris = load_iris(return_X_y=True)
GROUPS = np.repeat(np.arange(6), 15)
PRUNING_COLUMNS = {"n_splits_run", "state", "trial_number"}
BUILTIN_ERRORS = (ValueError, TypeError, AttributeError, IndexError, KeyError, RuntimeError)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


def lr():
    return LogisticRegression(max_iter=200)


def ours_grid(estimator, grid, **kwargs):
    return HPOSearchCV(estimator, grid, sampler="grid", n_iter=None, pruner=None, **kwargs)


def ours_random(estimator, space, **kwargs):
    return HPOSearchCV(estimator, space, sampler="random", pruner=None, **kwargs)


def pair(kind, estimator, space, **kwargs):
    """(HPOSearchCV, sklearn search) configured alike; ``kind`` is "grid" or "random"."""
    if kind == "grid":
        return ours_grid(clone(estimator), space, **kwargs), GridSearchCV(
            clone(estimator), space, **kwargs
        )
    return ours_random(clone(estimator), space, **kwargs), RandomizedSearchCV(
        clone(estimator), space, **kwargs
    )


def outcome(func):
    """(exception or None, set of warning categories) of calling ``func``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            func()
            error = None
        except Exception as e:  # noqa: BLE001 - the exception is the observation
            error = e
    return error, {w.category for w in caught}


def fit_both(ours, theirs, *args, **params):
    """Fit both searches; assert they raise alike and warn with the same categories.

    Returns HPOSearchCV's exception (or None) and its warning categories.
    """
    our_error, our_warnings = outcome(lambda: ours.fit(*args, **params))
    their_error, their_warnings = outcome(lambda: theirs.fit(*args, **params))
    assert_same_error(our_error, their_error)
    assert our_warnings == their_warnings
    return our_error, our_warnings


def error_kinds(error):
    return {cls for cls in BUILTIN_ERRORS if isinstance(error, cls)}


def assert_same_error(ours, theirs):
    assert (ours is None) == (theirs is None), (ours, theirs)
    if theirs is not None:
        assert error_kinds(theirs) <= error_kinds(ours), (ours, theirs)


def assert_same_structure(ours, theirs, extras=(), ordered=True):
    """Same keys (in the same order when ``ordered``; ``extras`` apart), types, dtypes, shapes
    and masks."""
    if ordered:
        assert [k for k in ours if k not in extras] == list(theirs)
    assert set(ours) - set(theirs) == set(extras)
    for key, expected in theirs.items():
        got = ours[key]
        assert type(got) is type(expected), key
        if key == "params":
            assert len(got) == len(expected)
            continue
        assert got.dtype == expected.dtype, (key, got.dtype, expected.dtype)
        assert got.shape == expected.shape, key
        if isinstance(expected, MaskedArray):  # masked exactly where a candidate lacks the name
            for results, column in ((ours, got), (theirs, expected)):
                sets = [key[len("param_"):] in params for params in results["params"]]
                np.testing.assert_array_equal(~np.ma.getmaskarray(column), sets, err_msg=key)


def assert_same_values(ours, theirs, order=None):
    """Every column but the times equal (NaN equal NaN), rows of ``ours`` taken in ``order``."""
    order = np.arange(len(theirs["params"])) if order is None else np.asarray(order)
    assert [ours["params"][i] for i in order] == theirs["params"]
    for key, expected in theirs.items():
        if "time" in key or key == "params":
            continue
        got = ours[key][order]
        if isinstance(expected, MaskedArray):
            np.testing.assert_array_equal(
                np.ma.getmaskarray(got), np.ma.getmaskarray(expected), err_msg=key
            )
            assert got.compressed().tolist() == expected.compressed().tolist(), key
        else:
            np.testing.assert_array_equal(got, expected, err_msg=key)


def assert_same_cv_results(ours, theirs):
    assert_same_structure(ours, theirs)
    assert_same_values(ours, theirs)


def row_order(ours, theirs):
    """Positions in ``ours`` of the candidates of ``theirs`` (each exactly once)."""
    keys = [repr(sorted(p.items())) for p in ours["params"]]
    order = [keys.index(repr(sorted(p.items()))) for p in theirs["params"]]
    assert sorted(order) == list(range(len(keys)))
    return order


BEST_ATTRIBUTES = ("best_index_", "best_params_", "best_score_", "best_estimator_",
                   "refit_time_", "multimetric_", "scorer_", "n_splits_", "cv_results_")


def assert_same_best(ours, theirs):
    for name in BEST_ATTRIBUTES:
        assert hasattr(ours, name) == hasattr(theirs, name), name
    for name in ("best_index_", "best_params_", "best_score_", "multimetric_", "n_splits_"):
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name), name
    if hasattr(theirs, "best_score_"):
        assert type(ours.best_score_) is type(theirs.best_score_)
    assert isinstance(ours.scorer_, dict) == isinstance(theirs.scorer_, dict)
    if isinstance(theirs.scorer_, dict):
        assert list(ours.scorer_) == list(theirs.scorer_)
    if hasattr(theirs, "best_estimator_"):
        # repr: estimator-valued parameters (clones) are compared by what they hold
        assert repr(ours.best_estimator_.get_params()) == repr(theirs.best_estimator_.get_params())


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Fails to fit when ``parameter == FAIL``; when ``parameter == "fold0"``, only on the
    training set of the first KFold(3) split of X; scores ``parameter`` otherwise."""

    FAIL = 2

    def __init__(self, parameter=0, dummy=None):
        self.parameter = parameter
        self.dummy = dummy

    def fit(self, X_, y_):
        if self.parameter == self.FAIL:
            raise ValueError("Failing classifier failed as required")
        if self.parameter == "fold0" and len(X_) == 60 and np.array_equal(X_[0], X[30]):
            raise ValueError("Failing classifier failed on the first fold")
        self.classes_ = np.unique(y_)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return 0.5 if isinstance(self.parameter, str) else float(self.parameter)


class NoScoreEstimator(BaseEstimator):
    """An estimator without a ``score`` method."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros(len(X))


class FitParamsRecorder(ClassifierMixin, BaseEstimator):
    """Scores what ``fit`` received: the per-sample weights' sum, and the other arguments."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y, sample_weight=None, side=None, scale=1.0):
        self.classes_ = np.unique(y)
        self.seen_ = self.C * scale * (
            (0.0 if sample_weight is None else float(np.sum(sample_weight)))
            + (0.0 if side is None else 1000.0 * len(side))
        )
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        return self.seen_


# -- cv_results_ of a grid: same keys, dtypes, masks, candidates and scores ------------------

GRIDS = {
    "one-list": (SVC(), {"C": [0.1, 1.0, 10.0]}),
    "product": (SVC(), {"C": [1, 2], "kernel": ["rbf", "linear"]}),
    "branches-missing-params": (
        SVC(),
        [{"kernel": ["rbf"], "gamma": [0.1, 1.0], "C": [1, 2]},
         {"kernel": ["linear"], "C": [0.5, 2.0]},
         {"kernel": ["poly"], "degree": [2, 3]}],
    ),
    "none-and-ints": (DecisionTreeClassifier(random_state=0),
                      {"max_depth": [None, 2, 4], "criterion": ["gini", "entropy"]}),
    "range-and-strings": (KNeighborsClassifier(),
                          {"n_neighbors": range(1, 8, 3), "weights": ["uniform", "distance"]}),
    "float32-array": (lr(), {"C": np.array([0.5, 1.5], dtype=np.float32)}),
    "bools-and-none": (SVC(), {"shrinking": [True, False], "class_weight": [None, "balanced"]}),
    "estimators-as-values": (
        Pipeline([("scale", StandardScaler()), ("clf", lr())]),
        {"clf": [lr(), DecisionTreeClassifier(random_state=0)], "scale": [StandardScaler(),
                                                                          "passthrough"]},
    ),
    "string-array": (SVC(), {"kernel": np.array(["rbf", "linear"])}),
    "empty-dict": (lr(), {}),
    "empty-branch": (lr(), [{}, {"C": [0.1, 1.0]}]),
    "int-and-float-across-branches": (
        SVC(), [{"kernel": ["linear"], "C": [1, 2]}, {"kernel": ["rbf"], "C": [0.5]}]
    ),
}


@pytest.mark.parametrize("name", list(GRIDS))
def test_grid_cv_results_match_grid_search_cv(name):
    estimator, grid = GRIDS[name]
    ours, theirs = pair("grid", estimator, grid, cv=3)
    fit_both(ours, theirs, X, y)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert_same_best(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_grid_candidates_come_in_parameter_grid_order():
    """The sampler="grid" docstring promises GridSearchCV's candidates *in the same order*;
    the weaker drop-in promise (same set of candidates) is checked first."""
    estimator, grid = GRIDS["branches-missing-params"]
    ours, theirs = pair("grid", estimator, grid, cv=3)
    fit_both(ours, theirs, X, y)
    as_set = lambda results: {repr(sorted(p.items())) for p in results["params"]}  # noqa: E731
    assert as_set(ours.cv_results_) == as_set(theirs.cv_results_)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]


def test_pruning_adds_exactly_the_documented_columns():
    estimator, grid = GRIDS["branches-missing-params"]
    theirs = GridSearchCV(clone(estimator), grid, cv=3).fit(X, y)
    ours = HPOSearchCV(clone(estimator), grid, sampler="grid", n_iter=None, pruner="sha", cv=3)
    ours.fit(X, y)
    # with resource="auto" resolving to "n_samples", HalvingRandomSearchCV's two columns too
    budget = {"iter", "n_resources"} if "iter" in ours.cv_results_ else set()
    assert_same_structure(ours.cv_results_, theirs.cv_results_, extras=PRUNING_COLUMNS | budget)
    results = ours.cv_results_
    assert results["n_splits_run"].dtype == np.int64 and results["state"].dtype == object
    assert set(results["state"]) <= {"COMPLETE", "PRUNED"}
    complete = results["state"] == "COMPLETE"
    assert np.all(results["n_splits_run"][complete] == 3)
    assert np.all(np.isnan(results["mean_test_score"][~complete]))


@pytest.mark.parametrize("scoring", [None, ["accuracy", "balanced_accuracy"]])
def test_train_scores_match(scoring):
    refit = "accuracy" if scoring else True
    ours, theirs = pair("grid", SVC(), {"C": [0.1, 1.0], "kernel": ["rbf", "linear"]}, cv=3,
                        scoring=scoring, refit=refit, return_train_score=True)
    fit_both(ours, theirs, X, y)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert any("train" in key for key in ours.cv_results_)


DATA_FORMS = {  # name: estimator, grid, (args, fit params), search arguments (made per search)
    "lists": (lr(), {"C": [0.1, 1.0]}, ((X.tolist(), y.tolist()), {}), dict),
    "sparse": (lr(), {"C": [0.1, 1.0]}, ((sp.csr_matrix(X), y), {}), dict),
    "cv-none": (lr(), {"C": [0.1, 1.0]}, ((X, y), {}), lambda: {"cv": None}),
    "cv-list-of-splits": (lr(), {"C": [0.1, 1.0]}, ((X, y), {}),
                          lambda: {"cv": list(KFold(3, shuffle=True, random_state=0).split(X))}),
    "cv-generator": (lr(), {"C": [0.1, 1.0]}, ((X, y), {}),
                     lambda: {"cv": KFold(3).split(X)}),
    "unused-groups": (lr(), {"C": [0.1, 1.0]}, ((X, y), {"groups": GROUPS}), dict),
    "unsupervised": (KMeans(n_init=2, random_state=0), {"n_clusters": [2, 3]}, ((X,), {}),
                     dict),
    "regression-neg-mse": (Ridge(), {"alpha": [0.01, 1.0, 100.0]}, ((Xr, yr), {}),
                           lambda: {"scoring": "neg_mean_squared_error",
                                    "return_train_score": True}),
    "unknown-parameter": (lr(), {"nope": [1, 2]}, ((X, y), {}), dict),
    "cv-empty-iterable": (lr(), {"C": [0.1, 1.0]}, ((X, y), {}), lambda: {"cv": []}),
    "cv-one-split": (lr(), {"C": [0.1, 1.0]}, ((X, y), {}),
                     lambda: {"cv": [(np.arange(60), np.arange(60, 90))]}),
    "one-metric-dict": (lr(), {"C": [0.1, 1.0]}, ((X, y), {}),
                        lambda: {"scoring": {"a": "accuracy"}, "refit": "a"}),
    "one-metric-list-refit-true": (lr(), {"C": [0.1, 1.0]}, ((X, y), {}),
                                   lambda: {"scoring": ["accuracy"], "refit": True}),
    "no-score-method": (NoScoreEstimator(), {"C": [1.0]}, ((X, y), {}), dict),
    "convergence-warnings": (LogisticRegression(max_iter=1), {"C": [0.1, 1.0]}, ((X, y), {}),
                             dict),
}


@pytest.mark.parametrize("name", list(DATA_FORMS))
def test_data_and_cv_forms(name):
    estimator, grid, (args, params), search_kwargs = DATA_FORMS[name]
    ours = ours_grid(clone(estimator), grid, **{"cv": 3, **search_kwargs()})
    theirs = GridSearchCV(clone(estimator), grid, **{"cv": 3, **search_kwargs()})
    if fit_both(ours, theirs, *args, **params)[0] is None:
        assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
        assert_same_best(ours, theirs)


def test_two_threads_give_the_same_cv_results():
    estimator, grid = GRIDS["branches-missing-params"]
    ours, theirs = pair("grid", estimator, grid, cv=3, n_jobs=2, return_train_score=True)
    with joblib.parallel_config(backend="threading"):
        fit_both(ours, theirs, X, y)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert_same_best(ours, theirs)


def test_a_value_listed_twice_is_two_candidates_as_in_gridsearchcv():
    """GridSearchCV evaluates a repeated grid value again (same splits, same scores): so does
    HPOSearchCV (it used to keep one row)."""
    grid = {"C": [1.0, 0.1, 1.0]}
    ours, theirs = pair("grid", SVC(), grid, cv=3, return_train_score=True)
    fit_both(ours, theirs, X, y)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert_same_best(ours, theirs)


# -- ranks: int32, ties share the lower rank, NaN last -------------------------------------------


@pytest.mark.parametrize("error_score", [np.nan, 0.25])
def test_ranks_ties_and_failed_candidates(error_score):
    grid = {"parameter": [1, FailingClassifier.FAIL, 0, "fold0"], "dummy": ["a", "b"]}
    ours, theirs = pair("grid", FailingClassifier(), grid, cv=KFold(3), error_score=error_score)
    fit_both(ours, theirs, X, y)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    ranks = ours.cv_results_["rank_test_score"]
    assert ranks.dtype == np.int32
    if np.isnan(error_score):
        assert ranks.tolist() == [1, 5, 3, 5, 1, 5, 3, 5]  # ties share the lower rank, NaN last
    assert_same_best(ours, theirs)


def test_all_nan_means_rank_first_alike():
    ours, theirs = pair("grid", lr(), {"C": [0.1, 1.0]}, cv=3,
                        scoring=lambda est, X_, y_: np.nan)
    fit_both(ours, theirs, X, y)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert ours.cv_results_["rank_test_score"].tolist() == [1, 1]


def _two_metrics(est, X_, y_):
    pred = est.predict(X_)
    return {"acc": accuracy_score(y_, pred), "bal": balanced_accuracy_score(y_, pred)}


SCORINGS = {
    "list": (["accuracy", "balanced_accuracy"], "accuracy"),
    "dict": ({"acc": "accuracy", "bal": make_scorer(balanced_accuracy_score)}, "acc"),
    "callable-dict": (_two_metrics, "acc"),
}


# -- error_score and FitFailedWarning ------------------------------------------------------------

@pytest.mark.parametrize("scoring", ["default", "list", "callable-dict"])
@pytest.mark.parametrize("error_score", ["raise", np.nan, 0.0])
@pytest.mark.parametrize(
    "values",
    [[0, 1], [0, FailingClassifier.FAIL], [FailingClassifier.FAIL, 0], [1, "fold0"],
     [FailingClassifier.FAIL]],
    ids=["none-fails", "second-fails", "first-fails", "one-fold-fails", "all-fail"],
)
def test_error_score_and_fit_failed_warning(values, error_score, scoring):
    scoring, refit = SCORINGS[scoring] if scoring != "default" else (None, True)
    ours, theirs = pair("grid", FailingClassifier(), {"parameter": values}, cv=KFold(3),
                        error_score=error_score, scoring=scoring, refit=refit,
                        return_train_score=True)
    error, caught = fit_both(ours, theirs, X, y)
    # some but not all fits fail (even when the refit of a failing best candidate then raises)
    some_fits_fail = len(values) == 2 and values != [0, 1] and error_score != "raise"
    assert (FitFailedWarning in caught) == some_fits_fail
    if error is None:
        assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
        assert_same_best(ours, theirs)


@pytest.mark.parametrize("failure", ["raises", "returns-a-string"])
@pytest.mark.parametrize("error_score", ["raise", np.nan])
def test_failing_scorer(error_score, failure):
    def scorer(est, X_, y_):
        if est.C > 1:
            if failure == "raises":
                raise RuntimeError("scorer broke")
            return "not a number"
        return accuracy_score(y_, est.predict(X_))

    ours, theirs = pair("grid", lr(), {"C": [0.5, 2.0]}, cv=3, scoring=scorer,
                        error_score=error_score)
    if fit_both(ours, theirs, X, y)[0] is None:
        assert_same_cv_results(ours.cv_results_, theirs.cv_results_)


# -- multi-metric scoring and refit --------------------------------------------------------------

def _pick_worst(results):
    """A refit callable: the candidate with the lowest mean of the first metric."""
    return int(np.argmin(next(v for k, v in results.items() if k.startswith("mean_test_"))))


REFITS = {
    "metric-name": lambda first: first,
    "false": lambda first: False,
    "callable": lambda first: _pick_worst,
    "true": lambda first: True,
    "unknown-name": lambda first: "nope",
}


@pytest.mark.parametrize("refit", list(REFITS))
@pytest.mark.parametrize("scoring", list(SCORINGS))
def test_multimetric_scoring_and_refit(scoring, refit):
    scoring, first = SCORINGS[scoring]
    ours, theirs = pair("grid", SVC(), {"C": [0.1, 1.0, 10.0]}, cv=3, scoring=scoring,
                        refit=REFITS[refit](first))
    error, _ = fit_both(ours, theirs, X, y)
    if error is not None:
        assert "refit" in str(error)
        return
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert_same_best(ours, theirs)
    # score() of a multi-metric search refitted by a callable fails in both (KeyError)
    our_error, our_score = _score_outcome(ours)
    their_error, their_score = _score_outcome(theirs)
    assert_same_error(our_error, their_error)
    assert our_score == their_score
    if hasattr(theirs, "best_estimator_"):
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def _score_outcome(search):
    try:
        return None, search.score(X, y)
    except Exception as e:  # noqa: BLE001 - the exception is the observation
        return e, None


@pytest.mark.parametrize("refit", [True, False, "anything", _pick_worst])
@pytest.mark.parametrize("scoring", [None, "balanced_accuracy", make_scorer(accuracy_score)])
def test_single_metric_refit(scoring, refit):
    ours, theirs = pair("grid", SVC(), {"C": [0.1, 1.0, 10.0]}, cv=3, scoring=scoring,
                        refit=refit)
    fit_both(ours, theirs, X, y)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert_same_best(ours, theirs)
    assert_same_error(outcome(lambda: ours.score(X, y))[0], outcome(lambda: theirs.score(X, y))[0])
    assert_same_error(outcome(lambda: ours.predict(X))[0], outcome(lambda: theirs.predict(X))[0])


BOOL_INDEX = pytest.param(
    True,
    marks=pytest.mark.xfail(
        strict=True,
        reason="HPOSearchCV rejects a bool from the refit callable (TypeError); GridSearchCV "
        "takes True as index 1 (bool is an Integral)",
    ),
    id="True",
)


@pytest.mark.parametrize("index", ["0", 5, -1, 1.0, np.int64(1), np.bool_(True), BOOL_INDEX])
def test_refit_callable_returning_a_bad_index(index):
    ours, theirs = pair("grid", lr(), {"C": [0.1, 1.0]}, cv=3, refit=lambda results: index)
    fit_both(ours, theirs, X, y)
    if hasattr(theirs, "best_index_"):
        assert ours.best_index_ == theirs.best_index_


# -- fit parameters, groups, metadata routing ----------------------------------------------------

def _custom_score(est, X_, y_):  # accepts no sample_weight: both searches warn about it
    return accuracy_score(y_, est.predict(X_))


@pytest.mark.parametrize(
    "estimator, scoring",
    [(lr(), None), (lr(), "accuracy"), (lr(), _custom_score),
     (lr(), ["accuracy", "balanced_accuracy"]), (FitParamsRecorder(), None)],
)
def test_sample_weight_fit_param(estimator, scoring):
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(X))
    refit = "accuracy" if isinstance(scoring, list) else True
    ours, theirs = pair("grid", estimator, {"C": [0.1, 1.0]}, cv=3, scoring=scoring,
                        refit=refit)
    fit_both(ours, theirs, X, y, sample_weight=weights)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_non_sample_fit_params_are_passed_whole():
    ours, theirs = pair("grid", FitParamsRecorder(), {"C": [1.0, 2.0]}, cv=3)
    params = dict(sample_weight=np.ones(len(X)), side=np.arange(7), scale=0.5)
    fit_both(ours, theirs, X, y, **params)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_estimator_.seen_ == theirs.best_estimator_.seen_


@pytest.mark.parametrize("cv", [GroupKFold(3), LeaveOneGroupOut()])
def test_groups(cv):
    ours, theirs = pair("grid", lr(), {"C": [0.1, 1.0]}, cv=cv)
    fit_both(ours, theirs, X, y, groups=GROUPS)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    assert ours.n_splits_ == theirs.n_splits_
    ours, theirs = pair("grid", lr(), {"C": [0.1, 1.0]}, cv=cv)
    assert fit_both(ours, theirs, X, y)[0] is not None  # groups missing: both raise


def _routed_scoring(kind, bal_request=False):
    """A scoring whose scorers request sample_weight (``bal_request=None``: left unset)."""
    acc = make_scorer(accuracy_score).set_score_request(sample_weight=True)
    if kind == "single":
        return acc, True
    bal = make_scorer(balanced_accuracy_score)
    if bal_request is not None:
        bal = bal.set_score_request(sample_weight=bal_request)
    return {"acc": acc, "bal": bal}, "acc"


@pytest.mark.parametrize("kind", ["single", "dict"])
def test_metadata_routing(kind):
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(X))
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = lr().set_fit_request(sample_weight=True)
        scoring, refit = _routed_scoring(kind)
        ours, theirs = pair("grid", estimator, {"C": [0.1, 1.0]}, cv=GroupKFold(3),
                            scoring=scoring, refit=refit, return_train_score=True)
        fit_both(ours, theirs, X, y, sample_weight=weights, groups=GROUPS)
        assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
        assert ours.score(X, y, sample_weight=weights) == theirs.score(
            X, y, sample_weight=weights)
        assert ours.score(X, y) == theirs.score(X, y)

        # metadata an estimator or a scorer does not say it wants: both raise
        ours, theirs = pair("grid", lr(), {"C": [0.1]}, cv=3, scoring=scoring, refit=refit)
        assert fit_both(ours, theirs, X, y, sample_weight=weights)[0] is not None
        if kind == "dict":
            unset, _ = _routed_scoring(kind, bal_request=None)
            ours, theirs = pair("grid", estimator, {"C": [0.1, 1.0]}, cv=3, scoring=unset,
                                refit="acc")
            assert fit_both(ours, theirs, X, y, sample_weight=weights)[0] is not None
    assert not sklearn.get_config()["enable_metadata_routing"]


def test_score_params_without_routing_raise_alike():
    ours, theirs = pair("grid", lr(), {"C": [0.1, 1.0]}, cv=3)
    fit_both(ours, theirs, X, y)
    assert_same_error(outcome(lambda: ours.score(X, y, sample_weight=np.ones(len(X))))[0],
                      outcome(lambda: theirs.score(X, y, sample_weight=np.ones(len(X))))[0])


# -- delegation ----------------------------------------------------------------------------------

DELEGATED = ("predict", "predict_proba", "predict_log_proba", "decision_function", "transform",
             "inverse_transform", "score_samples", "score", "fit_transform", "fit_predict",
             "partial_fit", "classes_", "n_features_in_", "feature_names_in_",
             "get_feature_names_out")

ESTIMATORS = {
    "logistic": (lr(), {"C": [0.1, 1.0]}, (X, y)),
    "svc-no-proba": (SVC(), {"C": [0.1, 1.0]}, (X, y)),
    "svc-proba": (SVC(probability=True, random_state=0), {"C": [0.1, 1.0]}, (X, y)),
    "tree-iris-str": (DecisionTreeClassifier(random_state=0), {"max_depth": [1, 3]},
                      (X_iris, np.array(["setosa", "versicolor", "virginica"])[y_iris])),
    "knn": (KNeighborsClassifier(), {"n_neighbors": [3, 5]}, (X, y)),
    "ridge": (Ridge(), {"alpha": [0.1, 1.0]}, (Xr, yr)),
    "pca": (PCA(), {"n_components": [1, 2]}, (X, None)),
    "kmeans": (KMeans(n_init=2, random_state=0), {"n_clusters": [2, 3]}, (X, None)),
    "kde": (KernelDensity(), {"bandwidth": [0.5, 1.0]}, (X, None)),
}


def _call(search, name, X_, y_):
    if name in ("classes_", "n_features_in_", "feature_names_in_"):
        return getattr(search, name)
    if name == "score":
        return search.score(X_, y_)
    if name == "inverse_transform":
        return search.inverse_transform(search.transform(X_))
    return getattr(search, name)(X_)


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_delegation_matches_grid_search_cv(name):
    estimator, grid, (X_, y_) = ESTIMATORS[name]
    ours, theirs = pair("grid", estimator, grid, cv=3)
    for attr in DELEGATED:
        assert hasattr(ours, attr) == hasattr(theirs, attr), ("unfitted", attr)
    fit_both(ours, theirs, X_, y_)
    for attr in DELEGATED:
        assert hasattr(ours, attr) == hasattr(theirs, attr), ("fitted", attr)
        if hasattr(theirs, attr) and attr not in ("fit_transform", "fit_predict", "partial_fit"):
            np.testing.assert_array_equal(_call(ours, attr, X_, y_),
                                          _call(theirs, attr, X_, y_), err_msg=attr)
    ours, theirs = pair("grid", estimator, grid, cv=3, refit=False)
    fit_both(ours, theirs, X_, y_)
    for attr in DELEGATED:
        assert hasattr(ours, attr) == hasattr(theirs, attr), ("refit=False", attr)
    assert_same_error(outcome(lambda: _call(ours, "score", X_, y_))[0],
                      outcome(lambda: _call(theirs, "score", X_, y_))[0])


@pytest.mark.parametrize("refit", [True, False])
def test_feature_names_with_pandas_input(refit):
    pd = pytest.importorskip("pandas")
    data = load_breast_cancer(as_frame=True)
    # a shuffled index: rows must be taken by position
    df = data.data.iloc[:150, :8].sample(frac=1.0, random_state=0)
    target = data.target.loc[df.index]
    ours, theirs = pair("grid", DecisionTreeClassifier(random_state=0), {"max_depth": [1, 3]},
                        cv=3, refit=refit)
    fit_both(ours, theirs, df, target)
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    for attr in ("feature_names_in_", "n_features_in_", "classes_"):
        assert hasattr(ours, attr) == hasattr(theirs, attr), attr
        if hasattr(theirs, attr):
            np.testing.assert_array_equal(getattr(ours, attr), getattr(theirs, attr))
    if refit:
        assert isinstance(ours.feature_names_in_, np.ndarray)
        np.testing.assert_array_equal(ours.predict(df), theirs.predict(df))
        # numpy input after a DataFrame fit: the same warning from the best estimator
        assert outcome(lambda: ours.predict(df.to_numpy()))[1] == outcome(
            lambda: theirs.predict(df.to_numpy()))[1]
    assert isinstance(df, pd.DataFrame)


# -- parameter validation ------------------------------------------------------------------------

BAD_ARGUMENTS = [
    ("grid", {"C": [1.0]}, dict(cv=1), "cv"),
    ("grid", {"C": [1.0]}, dict(cv="five"), "cv"),
    ("grid", {"C": [1.0]}, dict(cv=2.5), "cv"),
    ("grid", {"C": [1.0]}, dict(scoring="nope"), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring=5), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring=[]), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring=["accuracy", "accuracy"]), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring=("accuracy", 3)), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring={"a": 5}), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring={"a": "nope"}), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring={}), "scoring"),
    ("grid", {"C": [1.0]}, dict(scoring={1: "accuracy"}), "scoring"),
    ("grid", {"C": [1.0]}, dict(n_jobs="two"), "n_jobs"),
    ("grid", {"C": [1.0]}, dict(n_jobs=1.5), "n_jobs"),
    ("grid", {"C": [1.0]}, dict(refit=5), "refit"),
    ("grid", {"C": [1.0]}, dict(refit=None), "refit"),
    ("grid", {"C": [1.0]}, dict(error_score="warn"), "error_score"),
    ("grid", {"C": [1.0]}, dict(return_train_score="yes"), "return_train_score"),
    ("grid", {"C": [1.0]}, dict(verbose=-1), "verbose"),
    ("grid", {"C": [1.0]}, dict(verbose="loud"), "verbose"),
    ("grid", {"C": [1.0]}, dict(pre_dispatch=1.5), "pre_dispatch"),
    ("grid", {"C": []}, {}, "'C'"),
    ("grid", {"C": 1.0}, {}, "'C'"),
    ("grid", {"C": "abc"}, {}, "'C'"),
    ("grid", {"C": {1.0, 2.0}}, {}, "'C'"),
    ("grid", {"C": np.array([[1.0, 2.0]])}, {}, "'C'"),
    ("grid", [], {}, "param_distributions"),
    ("grid", 5, {}, "param_distributions"),
    ("grid", [{"C": [1.0]}, 5], {}, "param_distributions"),
    ("random", {"C": [1.0]}, dict(n_iter=-1), "n_iter"),
    ("random", {"C": [1.0]}, dict(n_iter=0), "n_iter"),
    ("random", {"C": [1.0]}, dict(n_iter=1.5), "n_iter"),
    ("random", {"C": [1.0]}, dict(random_state="seed"), "random_state"),
    ("random", {"C": 1.0}, {}, "'C'"),
    ("random", {"C": []}, {}, "'C'"),
]


@pytest.mark.parametrize("kind, space, kwargs, named", BAD_ARGUMENTS)
def test_invalid_arguments_raise_the_same_kind_of_error(kind, space, kwargs, named):
    kwargs = {"cv": 3, **kwargs}
    if kind == "random":
        kwargs.setdefault("n_iter", 2)
    ours, theirs = pair(kind, lr(), space, **kwargs)
    our_error, _ = fit_both(ours, theirs, X, y)
    assert our_error is not None
    assert named in str(our_error)


# -- random search: structure, exhausted finite spaces, seeds ------------------------------------

RANDOM_SPACES = {
    "scipy": {"C": loguniform(1e-2, 1e2), "gamma": uniform(0.01, 1.0), "degree": randint(1, 4),
              "kernel": ["rbf", "poly"]},
    "branches": [{"kernel": ["rbf"], "gamma": loguniform(1e-2, 1.0)},
                 {"kernel": ["poly"], "degree": randint(2, 4), "C": [0.5, 1.0]}],
}


@pytest.mark.parametrize("name", list(RANDOM_SPACES))
def test_random_cv_results_structure_matches_randomized_search_cv(name):
    ours, theirs = pair("random", SVC(), RANDOM_SPACES[name], n_iter=6, cv=3, random_state=0,
                        return_train_score=True)
    fit_both(ours, theirs, X, y)
    assert_same_structure(ours.cv_results_, theirs.cv_results_)
    for attr in BEST_ATTRIBUTES:
        assert hasattr(ours, attr) == hasattr(theirs, attr), attr


FINITE_SPACES = {
    "dict": {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"]},
    "branches": [{"kernel": ["rbf"], "gamma": [0.1, 1.0], "C": [1.0, 2.0]},
                 {"kernel": ["linear"], "C": [0.5, 2.0]}],
}


@pytest.mark.parametrize("space", list(FINITE_SPACES))
@pytest.mark.parametrize("n_iter", [6, 10])
def test_random_search_exhausting_a_finite_space_evaluates_the_grid(n_iter, space):
    space = FINITE_SPACES[space]
    ours, theirs = pair("random", SVC(), space, n_iter=n_iter, cv=3, random_state=0)
    fit_both(ours, theirs, X, y)  # n_iter=10 > 6 candidates: both warn (UserWarning)
    # Not ordered: for a space of lists only, RandomizedSearchCV draws its candidates through
    # ParameterGrid.__getitem__, whose dicts list the names in reverse order (param_kernel
    # before param_C); with any distribution in the space they come sorted, as in
    # GridSearchCV and in HPOSearchCV (test above).
    assert_same_structure(ours.cv_results_, theirs.cv_results_, ordered=False)
    assert_same_values(ours.cv_results_, theirs.cv_results_,
                       order=row_order(ours.cv_results_, theirs.cv_results_))
    assert ours.best_score_ == theirs.best_score_


@pytest.mark.parametrize("seed", [0, "instance"])
@pytest.mark.parametrize("n_iter", [1, 3, 6, None])
def test_random_search_of_lists_evaluates_randomized_search_cvs_candidates(n_iter, seed):
    """Over lists only, sampler="random" evaluates the candidates RandomizedSearchCV draws for
    the same random_state, in its order (they were drawn by another generator)."""
    space = FINITE_SPACES["dict"]
    ours, theirs = pair("random", SVC(), space, n_iter=n_iter or 10, cv=3, random_state=0)
    if seed == "instance":
        for search in (ours, theirs):
            search.set_params(random_state=np.random.RandomState(0))
    fit_both(ours, theirs, X, y)
    assert_same_structure(ours.cv_results_, theirs.cv_results_, ordered=False)
    assert_same_values(ours.cv_results_, theirs.cv_results_)
    assert_same_best(ours, theirs)


@pytest.mark.parametrize("seed", [0, "instance"])
def test_random_state_repeatability_matches(seed):
    def params_of_two_fits(search):
        if seed == "instance":
            search.set_params(random_state=np.random.RandomState(0))
        first = search.fit(X, y).cv_results_["params"]
        return first, search.fit(X, y).cv_results_["params"]

    space = {"C": loguniform(1e-2, 1e2)}
    ours, theirs = pair("random", lr(), space, n_iter=3, cv=3, random_state=0)
    ours_first, ours_second = params_of_two_fits(ours)
    theirs_first, theirs_second = params_of_two_fits(theirs)
    assert (ours_first == ours_second) == (theirs_first == theirs_second)


# -- nesting, clone / get_params / set_params, pickling ------------------------------------------

@pytest.mark.parametrize(
    "estimator, grid",
    [(lr(), {"C": [0.01, 1.0]}), (DecisionTreeClassifier(random_state=0), {"max_depth": [1, 4]}),
     (SVC(), [{"kernel": ["linear"], "C": [0.1, 1.0]}, {"kernel": ["rbf"]}])],
)
def test_nested_cross_val_score_matches(estimator, grid):
    ours, theirs = pair("grid", estimator, grid, cv=3)
    np.testing.assert_array_equal(cross_val_score(ours, X, y, cv=3),
                                  cross_val_score(theirs, X, y, cv=3))


def test_get_params_set_params_and_clone_round_trip():
    ours, theirs = pair("grid", lr(), {"C": [0.1, 1.0]}, cv=3)
    randomized = RandomizedSearchCV(lr(), {"C": [0.1, 1.0]})
    shallow = set(ours.get_params(deep=False))
    assert set(theirs.get_params(deep=False)) - {"param_grid"} <= shallow
    assert set(randomized.get_params(deep=False)) - {"param_distributions"} <= shallow
    nested = lambda s: {k: v for k, v in s.get_params().items() if "__" in k}  # noqa: E731
    assert nested(ours) == nested(theirs)

    for search in (ours, theirs):
        search.set_params(estimator__C=5.0, cv=4, scoring="balanced_accuracy")
    assert ours.get_params()["estimator__C"] == 5.0
    copy = clone(ours)
    assert copy.get_params(deep=False).keys() == ours.get_params(deep=False).keys()
    assert copy.estimator is not ours.estimator and copy.estimator.C == 5.0
    fit_both(copy, clone(theirs), X, y)
    assert copy.n_splits_ == 4
    assert_same_error(outcome(lambda: ours.set_params(nope=1))[0],
                      outcome(lambda: theirs.set_params(nope=1))[0])


def test_pickled_fitted_search_predicts_the_same():
    ours, theirs = pair("grid", SVC(), {"C": [0.1, 1.0]}, cv=3, return_train_score=True)
    fit_both(ours, theirs, X, y)
    restored = pickle.loads(pickle.dumps(ours))
    np.testing.assert_array_equal(restored.predict(X), theirs.predict(X))
    np.testing.assert_array_equal(restored.decision_function(X), ours.decision_function(X))
    assert_same_cv_results(restored.cv_results_, theirs.cv_results_)
    assert restored.best_params_ == theirs.best_params_


def _log_likelihood(estimator, X):  # scikit-learn calls scorer(estimator, X) when y is None
    return estimator.score(X)


@pytest.mark.parametrize("scoring", [_log_likelihood, {"ll": _log_likelihood}])
def test_two_argument_scorer_on_unsupervised_data(scoring):
    refit = "ll" if isinstance(scoring, dict) else True
    ours, theirs = pair("grid", KernelDensity(), {"bandwidth": [0.1, 0.5, 1.0]}, cv=3,
                        scoring=scoring, refit=refit)
    fit_both(ours, theirs, X_iris)
    key = "mean_test_ll" if isinstance(scoring, dict) else "mean_test_score"
    np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key])
    assert np.isfinite(ours.cv_results_[key]).all()
    assert ours.best_params_ == theirs.best_params_


# -- messages: scikit-learn's words --------------------------------------------------------------

class _LyingSplitter(KFold):
    """Announces one split more than it gives."""

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.n_splits + 1


def _message(func):
    """The message of the exception ``func`` raises, else of the last warning it emits."""
    error, _ = outcome(func)
    if error is not None:
        return str(error)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        func()
    return str(caught[-1].message)


def _comparable(text, name):
    """``text`` without what names a search or a file: the class, the repr, tracebacks."""
    text = text.replace(name, "HPOSearchCV").split("Traceback")[0]
    return text.split(" when fitting ")[0]


def _fitted(search, *args, **params):
    search.fit(*args, **params)
    return search


SW = np.ones(len(X))
MESSAGE_CASES = {
    "refit-false-predict": (
        lambda s: _fitted(s.set_params(refit=False), X, y).predict(X), {"C": [1.0]}, {}),
    "single-value": (lambda s: s.fit(X, y), {"C": 1}, {}),
    "string-value": (lambda s: s.fit(X, y), {"C": "1,2,3"}, {}),
    "empty-list": (lambda s: s.fit(X, y), {"C": []}, {}),
    "2d-array": (lambda s: s.fit(X, y), {"C": np.ones((3, 2))}, {}),
    "refit-returns-none": (lambda s: s.fit(X, y), {"C": [1.0]}, dict(refit=lambda r: None)),
    "refit-out-of-range": (lambda s: s.fit(X, y), {"C": [1.0]}, dict(refit=lambda r: 3)),
    "empty-cv-iterator": (lambda s: s.fit(X, y), {"C": [1.0]}, dict(cv=iter([]))),
    "cv-lies-about-n-splits": (lambda s: s.fit(X, y), {"C": [1.0]}, dict(cv=_LyingSplitter(3))),
    "multimetric-bad-refit": (lambda s: s.fit(X, y), {"C": [1.0]},
                              dict(scoring=["accuracy", "f1"], refit="nope")),
    "score-params-without-routing": (
        lambda s: _fitted(s, X, y).score(X, y, sample_weight=SW), {"C": [1.0]}, {}),
    "all-fits-fail": (lambda s: s.set_params(estimator=FailingClassifier()).fit(X, y),
                      {"parameter": [FailingClassifier.FAIL]}, {}),
    "some-fits-fail": (lambda s: s.set_params(estimator=FailingClassifier()).fit(X, y),
                       {"parameter": [0, FailingClassifier.FAIL]}, {}),
    "scorer-without-sample-weight": (lambda s: s.fit(X, y, sample_weight=SW), {"C": [1.0]},
                                     dict(scoring=make_scorer(lambda y_, p: 0.5))),
    "multimetric-scorer-without-sample-weight": (
        lambda s: s.fit(X, y, sample_weight=SW), {"C": [1.0]},
        dict(scoring={"fake": make_scorer(lambda y_, p: 0.5), "acc": "accuracy"},
             refit=False)),
}


@pytest.mark.parametrize("kind", ["grid", "random"])
@pytest.mark.parametrize("case", list(MESSAGE_CASES))
def test_messages_and_warnings_are_scikit_learns(case, kind):
    """Each error or warning reads as scikit-learn's (issue 13: they differed, and users grep
    and catch them); HPOSearchCV may name itself and add a sentence after it."""
    if case == "single-value" and kind == "random":
        pytest.skip("RandomizedSearchCV words it otherwise; HPOSearchCV uses GridSearchCV's")
    call, space, kwargs = MESSAGE_CASES[case]
    kwargs = {"cv": 3, **kwargs}
    if kind == "random":
        kwargs["n_iter"] = 2
    ours, theirs = pair(kind, lr(), space, **kwargs)
    theirs_text = _comparable(_message(lambda: call(theirs)), type(theirs).__name__)
    ours_text = _comparable(_message(lambda: call(ours)), "HPOSearchCV")
    assert ours_text.startswith(theirs_text), (ours_text, theirs_text)


def test_html_repr_shows_the_refitted_best_estimator_as_grid_search_cv_does():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", lr())])
    grid = {"clf": [lr(), DecisionTreeClassifier(random_state=0)]}
    for refit in (False, True):
        ours, theirs = pair("grid", pipe, grid, cv=3, refit=refit)
        for search in (ours, theirs):
            assert "<div>LogisticRegression</div>" in search._repr_html_()
        fit_both(ours, theirs, X, y)
        for search in (ours, theirs):
            html = search._repr_html_()
            assert ("best_estimator_: Pipeline" in html) == refit, refit
