"""The study behind HPOSearchCV: study_, callbacks, reproducibility, verbose, timeout, routing."""

import re
import time

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV
from sk_hpo.pruners import BasePruner
from sk_hpo.storages import InMemoryStorage
from sk_hpo.trial import TrialState
from sk_hpo.visualization import slice_data

X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
SPACE = {"C": loguniform(1e-3, 1e2), "gamma": loguniform(1e-3, 1e1)}


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


class PruneBelowHalf(BasePruner):
    def prune(self, study, trial):
        return trial.intermediate_values[trial.last_step] < 0.6


def without_times(results):
    return {k: v for k, v in results.items() if "time" not in k}


def assert_results_equal(a, b):
    a, b = without_times(a), without_times(b)
    assert list(a) == list(b)
    for key in a:
        if key == "params":
            assert a[key] == b[key]
        else:
            np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("sampler", ["tpe", "random", "gp", "qmc"])
def test_same_random_state_same_results(sampler):
    kwargs = dict(n_iter=12, cv=3, sampler=sampler, pruner=PruneBelowHalf(), random_state=3)
    first = HPOSearchCV(SVC(), SPACE, **kwargs).fit(X, y)
    second = HPOSearchCV(SVC(), SPACE, **kwargs).fit(X, y)
    assert_results_equal(first.cv_results_, second.cv_results_)
    other = HPOSearchCV(SVC(), SPACE, **{**kwargs, "random_state": 4}).fit(X, y)
    assert other.cv_results_["params"] != first.cv_results_["params"]


def test_study_callbacks_and_trials():
    seen = []
    search = HPOSearchCV(SVC(), SPACE, n_iter=6, cv=3, pruner=PruneBelowHalf(), random_state=0,
                         callbacks=[lambda study, trial: seen.append((study, trial))])
    search.fit(X, y)
    study = search.study_
    assert [t.number for _, t in seen] == list(range(6))
    assert all(s is study for s, _ in seen)
    assert all(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for _, t in seen)
    assert study.direction.name == "MAXIMIZE"
    assert study.best_trial.number == search.cv_results_["trial_number"][search.best_index_]


def test_a_callback_can_stop_the_search():
    def stop_after_two(study, trial):
        if trial.number == 1:
            study.stop()

    search = HPOSearchCV(SVC(), SPACE, n_iter=10, cv=2, pruner=None, random_state=0,
                         callbacks=[stop_after_two]).fit(X, y)
    assert len(search.cv_results_["params"]) == 2


class SlowClassifier(BaseEstimator, ClassifierMixin):
    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        time.sleep(0.02)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_timeout_stops_starting_candidates():
    search = HPOSearchCV(SlowClassifier(), {"C": loguniform(0.1, 1)}, n_iter=50, cv=2,
                         pruner=None, timeout=0.01, scoring="accuracy").fit(X, y)
    assert 1 <= len(search.cv_results_["params"]) < 50


def test_verbose_levels(capsys):
    HPOSearchCV(SVC(), SPACE, n_iter=3, cv=2, pruner=None, random_state=0, verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""
    HPOSearchCV(SVC(), SPACE, n_iter=3, cv=2, pruner=None, random_state=0, verbose=1).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Fitting 2 folds for each of up to 3 candidates")
    assert out[-1].startswith("HPOSearchCV: 3 candidates (3 complete), 6 fold fits")
    HPOSearchCV(SVC(), SPACE, n_iter=3, cv=2, pruner=None, random_state=0, verbose=2).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("[trial ") == 3 and "COMPLETE" in out and "mean 0." in out
    assert "score=" not in out  # GridSearchCV's verbose=3 lines are the only "score=" ones
    HPOSearchCV(SVC(), SPACE, n_iter=3, cv=2, pruner=None, random_state=0, verbose=3).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("[CV 1/2; trial") == 3 and out.count("[CV 2/2; trial") == 3
    assert len(re.findall(r"END .*; score=[\d.]+ total time=", out)) == 6
    HPOSearchCV(SVC(), SPACE, n_iter=1, cv=2, pruner=None, verbose=3,
                return_train_score=True).fit(X, y)
    out = capsys.readouterr().out
    assert len(re.findall(r"score=\(train=[\d.]+, test=[\d.]+\)", out)) == 2


def test_verbose_says_what_a_resumed_search_continues_from(capsys):
    """Issue 14 item 9: at verbose>=1 a resumed search says how many candidates it continues
    from and how many it may add."""
    storage = InMemoryStorage()
    search = HPOSearchCV(SVC(), {"C": [0.1, 1.0, 10.0, 100.0]}, n_iter=3, cv=2, pruner=None,
                         storage=storage, study_name="x", verbose=1)
    search.fit(X, y)
    assert "continuing" not in capsys.readouterr().out
    with pytest.warns(UserWarning, match="has 4 distinct candidates"):
        search.set_params(n_iter=2).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "continuing study 'x': 3 done, up to 1 more"
    with pytest.warns(UserWarning, match="has 4 distinct candidates"):
        search.set_params(verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""


class WeightedConsumer(BaseEstimator, ClassifierMixin):
    """Records the sample_weight it is fitted with (metadata routing)."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y, sample_weight=None):
        self.fit_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_metadata_routing_sends_sample_weight_to_estimator_and_scorer():
    received = []

    def weighted_accuracy(y_true, y_pred, sample_weight=None):
        received.append(None if sample_weight is None else len(sample_weight))
        return accuracy_score(y_true, y_pred, sample_weight=sample_weight)

    w = np.linspace(0.5, 1.5, len(X))
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_scorer(weighted_accuracy).set_score_request(sample_weight=True)
        estimator = WeightedConsumer().set_fit_request(sample_weight=True)
        search = HPOSearchCV(estimator, {"C": [1.0, 2.0]}, sampler="grid", n_iter=None,
                             pruner=None, cv=3, scoring=scorer)
        search.fit(X, y, sample_weight=w)
        assert len(search.best_estimator_.fit_weight_) == len(X)
        assert received and all(n == 20 for n in received)
        received.clear()
        search.score(X, y, sample_weight=w)
        assert received == [len(X)]
        unrequested = HPOSearchCV(WeightedConsumer(), {"C": [1.0]}, cv=3, pruner=None)
        with pytest.raises(ValueError, match="sample_weight"):
            unrequested.fit(X, y, sample_weight=w)


def test_without_routing_sample_weight_goes_to_fit_and_accepting_scorers():
    w = np.ones(len(X))
    search = HPOSearchCV(WeightedConsumer(), {"C": [1.0]}, sampler="grid", n_iter=None,
                         pruner=None, cv=3, scoring="accuracy").fit(X, y, sample_weight=w)
    assert len(search.best_estimator_.fit_weight_) == len(X)
    with pytest.warns(UserWarning, match=r"The scoring <function .* does not support "
                      r"sample_weight, which may lead to statistically incorrect results"):
        HPOSearchCV(WeightedConsumer(), {"C": [1.0]}, sampler="grid", n_iter=None, pruner=None,
                    cv=3, scoring=lambda est, X_, y_: 0.5).fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match=r"Passing extra keyword arguments to "
                       r"HPOSearchCV.score is only supported if enable_metadata_routing=True"):
        search.score(X, y, sample_weight=w)


def test_the_study_shows_list_values_not_positions():
    """Issue 14 item 3: with ``{"C": [0.1, 1.0, 10.0]}`` the study held positions (0, 1, 2):
    best_params, trials_dataframe() and the plots showed them. It holds the values now."""
    space = {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"], "degree": [1, 2]}
    search = HPOSearchCV(SVC(), space, sampler="grid", n_iter=None, pruner=None, cv=2).fit(X, y)
    study = search.study_
    assert [t.params for t in study.trials] == search.cv_results_["params"]
    assert study.best_params in search.cv_results_["params"]
    assert study.best_params["C"] in (0.1, 1.0, 10.0)
    frame = study.trials_dataframe()
    assert frame["params_C"].tolist() == [p["C"] for p in search.cv_results_["params"]]
    assert slice_data(study).domains["C"].labels == ("0.1", "1.0", "10.0")
    assert study.trials[0].distributions["C"].ordered  # TPE and GP may use the order
