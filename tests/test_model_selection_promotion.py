"""Successive halving with pause: the promotion rules and HPOSearchCV running them."""

import math

import numpy as np
import pytest
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV
from sk_hpo.model_selection._promotion import Decision, Promotion, make_promotion
from sk_hpo.model_selection._pruning import halving_rate, make_pruning_plan
from sk_hpo.pruners import BasePruner, HyperbandPruner, MedianPruner, SuccessiveHalvingPruner
from tests.test_model_selection_pruning import ScoreIsQ

X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(1):
        yield


def test_quotas_follow_synchronous_halving():
    assert Promotion(3, [0, 2, 8], 40).quotas == [14, 5, 2]
    assert Promotion(2, [0, 1], 5).quotas == [3, 2]
    assert Promotion(3, [0, 2], None).quotas == [math.inf, math.inf]


def test_nobody_goes_on_unopposed_and_the_hopeless_are_pruned_at_once():
    p = Promotion(3, [0], n_candidates=9)  # q_0 = 3
    assert p.add(0, 0, 0.9) == Decision()  # alone: waits
    assert p.add(1, 0, 0.1) == Decision()
    assert p.add(2, 0, 0.5) == Decision(promote=[0])  # n_0 = 3: top 1 goes on
    assert p.add(3, 0, 0.2) == Decision(prune=[1])  # 1 is 4th: never in the top 3
    assert p.add(4, 0, 0.3) == Decision(prune=[3])
    assert p.n_parked == 2  # 2 and 4
    assert p.add(5, 0, 0.8) == Decision(promote=[5], prune=[4])
    # 6 of 9 came (the search stopped early): the top ceil(6/3) = 2 are 0 and 5
    assert p.drain() == Decision(prune=[2])
    assert p.n_parked == 0 and p.drain() == Decision()


def test_early_promotions_count_in_the_quota():
    p = Promotion(3, [0], n_candidates=9)  # q_0 = 3
    promoted = []
    for n in range(9):  # better and better: each newcomer ranks first
        decision = p.add(n, 0, n / 10)
        promoted += decision.promote
    promoted += p.drain().promote
    assert promoted == [2, 3, 4]  # no more than q_0, though 5 to 8 rank above them
    assert p.n_parked == 0


def test_drain_fills_only_the_places_left_best_first():
    p = Promotion(3, [0], n_candidates=12)  # q_0 = 4; the search stops after 5
    decisions = [p.add(n, 0, v) for n, v in enumerate([0.3, 0.1, 0.2, 0.9, 0.8])]
    assert [d.promote for d in decisions] == [[], [], [0], [3], []]
    # the quota of 5 is ceil(5/3) = 2, filled by 0 and 3 though 4 now ranks above 0
    assert p.drain() == Decision(prune=[4, 2])
    p = Promotion(3, [0], n_candidates=12)
    decisions = [p.add(n, 0, v) for n, v in enumerate([0.4, 0.3, 0.6, 0.2])]
    assert p.drain() == Decision(promote=[0], prune=[1, 3])  # one place left: the best


def test_drain_goes_rung_by_rung_and_nan_ranks_last():
    p = Promotion(2, [0, 1], n_candidates=4)  # q = [2, 1]
    assert p.add(0, 0, 0.5) == Decision()
    assert p.add(1, 0, float("nan")) == Decision(promote=[0])
    assert p.add(0, 1, 0.7) == Decision()  # alone at rung 1
    assert p.drain() == Decision(prune=[1])  # rung 0 first: NaN ranks last
    assert p.drain() == Decision(promote=[0])  # then rung 1


def test_all_nan_rung_still_sends_its_share_on():
    p = Promotion(3, [0], n_candidates=3)
    decisions = [p.add(n, 0, float("nan")) for n in range(3)]
    assert decisions[-1].promote == [0]


def test_the_halving_rate_is_asked_through_the_pruner_interface():
    class MyHalving(BasePruner):  # a user's pruner: its word, not its class, counts
        def prune(self, study, trial):
            return False

        def decision_steps(self, n_steps):
            return frozenset({0})

        def halving_rate(self):
            return 2

    assert BasePruner.halving_rate(MyHalving()) is None  # the base default
    assert halving_rate(MyHalving()) == 2 and halving_rate("sha", 4) == 4
    assert halving_rate(SuccessiveHalvingPruner(min_resource="auto")) is None
    assert halving_rate(HyperbandPruner()) is None and halving_rate("hyperband") is None
    assert make_pruning_plan(MyHalving(), 5).halving_rate == 2
    assert make_pruning_plan(MedianPruner(), 5).halving_rate is None
    assert make_promotion(make_pruning_plan(MyHalving(), 5), range(5), 8).rung_of == {0: 0}
    assert make_promotion(make_pruning_plan(None, 5), range(5), 8) is None


def test_a_users_halving_pruner_gets_the_pause():
    class MyHalving(BasePruner):
        def prune(self, study, trial):
            raise AssertionError("not asked: the search decides promotions")

        def decision_steps(self, n_steps):
            return frozenset({0})

        def halving_rate(self):
            return 2

    grid = {"q": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]}  # better and better
    search = HPOSearchCV(ScoreIsQ(), grid, sampler="grid", n_iter=None, cv=3,
                         pruner=MyHalving(), resource="folds").fit(X, y)
    res = search.cv_results_
    assert res["state"].tolist().count("COMPLETE") == 4  # the quota ceil(8 / 2)
    assert res["state"][0] == "PRUNED"  # the first one waited, and lost
    # 0.2 .. 0.5 went on early (asynchronous rule) and fill the quota: the later, better
    # ones are pruned (the price of a kept quota on an adversarial, improving order)
    assert search.best_params_ == {"q": 0.5}


def test_stopping_the_study_prunes_the_waiting_candidates():
    def stop_after_three(study, trial):
        if len(study.trials) >= 3:
            study.stop()

    grid = {"q": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}
    search = HPOSearchCV(ScoreIsQ(), grid, sampler="grid", n_iter=None, cv=5,
                         resource="folds", callbacks=[stop_after_three]).fit(X, y)
    states = set(search.cv_results_["state"])
    assert "RUNNING" not in states and states <= {"COMPLETE", "PRUNED"}
    assert all(t.state.is_finished() for t in search.study_.trials)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_pruned_candidates_are_never_best_and_none_is_left_running(n_jobs):
    rng = np.random.RandomState(0)
    grid = {"q": list(rng.permutation(np.linspace(0.1, 0.9, 20)))}
    search = HPOSearchCV(ScoreIsQ(), grid, sampler="grid", n_iter=None, cv=5, n_jobs=n_jobs,
                         resource="folds").fit(X, y)
    res = search.cv_results_
    assert res["state"][search.best_index_] == "COMPLETE"
    assert search.best_params_["q"] == pytest.approx(0.9)
    assert np.all(np.isnan(res["mean_test_score"][res["state"] == "PRUNED"]))
    assert all(t.state.is_finished() for t in search.study_.trials)
    # 20 candidates, rungs after 1 and 3 folds: 7 reach fold 2, at most a few all 5 folds
    assert (res["n_splits_run"] >= 3).sum() < 10


def test_cheap_rungs_keep_half():
    assert Promotion(3, [0, 2, 8], 40, cheap_steps=[0, 2]).quotas == [20, 10, 4]
    assert Promotion(2, [0, 1], 40, cheap_steps=[0]).quotas == [20, 10]  # never above eta
    p = Promotion(3, [0], n_candidates=8, cheap_steps=[0])  # q_0 = 4
    p.add(0, 0, 0.1)
    # n_0 = 2: the better one is in the top floor(2 / 2); with a rate of 3 it would wait
    assert p.add(1, 0, 0.9) == Decision(promote=[1], prune=[])
    assert p.drain() == Decision(promote=[], prune=[0])  # ceil(2 / 2) = 1 place, taken
