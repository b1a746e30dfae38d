"""Asynchronous fold fits on the threading, loky and dask joblib backends."""

import joblib
import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV
from sk_hpo.pruners import BasePruner

X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
GRID = {"C": [0.01, 0.1, 1.0, 10.0], "gamma": [0.01, 0.1]}


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


class PruneBelow(BasePruner):
    def prune(self, study, trial):
        return trial.intermediate_values[trial.last_step] < 0.7


def check_grid_search(search):
    theirs = GridSearchCV(SVC(), GRID, cv=3).fit(X, y)
    assert search.cv_results_["params"] == theirs.cv_results_["params"]
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("pre_dispatch", ["2*n_jobs", 1, "all"])
def test_threading_backend_gives_grid_results(pre_dispatch):
    search = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=None, cv=3, n_jobs=2,
                         pre_dispatch=pre_dispatch)
    with joblib.parallel_backend("threading"):
        check_grid_search(search.fit(X, y))


def test_threading_backend_with_pruning_and_tpe():
    search = HPOSearchCV(SVC(), {"C": loguniform(1e-3, 1e2), "gamma": loguniform(1e-3, 1)},
                         n_iter=16, cv=3, pruner=PruneBelow(), n_jobs=2, random_state=0)
    with joblib.parallel_backend("threading"):
        search.fit(X, y)
    res = search.cv_results_
    assert len(res["params"]) == 16
    assert set(res["state"]) <= {"COMPLETE", "PRUNED"}
    assert np.all(np.isnan(res["mean_test_score"][res["state"] == "PRUNED"]))
    keys = {tuple(sorted(p.items())) for p in res["params"]}
    assert len(keys) == 16
    assert [t.number for t in search.study_.trials] == sorted(res["trial_number"])


def test_loky_backend():
    search = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=PruneBelow(), cv=3,
                         n_jobs=2)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    complete = search.cv_results_["state"] == "COMPLETE"
    theirs = GridSearchCV(SVC(), GRID, cv=3).fit(X, y)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"][complete],
        theirs.cv_results_["mean_test_score"][complete],
    )


def test_dask_backend():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster):
        search = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=None, cv=3)
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
    check_grid_search(search)


def _in_flight_and_finished_at_each_start(trials):
    """For each trial: (trials running, trials finished) when it started."""
    return [
        (
            sum(u.datetime_start < t.datetime_start < u.datetime_complete for u in trials),
            sum(u.datetime_complete < t.datetime_start for u in trials),
        )
        for t in trials
    ]


def test_an_adaptive_sampler_sees_results_even_when_fits_are_fast():
    # Fast fold fits are sent to workers in batches; filling the batches must not propose
    # every candidate before the first result, or TPE would be random search.
    from sklearn.dummy import DummyClassifier

    space = {"strategy": ["most_frequent", "prior", "stratified", "uniform"],
             "random_state": list(range(20))}
    with joblib.parallel_backend("threading", n_jobs=2):
        search = HPOSearchCV(DummyClassifier(), space, sampler="tpe", n_iter=60, cv=5,
                             pruner=None, random_state=0).fit(X, y)
    trials = search.study_.trials
    assert len(trials) == 60
    # 2 workers, pre_dispatch="2*n_jobs": up to 4 in flight, more once more have finished
    for running, finished in _in_flight_and_finished_at_each_start(trials):
        assert running < max(4, finished), (running, finished)


def test_fast_fold_fits_are_batched_by_their_own_budget_level():
    # Cheap-rung fits take 10 ms and are sent 5 at a time; a full-budget fit (200 ms) is not
    # bundled with others on the strength of the cheap fits' time (one worker would run the
    # bundle while the other waits), and a level with no fit done yet is sent alone.
    import heapq

    from sk_hpo.model_selection._scheduler import FoldScheduler

    scheduler = object.__new__(FoldScheduler)
    scheduler.n_workers = 2
    scheduler._level_seconds = {0: 0.01, 1: 0.2}
    scheduler._ready = []
    for seq, (number, level, fold) in enumerate(
        [(0, 1, f) for f in range(3)] + [(1, 0, f) for f in range(7)] + [(2, 2, 0), (2, 2, 1)]
    ):
        heapq.heappush(scheduler._ready, ((number, level, fold), seq, ((number, level, fold),)))
    sizes = []
    while scheduler._ready:
        batch = scheduler._take_batch()
        sizes.append([tag[0][1] for tag in batch])
    assert sizes == [[1], [1], [1], [0] * 5, [0, 0], [2], [2]]
