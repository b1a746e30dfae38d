"""Shared studies: continuing a search, refusing a different one, pooling processes."""

import contextlib
import sqlite3
import time

import joblib
import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.svm import SVC

import sk_hpo
from threadpoolctl import threadpool_limits
from sk_hpo import HPOSearchCV
from sk_hpo.model_selection._context import CONTEXT_KEY
from sk_hpo.storages import InMemoryStorage

X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
SPACE = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)}


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


def search(storage, **kwargs):
    params = dict(n_iter=4, cv=3, pruner=None, random_state=0, storage=storage,
                  study_name="shared")
    params.update(kwargs)
    return HPOSearchCV(SVC(), SPACE, **params)


def test_a_later_fit_continues_the_study():
    storage = InMemoryStorage()
    first = search(storage).fit(X, y)
    second = search(storage, random_state=1).fit(X, y)
    assert len(first.cv_results_["params"]) == 4
    assert len(second.cv_results_["params"]) == 8
    assert second.cv_results_["params"][:4] == first.cv_results_["params"]
    np.testing.assert_array_equal(
        second.cv_results_["mean_test_score"][:4], first.cv_results_["mean_test_score"]
    )
    assert second.best_score_ >= first.best_score_
    assert len(second.study_.trials) == 8
    assert CONTEXT_KEY in second.study_.system_attrs


def test_a_finished_grid_is_not_evaluated_again():
    storage = InMemoryStorage()
    grid = {"C": [0.1, 1.0, 10.0]}
    kwargs = dict(sampler="grid", n_iter=2, pruner=None, cv=3, storage=storage, study_name="g")
    first = HPOSearchCV(LogisticRegression(), grid, **kwargs).fit(X, y)
    assert [p["C"] for p in first.cv_results_["params"]] == [0.1, 1.0]
    second = HPOSearchCV(LogisticRegression(), grid, **{**kwargs, "n_iter": None}).fit(X, y)
    assert [p["C"] for p in second.cv_results_["params"]] == [0.1, 1.0, 10.0]
    third = HPOSearchCV(LogisticRegression(), grid, **{**kwargs, "n_iter": None}).fit(X, y)
    assert len(third.cv_results_["params"]) == 3 and len(third.study_.trials) == 3


@pytest.mark.parametrize(
    "change, field",
    [
        (dict(estimator=SVC(kernel="linear")), "estimator"),
        (dict(param_distributions={"C": loguniform(1e-2, 1e2)}), "param_distributions"),
        (dict(scoring="balanced_accuracy"), "scoring"),
        (dict(cv=4), "n_splits"),
        (dict(cv=KFold(3, shuffle=True, random_state=0)), "splits"),
        (dict(data=(X[:, ::-1], y)), "data"),
    ],
)
def test_a_different_search_on_the_study_is_refused(change, field):
    storage = InMemoryStorage()
    search(storage).fit(X, y)
    data = change.pop("data", (X, y))
    kwargs = dict(n_iter=2, cv=3, pruner=None, storage=storage, study_name="shared")
    kwargs.update(change)
    estimator = kwargs.pop("estimator", SVC())
    space = kwargs.pop("param_distributions", SPACE)
    with pytest.raises(ValueError, match=f"made by a different search(.|\n)*- {field}:"):
        HPOSearchCV(estimator, space, **kwargs).fit(*data)


def test_a_study_not_made_by_hpo_search_is_refused():
    storage = InMemoryStorage()
    study = sk_hpo.create_study(storage=storage, study_name="shared", direction="maximize",
                                pruner=sk_hpo.pruners.NopPruner())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(ValueError, match="HPOSearchCV did not make"):
        search(storage).fit(X, y)


def test_two_threads_on_one_study_pool_their_trials():
    import threading

    storage = InMemoryStorage()
    grid = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0], "fit_intercept": [True, False]}
    searches = [
        HPOSearchCV(LogisticRegression(), grid, sampler=sampler, n_iter=None, pruner=None, cv=3,
                    storage=storage, study_name="pool", random_state=i)
        for i, sampler in enumerate(["grid", "random"])
    ]
    threads = [threading.Thread(target=s.fit, args=(X, y)) for s in searches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    study = sk_hpo.load_study(study_name="pool", storage=storage)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    evaluated = [(t.params["C"], t.params["fit_intercept"]) for t in complete]
    assert len(evaluated) == len(set(evaluated)) == 12  # the grid, each candidate once
    results = [s.cv_results_ for s in searches if hasattr(s, "cv_results_")]
    assert len(results) == 2 and max(len(r["params"]) for r in results) == 12


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """The URL of a persistent storage several processes can share."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgresql_url")
    return f"sqlite:///{tmp_path / 'search.db'}"


def test_persistent_study_persists_and_continues(url):
    first = search(url).fit(X, y)
    second = search(url, random_state=1).fit(X, y)
    assert len(second.cv_results_["params"]) == 8
    assert second.cv_results_["params"][:4] == first.cv_results_["params"]
    study = sk_hpo.load_study(study_name="shared", storage=url)
    assert len(study.trials) == 8
    other = HPOSearchCV(SVC(kernel="linear"), SPACE, n_iter=2, cv=3, storage=url,
                        study_name="shared")
    with pytest.raises(ValueError, match="made by a different search"):
        other.fit(X, y)


_POOL_SCRIPT = """
import sys
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sk_hpo import HPOSearchCV
X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
grid = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0], "fit_intercept": [True, False]}
search = HPOSearchCV(LogisticRegression(), grid, sampler="grid", n_iter=None, pruner=None,
                     cv=3, storage=sys.argv[1], study_name="pool")
search.fit(X, y)
print(len(search.cv_results_["params"]))
"""


def test_two_processes_pool_their_trials(tmp_path, url):
    import subprocess
    import sys

    script = tmp_path / "pool.py"
    script.write_text(_POOL_SCRIPT)
    procs = [
        subprocess.Popen([sys.executable, str(script), url], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    study = sk_hpo.load_study(study_name="pool", storage=url)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    evaluated = [(t.params["C"], t.params["fit_intercept"]) for t in complete]
    assert len(evaluated) == len(set(evaluated)) == 12  # the grid, each candidate once
    assert all(int(out.strip()) >= 1 for out in outputs)


def age_heartbeats(url, seconds=3600.0):
    """Make the heartbeats of the RUNNING trials in ``url`` ``seconds`` older."""
    with contextlib.closing(sqlite3.connect(url[len("sqlite:///"):])) as conn, conn:
        conn.execute("UPDATE trials SET heartbeat = heartbeat - ? WHERE state = ?",
                     (seconds, sk_hpo.trial.TrialState.RUNNING.value))


class _StallsOnce(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; with ``c == 2`` its first fit stalls so long that another
    process sharing the study (simulated here) fails its trial as stale."""

    stalled = False

    def __init__(self, c=1, url=None):
        self.c = c
        self.url = url

    def fit(self, X, y):
        if self.c == 2 and not _StallsOnce.stalled:
            _StallsOnce.stalled = True
            age_heartbeats(self.url)  # as if this process hung for an hour
            study = sk_hpo.load_study(study_name="s", storage=self.url)
            study.tell(study.ask(), state=sk_hpo.trial.TrialState.FAIL)  # its ask fails ours
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


@pytest.mark.parametrize("pruner, n_jobs", [("sha", 1), (None, 1), ("sha", 2)])
def test_candidate_failed_as_stale_by_another_process_is_dropped(tmp_path, pruner, n_jobs):
    url = f"sqlite:///{tmp_path / 's.db'}"
    storage = sk_hpo.storages.SQLiteStorage(url, heartbeat_interval=60.0)
    _StallsOnce.stalled = False
    est = _StallsOnce(url=url)
    X, y = make_classification(n_samples=30, random_state=0)
    search = HPOSearchCV(
        est, {"c": [1, 2, 3]}, sampler="grid", n_iter=None, pruner=pruner, cv=3,
        storage=storage, study_name="s", n_jobs=n_jobs,
    )
    with joblib.parallel_backend("threading"), pytest.warns(
        RuntimeWarning, match="marked FAIL by another process"
    ):
        search.fit(X, y)
    # c=2 is evaluated again by a later trial (the stale one gave its claim back), once
    assert sorted(p["c"] for p in search.cv_results_["params"]) == [1, 2, 3]
    stale = [t for t in search.study_.trials if t.params.get("c") == 2]
    # evaluated again: to the end without a pruner; halving (3 tied candidates) may prune it
    assert [t.state.name for t in stale][0] == "FAIL" and len(stale) == 2
    assert stale[1].state.name == "COMPLETE" if pruner is None else stale[1].state.is_finished()
    complete = search.cv_results_["state"] == "COMPLETE" if pruner else slice(None)
    assert np.isfinite(search.cv_results_["mean_test_score"][complete]).all()


class _RaisesOnce(BaseEstimator, ClassifierMixin):
    """Raises ``error`` in its first fit with c=2 (a Ctrl-C, or a bug the user then fixes)."""

    raised = False

    def __init__(self, c=1, error=KeyboardInterrupt):
        self.c = c
        self.error = error

    def fit(self, X, y):
        if self.c == 2 and not _RaisesOnce.raised:
            _RaisesOnce.raised = True
            raise self.error("stop")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize("error, n_jobs", [(KeyboardInterrupt, 1), (ValueError, 1),
                                           (ValueError, 2)])
def test_candidates_of_an_aborted_fit_are_evaluated_when_the_study_continues(error, n_jobs):
    storage = InMemoryStorage()
    _RaisesOnce.raised = False
    kwargs = dict(sampler="grid", n_iter=None, pruner=None, cv=3, storage=storage,
                  study_name="s", n_jobs=n_jobs, error_score="raise")
    space = {"c": [1, 2, 3, 4]}
    with joblib.parallel_backend("threading"), pytest.raises(error):
        HPOSearchCV(_RaisesOnce(error=error), space, **kwargs).fit(X, y)
    with joblib.parallel_backend("threading"):
        search = HPOSearchCV(_RaisesOnce(error=error), space, **kwargs).fit(X, y)
    # the candidate that raised, and any aborted alongside it, are evaluated on the resume
    assert sorted(p["c"] for p in search.cv_results_["params"]) == [1, 2, 3, 4]
    assert [t.state.name for t in search.study_.trials if t.params["c"] == 2] == [
        "FAIL", "COMPLETE"
    ]


@pytest.mark.parametrize("mistake", ["typo", "nan"])
def test_a_study_whose_first_fit_only_failed_accepts_the_corrected_search(url, mistake):
    space = {"C": [0.1, 1.0]}
    bad_space, bad_X = ({"Cc": [0.1, 1.0]}, X) if mistake == "typo" else (space, X.copy())
    if mistake == "nan":
        bad_X[0, 0] = np.nan
    kwargs = dict(sampler="grid", n_iter=None, pruner=None, cv=3, storage=url, study_name="fix")
    with pytest.raises(ValueError):
        HPOSearchCV(LogisticRegression(), bad_space, **kwargs).fit(bad_X, y)
    study = sk_hpo.load_study(study_name="fix", storage=url)
    assert {t.state.name for t in study.trials} == {"FAIL"}
    fixed = HPOSearchCV(LogisticRegression(), space, **kwargs).fit(X, y)
    assert np.isfinite(fixed.best_score_)
    # Once a trial is scored, the study belongs to that search: the mistake is refused now.
    with pytest.raises(ValueError, match="made by a different search"):
        HPOSearchCV(LogisticRegression(), bad_space, **kwargs).fit(bad_X, y)


_CLAIM_RACE = """
import json, multiprocessing, sys
import sk_hpo
from sk_hpo.model_selection._context import check_context
url, rounds = sys.argv[1], int(sys.argv[2])

def claim(barrier, out, which):
    context = {"estimator": which, "param_distributions": {}, "scoring": None,
               "n_splits": 3, "splits": "s", "data": "d"}
    for r in range(rounds):
        study = sk_hpo.create_study(storage=url, study_name=f"r{r}", load_if_exists=True)
        barrier.wait()
        try:
            check_context(study, context, 0)
            out.put([r, which])
        except ValueError:
            out.put([r, None])

ctx = multiprocessing.get_context("fork")
barrier, out = ctx.Barrier(2), ctx.Queue()
procs = [ctx.Process(target=claim, args=(barrier, out, w)) for w in ("SVC", "LogReg")]
for p in procs:
    p.start()
results = [out.get(timeout=60) for _ in range(2 * rounds)]
for p in procs:
    p.join(60)
print(json.dumps(results))
"""


def test_two_different_searches_started_together_never_share_a_study(url):
    import json
    import subprocess
    import sys

    rounds = 15
    done = subprocess.run([sys.executable, "-c", _CLAIM_RACE, url, str(rounds)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    winners = {}
    for r, which in json.loads(done.stdout):
        winners.setdefault(r, []).append(which)
    for r in range(rounds):  # per study: one search claimed it, the other was refused
        assert sorted(winners[r], key=str) == sorted([None, winners[r][0] or winners[r][1]],
                                                     key=str), winners[r]
        stored = sk_hpo.load_study(study_name=f"r{r}", storage=url).system_attrs[CONTEXT_KEY]
        assert stored["estimator"] == next(w for w in winners[r] if w)


def test_claiming_a_study_in_memory_is_atomic_across_threads():
    import threading

    storage = InMemoryStorage()
    study = sk_hpo.create_study(storage=storage, study_name="m")
    sid = study._study_id
    wins = []
    barrier = threading.Barrier(8)

    def claim(i):
        barrier.wait()
        wins.append(storage.compare_and_set_study_system_attr(sid, "k", None, i))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
