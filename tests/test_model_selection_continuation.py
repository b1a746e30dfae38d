"""Continued fits across budget rungs of a parameter resource (model_selection/_continuation)."""

import gc
import weakref
from unittest import mock

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_hpo import HPOSearchCV
from sk_hpo._validation import InvalidParameterError
from sk_hpo.model_selection import _search as _search_module
from sk_hpo.model_selection._continuation import Continuation, make_continuation
from sk_hpo.model_selection._resource import ResourcePlan

X, y = make_classification(n_samples=120, n_features=5, n_informative=3, random_state=0)
GRID = {"max_depth": [1, 2, 3, None], "max_features": [1, 3]}
BUDGETS = [3, 9, 27]


class CountingForest(RandomForestClassifier):
    """A random forest recording each fit as (continued, trees built) in ``fits``."""

    fits: list = []

    def fit(self, X, y, sample_weight=None):
        before = len(self.estimators_) if self.warm_start and hasattr(self, "estimators_") else 0
        super().fit(X, y, sample_weight)
        CountingForest.fits.append((before > 0, len(self.estimators_) - before))
        return self


class Stepper(ClassifierMixin, BaseEstimator):
    """An optimiser-like estimator with ``warm_start`` but no ensemble members: records
    whether each fit started from an already fitted state."""

    fits: list = []

    def __init__(self, q=0.5, max_iter=9, warm_start=False):
        self.q = q
        self.max_iter = max_iter
        self.warm_start = warm_start

    def fit(self, X, y):
        Stepper.fits.append(hasattr(self, "coef_"))
        self.coef_ = np.zeros(X.shape[1])
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return self.q


@pytest.fixture(autouse=True)
def _clear_fits():
    CountingForest.fits, Stepper.fits = [], []
    yield
    CountingForest.fits, Stepper.fits = [], []


def _search(estimator, resource="n_estimators", grid=GRID, continued=True, **kwargs):
    search = HPOSearchCV(estimator, grid, sampler="grid", n_iter=None, cv=3, random_state=0,
                         resource=resource, min_resources=3, max_resources=27, factor=3,
                         **kwargs)
    if continued:
        return search.fit(X, y)
    with mock.patch.object(_search_module, "make_continuation",  # every rung from scratch
                           lambda estimator, plan: Continuation(None, tuple(plan.budgets))):
        return search.fit(X, y)


def _trees(results, continued, cheap_folds=3):
    """Trees a search builds, from the rungs each candidate's folds reached. Cheap rungs fit
    the first ``cheap_folds`` folds (every fold here: test folds of 40 rows), which the
    full budget continues; its other folds start from scratch."""
    total = 0
    for i, reached in enumerate(results["iter"]):
        final = sum(np.isfinite(results[f"split{j}_test_score"][i]) for j in range(3))
        cheap = BUDGETS[: min(reached, len(BUDGETS) - 2) + 1]
        if continued:
            total += final * BUDGETS[-1] + max(cheap_folds - final, 0) * cheap[-1]
        else:
            total += cheap_folds * sum(cheap) + final * BUDGETS[-1]
    return total


def _rung_scores(search):
    return [
        {level: rung["test"] for level, rung in t.system_attrs["sk_hpo:cv"]["rungs"].items()}
        for t in search.study_.trials
    ]


def test_a_forest_continues_its_trees_and_scores_as_a_fit_from_scratch():
    continued = _search(CountingForest(random_state=0))
    fits, CountingForest.fits[:] = list(CountingForest.fits), []
    scratch = _search(CountingForest(random_state=0), continued=False)

    for key in ("mean_test_score", "iter", "n_resources", "rank_test_score",
                *(f"split{j}_test_score" for j in range(3))):
        np.testing.assert_array_equal(
            continued.cv_results_[key], scratch.cv_results_[key], err_msg=key
        )
    assert _rung_scores(continued) == _rung_scores(scratch)
    assert set(continued.cv_results_["iter"]) == {0, 1, 2}  # some pruned at each rung
    # the refit is the last fit, from scratch at the full budget
    assert fits[-1] == (False, 27) and CountingForest.fits[-1] == (False, 27)
    assert continued.best_estimator_.n_estimators == 27
    assert any(warm for warm, _ in fits)
    assert sum(n for _, n in fits[:-1]) == _trees(continued.cv_results_, continued=True)
    assert not any(warm for warm, _ in CountingForest.fits)
    assert sum(n for _, n in CountingForest.fits[:-1]) == _trees(scratch.cv_results_, False)


def test_a_pipeline_continues_as_a_whole():
    pipe = make_pipeline(StandardScaler(), CountingForest(random_state=0))
    grid = {"countingforest__max_depth": [1, 2, None], "countingforest__max_features": [1, 3]}
    with parallel_config(backend="threading"):  # the fitted pipelines travel between tasks
        continued = _search(pipe, "countingforest__n_estimators", grid, n_jobs=2)
    fits, CountingForest.fits[:] = list(CountingForest.fits), []
    scratch = _search(pipe, "countingforest__n_estimators", grid, continued=False)

    np.testing.assert_array_equal(
        continued.cv_results_["mean_test_score"], scratch.cv_results_["mean_test_score"]
    )
    assert _rung_scores(continued) == _rung_scores(scratch)
    assert sum(n for _, n in fits[:-1]) == _trees(continued.cv_results_, continued=True)
    assert sum(n for _, n in CountingForest.fits[:-1]) == _trees(scratch.cv_results_, False)
    assert continued.best_estimator_[-1].warm_start is False


def test_an_estimator_whose_resource_counts_no_members_is_refitted():
    grid = {"q": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]}
    search = _search(Stepper(), "max_iter", grid)
    assert len(Stepper.fits) > 3 * 6 and not any(Stepper.fits)  # every fit from scratch
    assert make_continuation(Stepper(), search_plan("max_iter")).path == ""  # probed


def test_an_ensemble_that_stops_early_is_refitted():
    continued = []

    class Boost(GradientBoostingClassifier):
        def fit(self, X, y, sample_weight=None, monitor=None):
            continued.append(self.warm_start and hasattr(self, "estimators_"))
            return super().fit(X, y, sample_weight, monitor)

    grid = {"max_depth": [1, 2, 3], "learning_rate": [0.1, 0.5]}
    for n_iter_no_change, expected in ((None, True), (2, False)):
        continued.clear()
        _search(Boost(random_state=0, n_iter_no_change=n_iter_no_change), grid=grid)
        assert any(continued) is expected


def search_plan(resource):
    return ResourcePlan(resource, BUDGETS, n_splits=3, factor=3, splits=[])


@pytest.mark.parametrize("estimator, resource, path", [
    (RandomForestClassifier(), "n_estimators", ""),
    (make_pipeline(StandardScaler(), RandomForestClassifier()),
     "randomforestclassifier__n_estimators", "randomforestclassifier__"),
    (Stepper(), "max_iter", ""),  # probed again after each fit
    (CountingForest(), "folds", None),
    (CountingForest(), "n_samples", None),
])
def test_continuation_needs_warm_start_at_the_resource_path(estimator, resource, path):
    assert make_continuation(estimator, search_plan(resource)).path == path


def test_no_warm_start_parameter_means_no_continuation():
    class Plain(ClassifierMixin, BaseEstimator):
        def __init__(self, n_estimators=3):
            self.n_estimators = n_estimators

    assert make_continuation(Plain(), search_plan("n_estimators")).path is None
    pipe = make_pipeline(StandardScaler(), Plain())
    assert make_continuation(pipe, search_plan("plain__n_estimators")).path is None


def test_the_driver_frees_the_fitted_estimators_of_finished_candidates():
    fitted = weakref.WeakSet()
    alive_after_each = []

    class Tracked(CountingForest):
        def fit(self, X, y, sample_weight=None):
            fitted.add(self)
            return super().fit(X, y, sample_weight)

    def alive(study, frozen):
        gc.collect()
        alive_after_each.append(len(fitted))

    search = _search(Tracked(random_state=0), callbacks=[alive])
    assert max(alive_after_each) > 0  # cheap rungs' forests wait in the driver ...
    gc.collect()
    assert list(fitted) == [search.best_estimator_]  # ... and none is left after the search
