"""Budgets beyond folds in HPOSearchCV: resource="n_samples" and parameter resources."""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV
from sk_hpo._validation import InvalidParameterError
from sk_hpo.pruners import BasePruner
from sk_hpo.model_selection._resource import (
    MIN_RUNG_ROWS,
    budget_levels,
    cheap_rung_folds,
    make_resource_plan,
)

X, y = make_classification(n_samples=120, n_features=5, n_informative=3, random_state=0)
ROWS = np.c_[np.arange(len(y)), X]  # column 0: the row index, seen by Recorder.fit


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(1):
        yield


class Recorder(ClassifierMixin, BaseEstimator):
    """Scores ``q`` everywhere; records every fit (q, max_iter, rows) in ``Recorder.fits``."""

    fits: list = []

    def __init__(self, q=0.5, max_iter=27):
        self.q = q
        self.max_iter = max_iter

    def fit(self, X, y):
        Recorder.fits.append((self.q, self.max_iter, np.asarray(X)[:, 0].astype(int)))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return self.q


@pytest.fixture
def fits():
    Recorder.fits = []
    yield Recorder.fits
    Recorder.fits = []


def Q_GRID(n=9):
    return {"q": [round(0.9 - 0.05 * i, 2) for i in range(n)]}  # worse and worse


def test_budget_levels_are_geometric_from_the_full_budget():
    assert budget_levels(1, 27, 3) == [1, 3, 9, 27]
    assert budget_levels(10, 100, 3) == [11, 33, 100]
    assert budget_levels(5, 20, 2) == [5, 10, 20]
    assert budget_levels(7, 7, 4) == [7]


def test_n_samples_rungs_are_nested_stratified_subsamples_of_the_first_training_fold():
    yi = np.r_[np.zeros(90, int), np.ones(30, int)]  # 3:1 classes
    splits = list(StratifiedKFold(3).split(np.zeros((120, 1)), yi))
    plan = make_resource_plan(
        resource="n_samples", min_resources=8, max_resources="auto", factor=3,
        estimator=Recorder(), searched={"q"}, splits=splits, y=yi, groups=None,
        classifier=True, seed=0,
    )
    assert plan.budgets == [8, 26, 80]
    # test folds of 40 rows: a cheap rung fits every fold to score 120 rows (< 200)
    assert [step.folds for step in plan.steps(cheap_rungs=True)] == [
        (0, 1, 2), (0, 1, 2), (0,), (1,), (2,)
    ]
    for fold, (train, _) in enumerate(splits):
        small, middle = (plan.fold_inputs({}, level, fold)[1] for level in (0, 1))
        assert set(small) <= set(middle) <= set(train)  # nested, inside the training fold
        assert len(small) == 8 and np.bincount(yi[small]).tolist() == [6, 2]
        assert len(middle) == 26 and np.bincount(yi[middle]).tolist() in ([20, 6], [19, 7])
        params, rows, scored = plan.fold_inputs({"q": 1}, 2, fold)
        assert params == {"q": 1} and np.array_equal(rows, train)  # full budget: whole fold
        assert np.array_equal(scored, splits[fold][1])  # scored on the whole test fold
        for level in (0, 1):  # cheap rungs: scored on the whole test fold
            assert np.array_equal(plan.fold_inputs({}, level, fold)[2], splits[fold][1])


def test_n_samples_search_fits_subsamples_then_whole_folds_and_refits_on_all(fits):
    search = HPOSearchCV(Recorder(), Q_GRID(), sampler="grid", n_iter=None, cv=3,
                         resource="n_samples", min_resources=8)
    search.fit(ROWS, y)
    res = search.cv_results_
    sizes = sorted({len(rows) for _, _, rows in fits})
    assert sizes[:2] == [8, 26] and sizes[-1] == len(y)  # the refit sees all rows
    assert res["n_resources"].dtype == np.int64 and res["iter"].dtype == np.int64
    assert set(res["n_resources"]) <= {8, 26, 80}
    complete = res["state"] == "COMPLETE"
    assert np.all(res["iter"][complete] == 2) and np.all(res["n_resources"][complete] == 80)
    cheap = res["iter"] < 2
    assert cheap.any() and np.all(res["state"][cheap] == "PRUNED")
    assert np.all(res["n_splits_run"][cheap] == 0)
    assert np.all(np.isnan(res["mean_test_score"][cheap]))
    assert res["state"][search.best_index_] == "COMPLETE"
    assert search.best_params_ == {"q": 0.9}


def test_n_samples_with_groups_draws_whole_groups(fits):
    groups = np.arange(len(y)) // 4  # 30 groups of 4 rows
    search = HPOSearchCV(Recorder(), Q_GRID(6), sampler="grid", n_iter=None,
                         cv=GroupKFold(3), resource="n_samples", min_resources=10)
    search.fit(ROWS, y, groups=groups)
    cheap = [rows for _, _, rows in fits if len(rows) < 80]
    assert cheap
    for rows in cheap:
        taken = np.unique(groups[rows])
        assert np.array_equal(np.sort(rows), np.flatnonzero(np.isin(groups, taken)))
        assert len(rows) >= 10
    assert set(search.cv_results_["iter"]) >= {0}


@pytest.mark.parametrize("resource, estimator, space", [
    ("max_iter", Recorder(), Q_GRID()),
    ("n_estimators", RandomForestClassifier(n_estimators=9, max_depth=2, random_state=0),
     {"max_features": [1, 2, 3, 4, 5]}),
])
def test_a_parameter_resource_sets_the_budget_and_the_refit_uses_the_full_one(
        fits, resource, estimator, space):
    search = HPOSearchCV(estimator, space, sampler="grid", n_iter=None, cv=3,
                         resource=resource, min_resources=1)
    search.fit(ROWS, y)
    top = estimator.get_params()[resource]
    assert getattr(search.best_estimator_, resource) == top
    assert resource not in search.best_params_
    assert set(search.cv_results_["n_resources"]) <= set(budget_levels(1, top, 3))
    if fits:
        assert {m for _, m, _ in fits} == {1, 3, 9, 27}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_step_parameter_inside_a_pipeline(fits):
    pipe = make_pipeline(StandardScaler(), SGDClassifier(tol=None, random_state=0))
    search = HPOSearchCV(pipe, {"sgdclassifier__alpha": loguniform(1e-5, 1e1)}, n_iter=8,
                         cv=3, sampler="random", random_state=0,
                         resource="sgdclassifier__max_iter", max_resources=18, factor=3)
    search.fit(X, y)
    res = search.cv_results_
    assert set(res["n_resources"]) <= {2, 6, 18}
    assert search.best_estimator_[-1].max_iter == 18
    assert np.all(res["n_resources"][res["state"] == "COMPLETE"] == 18)


def test_fewer_full_budget_fits_than_with_folds_when_weak_candidates_exist():
    space = {"C": [1e-4, 1e-3, 3e-3, 1e-2, 1.0, 1e-4, 2e-4, 5e-4, 10.0, 3e-4, 1e-5, 100.0]}
    kwargs = dict(sampler="grid", n_iter=None, cv=5)
    folds = HPOSearchCV(LogisticRegression(), space, resource="folds", **kwargs).fit(X, y)
    budget = HPOSearchCV(LogisticRegression(), space, resource="n_samples", **kwargs)
    budget.fit(X, y)
    full_folds = folds.cv_results_["n_splits_run"].sum()
    full_budget = budget.cv_results_["n_splits_run"].sum()
    assert full_budget < full_folds
    assert budget.best_score_ >= folds.best_score_ - 0.02


def test_without_a_pruner_there_are_no_cheap_rungs(fits):
    search = HPOSearchCV(Recorder(), Q_GRID(3), sampler="grid", n_iter=None, cv=3,
                         pruner=None, resource="max_iter", min_resources=1)
    search.fit(ROWS, y)
    assert {m for _, m, _ in fits} == {27}
    assert search.cv_results_["iter"].tolist() == [3, 3, 3]
    assert search.cv_results_["n_resources"].tolist() == [27, 27, 27]


def test_auto_is_folds_with_few_candidates_and_adds_no_column():
    space = {"C": [0.01, 0.1, 1.0]}  # 3 candidates: nothing to halve over budgets
    default = HPOSearchCV(LogisticRegression(), space, sampler="grid", n_iter=None, cv=3)
    assert default.get_params()["resource"] == "auto"
    explicit = HPOSearchCV(LogisticRegression(), space, sampler="grid", n_iter=None, cv=3,
                           resource="folds", min_resources=2, max_resources=5)
    a, b = default.fit(X, y).cv_results_, explicit.fit(X, y).cv_results_
    assert set(a) == set(b) and "iter" not in a and "n_resources" not in a
    np.testing.assert_array_equal(a["mean_test_score"], b["mean_test_score"])


def test_auto_halves_across_folds_when_training_folds_hold_under_600_rows():
    X_small, y_small = make_classification(500, 8, random_state=0)  # 400 rows per fold
    space = {"C": loguniform(1e-4, 1e2)}
    search = HPOSearchCV(LogisticRegression(), space, n_iter=12, cv=5, random_state=0)
    results = search.fit(X_small, y_small).cv_results_
    assert "iter" not in results and "n_resources" not in results
    assert results["n_splits_run"].min() < 5 and results["n_splits_run"].max() == 5


def test_a_study_made_with_another_resource_is_refused(tmp_path):
    storage = f"sqlite:///{tmp_path / 'hpo.db'}"
    kwargs = dict(sampler="grid", n_iter=None, cv=3, storage=storage, study_name="s")
    HPOSearchCV(Recorder(), Q_GRID(2), **kwargs).fit(ROWS, y)
    with pytest.raises(ValueError, match="resource"):
        HPOSearchCV(Recorder(), Q_GRID(2), resource="max_iter", **kwargs).fit(ROWS, y)


@pytest.mark.parametrize("kwargs, fit_y, match", [
    (dict(resource="epochs"),
     y, r"'resource' parameter of HPOSearchCV must be 'auto', 'folds', 'n_samples' or the "
        r"name of a parameter of Recorder \('max_iter', 'q'\)\. Got 'epochs'"),
    (dict(resource="q"), y, r"'resource' parameter .* param_distributions does not search"),
    (dict(resource="max_iter", min_resources=30), y,
     r"'min_resources' parameter of HPOSearchCV must be an int in the range "
     r"\[1, max_resources=27\]\. Got 30"),
    (dict(resource="max_iter", min_resources=30, max_resources=20), y,
     r"'min_resources' .* \[1, max_resources=20\]\. Got 30"),
    (dict(resource="max_iter", factor=1), y,
     r"'factor' parameter of HPOSearchCV must be an int in the range \[2, inf\)\. Got 1"),
    (dict(resource="max_iter", factor=2.5), y, r"'factor' parameter .* Got 2\.5"),
    (dict(resource="max_iter", min_resources=0), y, r"'min_resources' parameter .* Got 0"),
    (dict(resource="max_iter", max_resources="all"), y, r"'max_resources' .* Got 'all'"),
    (dict(resource="n_samples", min_resources=5), np.r_[np.zeros(110, int), np.ones(10, int)],
     r"'min_resources' parameter of HPOSearchCV is too small for resource='n_samples'.*"
     r"class 1 .*Got min_resources=5; use min_resources >= 12"),
])
def test_bad_resource_arguments_name_the_parameter(kwargs, fit_y, match):
    search = HPOSearchCV(Recorder(), Q_GRID(2), sampler="grid", n_iter=None, cv=3, **kwargs)
    with pytest.raises(InvalidParameterError if "too small" not in match else ValueError,
                       match=match):
        search.fit(ROWS, fit_y)


def test_a_parameter_resource_without_an_int_default_needs_max_resources():
    forest = RandomForestClassifier(max_depth=None)
    search = HPOSearchCV(forest, {"n_estimators": [2, 3]}, sampler="grid", n_iter=None, cv=3,
                         resource="max_depth")
    with pytest.raises(InvalidParameterError, match=r"'max_resources' parameter .*give "
                                                    r"max_resources.* Got None"):
        search.fit(X, y)
    search.set_params(max_resources=4, min_resources=1).fit(X, y)
    assert search.best_estimator_.max_depth == 4


def test_each_candidate_records_its_fit_seconds_over_all_its_fits(fits):
    search = HPOSearchCV(Recorder(), Q_GRID(4), sampler="grid", n_iter=None, cv=3,
                         resource="max_iter", min_resources=3)
    search.fit(ROWS, y)
    for trial, fit_time, run in zip(search.study_.trials, search.cv_results_["mean_fit_time"],
                                    search.cv_results_["n_splits_run"]):
        seconds = trial.system_attrs["sk_hpo:fit_seconds"]
        assert seconds > 0 and (run == 0 or seconds >= fit_time * run)


def test_samplers_state_whether_they_learn_from_results():
    from sk_hpo.model_selection._proposer import CandidateSampler
    from sk_hpo.model_selection._space import SearchSpace
    from sk_hpo.samplers import GPSampler, QMCSampler, RandomSampler, TPESampler

    assert [s.is_adaptive() for s in (RandomSampler(), QMCSampler(), TPESampler(),
                                      GPSampler())] == [False, False, True, True]

    class MyRandom(RandomSampler):  # a user's sampler: its own word, not its class, counts
        def is_adaptive(self):
            return True

    space = SearchSpace({"q": [0.1, 0.2]})
    assert CandidateSampler(MyRandom(), space).is_adaptive()
    assert not CandidateSampler(RandomSampler(), space).is_adaptive()
    assert not CandidateSampler(None, space).is_adaptive()  # the grid walk


class PruneBelowAtFirstRung(BasePruner):
    """Decides on the value alone, so the order results arrive in does not matter."""

    def prune(self, study, trial):
        return trial.last_step == 0 and trial.intermediate_values[0] < 0.69

    def decision_steps(self, n_steps):
        return frozenset({0})


def test_rungs_run_on_parallel_workers_as_in_one_process():
    space = {"C": [1e-4, 1e-3, 1e-2, 1.0, 1e-5, 10.0]}
    kwargs = dict(sampler="grid", n_iter=None, cv=3, resource="n_samples", random_state=0,
                  min_resources=8, pruner=PruneBelowAtFirstRung())
    one = HPOSearchCV(LogisticRegression(), space, **kwargs).fit(X, y).cv_results_
    two = HPOSearchCV(LogisticRegression(), space, n_jobs=2, **kwargs).fit(X, y).cv_results_
    assert 0 < one["iter"].sum() < 2 * len(one["iter"])  # some pruned at the cheap rung
    for key in ("iter", "n_resources", "split0_test_score", "mean_test_score"):
        np.testing.assert_array_equal(one[key], two[key])


def test_n_samples_with_splits_given_as_lists():
    splits = [(train.tolist(), test.tolist()) for train, test in StratifiedKFold(3).split(X, y)]
    search = HPOSearchCV(LogisticRegression(), {"C": [1e-4, 1.0, 1e-5]}, sampler="grid",
                         n_iter=None, cv=splits, resource="n_samples", min_resources=20)
    assert set(search.fit(X, y).cv_results_["n_resources"]) <= {26, 80}


def test_n_samples_rungs_of_a_precomputed_kernel_use_the_subsample_columns():
    from sklearn.svm import SVC

    kernel = X @ X.T
    space = {"C": [1e-4, 1.0, 1e-5, 10.0]}
    kwargs = dict(sampler="grid", n_iter=None, cv=3, resource="n_samples", min_resources=20,
                  pruner="median")
    ours = HPOSearchCV(SVC(kernel="precomputed"), space, **kwargs).fit(kernel, y)
    plain = HPOSearchCV(SVC(kernel="linear"), space, **kwargs).fit(X, y)
    for a, b in zip(ours.study_.trials, plain.study_.trials):
        assert 0 in a.intermediate_values  # the cheap rung on 26 rows of each fold
        assert a.intermediate_values == pytest.approx(b.intermediate_values)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               plain.cv_results_["mean_test_score"])


def _data(n):
    """``splits`` and ``y`` of ``n`` rows in 3:1 classes, 5 stratified folds."""
    yi = np.r_[np.zeros(3 * n // 4, int), np.ones(n - 3 * n // 4, int)]
    return dict(splits=list(StratifiedKFold(5).split(np.zeros((n, 1)), yi)), y=yi)


def _plan(**kwargs):
    data = _data(1200)  # 960 rows per training fold
    splits, yi = data["splits"], data["y"]
    args = dict(resource="auto", min_resources="auto", max_resources="auto", factor=3,
                estimator=Recorder(), searched={"q"}, splits=splits, y=yi, groups=None,
                classifier=True, seed=0, n_candidates=40, halving=True)
    return make_resource_plan(**{**args, **kwargs}), splits, yi


def test_auto_budgets_follow_n_iter_as_halvings_exhaust():
    big = _data(13500)  # 10800 rows per training fold
    plan, _, _ = _plan(**big)
    assert plan.resource == "n_samples" and plan.budgets == [400, 1200, 3600, 10800]
    assert _plan(n_candidates=10, **big)[0].budgets == [1200, 3600, 10800]  # 10 -> 4 -> 2


@pytest.mark.parametrize("resource", ["auto", "n_samples"])
def test_auto_min_resources_trains_cheap_rungs_on_at_least_min_rung_rows(resource):
    # 960 rows per fold: 960 // 27 = 35 is raised to the floor and the levels spread above it
    plan, _, _ = _plan(resource=resource)
    assert MIN_RUNG_ROWS == 200 and plan.budgets == [200, 438, 960]
    assert _plan(resource=resource, n_candidates=2000)[0].budgets[0] == MIN_RUNG_ROWS
    # folds under factor x 200 rows: "auto" halves across folds, "n_samples" keeps the
    # smaller rungs
    small = _plan(resource=resource, **_data(740))[0]  # 592 rows per training fold
    if resource == "auto":
        assert small.resource == "folds" and small.budgets == [None]
    else:
        assert small.resource == "n_samples" and small.budgets == [21, 65, 197, 592]
    assert _plan(resource=resource, **_data(750))[0].budgets == [200, 346, 600]
    # "smallest" and an int go below the floor
    assert _plan(resource="n_samples", min_resources="smallest")[0].budgets[0] == 20
    assert _plan(resource="n_samples", min_resources=50)[0].budgets[0] == 106


def test_smallest_spreads_the_levels_from_the_smallest_rung():
    plan, _, _ = _plan(min_resources="smallest")
    assert plan.resource == "n_samples" and plan.budgets == [20, 72, 264, 960]
    assert _plan(min_resources="smallest", n_candidates=10)[0].budgets == [20, 138, 960]
    # 2000 candidates want 7 levels: spread with ratios under factor (at least sqrt(3))
    budgets = _plan(n_candidates=2000, min_resources="smallest")[0].budgets
    ratios = np.diff(np.log(budgets))
    assert len(budgets) == 7 and budgets[0] == 20 and budgets[-1] == 960
    assert np.all(ratios >= np.log(np.sqrt(3)) - 0.01) and np.all(ratios < np.log(3))


@pytest.mark.parametrize("kwargs", [
    dict(halving=False),  # pruner=None, "median", a user's pruner without a halving rate
    dict(n_candidates=3),  # nothing to halve over budgets
    dict(min_resources=10),  # budgets given: the user meant a resource
    dict(splits=list(StratifiedKFold(5).split(np.zeros((40, 1)), np.r_[[0] * 20, [1] * 20])),
         y=np.r_[[0] * 20, [1] * 20]),  # 32 rows per fold: no room below the floor of 20
])
def test_auto_falls_back_to_folds(kwargs):
    assert _plan(**kwargs)[0].resource == "folds"


def test_cheap_rungs_fit_the_first_fold_when_its_test_fold_is_large_enough():
    plan, splits, _ = _plan()  # test folds of 240 rows
    assert [step.folds for step in plan.steps(cheap_rungs=True)] == [
        (0,), (0,), (0,), (1,), (2,), (3,), (4,)
    ]
    train = splits[1][0]  # a fold no cheap rung fits: never subsampled
    assert np.array_equal(plan.fold_inputs({}, 0, 1)[1], train)
    small = list(StratifiedKFold(5).split(np.zeros((600, 1)), np.r_[[0] * 450, [1] * 150]))
    assert cheap_rung_folds(small) == 2  # 120 test rows per fold: 2 folds score 240
    assert cheap_rung_folds(small[:1]) == 1


def test_the_default_search_halves_over_subsamples_and_keeps_the_best_on_all_folds():
    Xb, yb = make_classification(n_samples=1800, n_features=5, n_informative=3, random_state=0)
    search = HPOSearchCV(LogisticRegression(), {"C": loguniform(1e-4, 1e2)}, n_iter=12,
                         cv=3, sampler="random", random_state=0).fit(Xb, yb)
    res = search.cv_results_
    assert {"iter", "n_resources", "n_splits_run", "state"} <= set(res)
    top = res["n_resources"].max()
    assert top == 1200 and res["iter"].max() == 2  # 12 -> 4 -> 2 candidates: 3 levels
    assert res["n_resources"].min() == MIN_RUNG_ROWS
    complete = res["state"] == "COMPLETE"
    assert np.all(res["n_resources"][complete] == top) and complete.sum() <= 4
    assert res["state"][search.best_index_] == "COMPLETE"
    assert np.all(np.isnan(res["mean_test_score"][~complete]))
