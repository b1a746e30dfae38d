"""Pruning across CV folds: segments, reported values, pruned rows in cv_results_."""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV
from sk_hpo.model_selection._pruning import PruningPlan, make_pruning_plan
from sk_hpo.pruners import (
    BasePruner,
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    SuccessiveHalvingPruner,
    WilcoxonPruner,
)

X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
GRID = {"C": [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]}


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


class PruneOddAtFirstFold(BasePruner):
    """Prunes odd-numbered trials at step 0 and records every call."""

    def __init__(self):
        self.calls = []

    def prune(self, study, trial):
        self.calls.append((trial.number, trial.last_step))
        return trial.number % 2 == 1 and trial.last_step == 0


def test_pruned_candidates_have_nan_skipped_folds_and_never_win():
    search = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=PruneOddAtFirstFold(),
                         cv=4).fit(X, y)
    res = search.cv_results_
    pruned = np.arange(6) % 2 == 1
    assert res["state"].tolist() == ["PRUNED" if p else "COMPLETE" for p in pruned]
    assert res["n_splits_run"].tolist() == [1 if p else 4 for p in pruned]
    assert res["trial_number"].tolist() == list(range(6))
    assert np.all(np.isfinite(res["split0_test_score"]))
    for j in (1, 2, 3):
        assert np.all(np.isnan(res[f"split{j}_test_score"][pruned]))
    assert np.all(np.isnan(res["mean_test_score"][pruned]))
    assert np.all(np.isnan(res["std_test_score"][pruned]))
    assert np.all(np.isfinite(res["mean_fit_time"]))
    assert np.all(res["rank_test_score"][pruned] > res["rank_test_score"][~pruned].max())
    assert not pruned[search.best_index_]
    assert res["rank_test_score"].dtype == np.int32
    study = search.study_
    assert [t.state.name for t in study.trials] == res["state"].tolist()


def test_reported_values_are_running_means_of_the_folds_in_order():
    search = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=PruneOddAtFirstFold(),
                         cv=4).fit(X, y)
    res = search.cv_results_
    for i, trial in enumerate(search.study_.trials):
        folds = [res[f"split{j}_test_score"][i] for j in range(res["n_splits_run"][i])]
        expected = {k: np.mean(folds[: k + 1]) for k in range(len(folds))}
        assert trial.intermediate_values == pytest.approx(expected)
        if trial.state.name == "COMPLETE":
            assert trial.value == pytest.approx(res["mean_test_score"][i])


def test_unpruned_candidates_match_grid_search_and_extra_columns_only_with_a_pruner():
    ours = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=PruneOddAtFirstFold(),
                       cv=3).fit(X, y)
    theirs = GridSearchCV(SVC(), GRID, cv=3).fit(X, y)
    keep = ours.cv_results_["state"] == "COMPLETE"
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"][keep], theirs.cv_results_["mean_test_score"][keep]
    )
    assert set(ours.cv_results_) - set(theirs.cv_results_) == {
        "n_splits_run", "state", "trial_number"}
    plain = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=NopPruner(), cv=3)
    assert set(plain.fit(X, y).cv_results_) == set(theirs.cv_results_)


def test_the_pruner_is_asked_once_per_fold_and_never_after_the_last():
    pruner = PruneOddAtFirstFold()
    search = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=pruner, cv=3)
    search.fit(X, y)
    calls = search.study_.pruner.calls
    assert all(step in (0, 1) for _, step in calls)
    assert {(n, s) for n, s in calls if n % 2 == 0} == {(n, s) for n in (0, 2, 4) for s in (0, 1)}


def test_sha_rungs_cut_the_folds_into_segments():
    plan = make_pruning_plan(SuccessiveHalvingPruner(1, 2, 0), n_steps=5)
    assert plan.decision_steps == frozenset({0, 1, 3})
    assert make_pruning_plan("sha", 5).decision_steps == frozenset({0, 2})
    assert make_pruning_plan("hyperband", 5).decision_steps == frozenset({0, 2})
    assert make_pruning_plan("sha", 9, factor=2).decision_steps == frozenset({0, 1, 3, 7})
    assert make_pruning_plan(SuccessiveHalvingPruner(2, 2, 0), 5).decision_steps == {1, 3}
    ends = plan.segment_ends(range(5))
    assert [ends[s] for s in (0, 1, 2, 4)] == [0, 1, 3, 4]
    plan = make_pruning_plan(SuccessiveHalvingPruner(1, 3, 0), n_steps=5)
    assert plan.decision_steps == frozenset({0, 2})
    assert [plan.segment_ends(range(5))[s] for s in (0, 1, 3)] == [0, 2, 4]
    every = make_pruning_plan(PruneOddAtFirstFold(), n_steps=5)
    assert every.decision_steps is None and every.segment_ends(range(5))[2] == 2
    off = make_pruning_plan(None, n_steps=5)
    assert not off.active and off.segment_ends(range(5))[0] == 4
    never = make_pruning_plan(NopPruner(), n_steps=5)
    assert not never.active and never.decision_steps == frozenset()


class PruneAllButFirstAtStep(BasePruner):
    """A user's pruner that states its one rung (step 2) and wants per-fold values."""

    def __init__(self, step=2):
        self.step = step
        self.calls = []

    def prune(self, study, trial):
        self.calls.append((trial.number, trial.last_step))
        return trial.number > 0

    def decision_steps(self, n_steps):
        return frozenset({self.step})

    def per_step_values(self):
        return True


def test_a_users_pruner_states_its_rungs_and_values_through_the_hooks():
    pruner = PruneAllButFirstAtStep(step=2)
    search = HPOSearchCV(SVC(), GRID, sampler="grid", n_iter=None, pruner=pruner, cv=5)
    search.fit(X, y)
    res = search.cv_results_
    assert res["n_splits_run"].tolist() == [5] + [3] * 5  # folds 0-2 in one segment
    assert {s for _, s in search.study_.pruner.calls} == {2}  # asked only at its rung
    for i, trial in enumerate(search.study_.trials):  # per-fold values, not running means
        for step, value in trial.intermediate_values.items():
            assert value == pytest.approx(res[f"split{step}_test_score"][i])


def test_instances_are_copied_and_string_pruners_have_a_startup():
    pruner = PruneOddAtFirstFold()
    plan = make_pruning_plan(pruner, 3)
    assert plan.pruner is not pruner and plan.n_startup == 0
    assert isinstance(plan, PruningPlan)


def test_pruning_compares_on_the_refit_metric():
    class PruneBelow(BasePruner):
        def prune(self, study, trial):
            return trial.intermediate_values[trial.last_step] < 0.9

    search = HPOSearchCV(
        LogisticRegression(), {"C": loguniform(1e-4, 1e2)}, n_iter=8, cv=3, pruner=PruneBelow(),
        scoring={"acc": "accuracy", "neg": "neg_log_loss"}, refit="acc", sampler="random",
        random_state=0,
    ).fit(X, y)
    res = search.cv_results_
    first = res["split0_test_acc"]
    assert np.all((res["n_splits_run"] == 1) == (first < 0.9))
    assert np.all(res["state"][first < 0.9] == "PRUNED")


@pytest.mark.parametrize("pruner", ["sha", "median", "hyperband", "wilcoxon"])
def test_string_pruners(pruner):
    space = {"C": loguniform(1e-4, 1e3), "gamma": loguniform(1e-4, 1e2)}
    search = HPOSearchCV(SVC(), space, n_iter=16, cv=5, pruner=pruner, random_state=0)
    search.fit(X, y)
    res = search.cv_results_
    assert set(res["state"]) <= {"COMPLETE", "PRUNED"}
    assert (res["state"] == "PRUNED").any()
    assert res["state"][search.best_index_] == "COMPLETE"
    assert res["n_splits_run"].sum() < 16 * 5
    expected = {"sha": SuccessiveHalvingPruner, "median": MedianPruner,
                "hyperband": HyperbandPruner, "wilcoxon": WilcoxonPruner}[pruner]
    assert isinstance(search.study_.pruner, expected)


class ScoreIsQ(BaseEstimator, ClassifierMixin):
    """Scores q on every fold."""

    def __init__(self, q=0.5):
        self.q = q

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def score(self, X, y):
        return self.q


def test_halving_pauses_candidates_and_keeps_its_quota_at_each_rung():
    # 7 candidates, rungs after 1 and 3 folds: ceil(7/3) = 3 go on to 3 folds, 1 to 5 folds
    pruner = SuccessiveHalvingPruner(1, 3, 0)
    kwargs = dict(sampler="grid", n_iter=None, cv=5, pruner=pruner, resource="folds")
    worse = HPOSearchCV(ScoreIsQ(), {"q": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]}, **kwargs)
    assert worse.fit(X, y).cv_results_["n_splits_run"].tolist() == [5, 3, 3, 1, 1, 1, 1]
    # better and better: the first candidates wait instead of going on unopposed, and are
    # pruned once enough better ones came; the early promotions (asynchronous halving)
    # count in the quota, so no more than 3 reach 3 folds and 1 reaches 5 folds, and the
    # late, better candidates find the quota full
    better = HPOSearchCV(ScoreIsQ(), {"q": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}, **kwargs)
    res = better.fit(X, y).cv_results_
    assert res["n_splits_run"].tolist() == [1, 1, 3, 3, 5, 1, 1]
    assert better.best_params_ == {"q": 0.7}


@pytest.mark.parametrize("n_samples, runs", [
    (60, [5, 5, 5, 2, 2, 2, 2]), (1000, [5, 3, 3, 1, 1, 1, 1])])
def test_sha_waits_for_a_second_fold_when_test_folds_are_small(n_samples, runs):
    # 12-row test folds score too few rows to rank on one fold: the first rung of "sha"
    # comes after 2 folds (ceil(7/3) = 3 go on), as HPOSearchCV.pruner says; 200-row test
    # folds keep the rungs after 1 and 3 folds
    X_, y_ = make_classification(n_samples=n_samples, n_features=5, random_state=0)
    search = HPOSearchCV(ScoreIsQ(), {"q": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]},
                         sampler="grid", n_iter=None, cv=5, resource="folds").fit(X_, y_)
    assert search.cv_results_["n_splits_run"].tolist() == runs


def test_a_pruner_without_halving_rate_decides_as_each_candidate_reports():
    grid = {"q": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}
    search = HPOSearchCV(ScoreIsQ(), grid, sampler="grid", n_iter=None, cv=5,
                         pruner=MedianPruner(n_startup_trials=1, n_warmup_steps=0))
    assert search.fit(X, y).cv_results_["n_splits_run"].tolist() == [5] * 7


def test_wilcoxon_pairs_per_fold_scores():
    search = HPOSearchCV(SVC(), {"C": loguniform(1e-4, 1e3)}, n_iter=6, cv=4,
                         pruner="wilcoxon", random_state=0).fit(X, y)
    res = search.cv_results_
    for i, trial in enumerate(search.study_.trials):
        for step, value in trial.intermediate_values.items():
            assert value == pytest.approx(res[f"split{step}_test_score"][i])


def test_default_search_is_tpe_with_successive_halving():
    search = HPOSearchCV(SVC(), {"C": loguniform(1e-4, 1e3)}, n_iter=4, cv=3, random_state=0)
    search.fit(X, y)
    assert type(search.study_.sampler.base).__name__ == "TPESampler"
    assert isinstance(search.study_.pruner, SuccessiveHalvingPruner)
    assert search.study_.pruner.reduction_factor == 3
    assert {"n_splits_run", "state", "trial_number"} <= set(search.cv_results_)
