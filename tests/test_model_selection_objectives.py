"""HPOSearchCV(objectives=[...]): the study, pareto_front_, refit rules, halving by dominance,
shared studies, estimator conventions and bad input (model_selection/_objectives.py)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression

import sk_hpo
from sk_hpo import HPOSearchCV
from sk_hpo.model_selection._objectives import (
    DominanceHalvingPruner,
    ObjectiveRule,
    Objectives,
    check_objectives,
    dominance_order,
    make_objective_plan,
    pareto_front,
    select_best,
)
from sk_hpo.pruners import BasePruner, MedianPruner

X, Y = load_iris(return_X_y=True)
C_GRID = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


class Knob(ClassifierMixin, BaseEstimator):
    """A classifier whose scores are set by its parameters (scorers read ``p`` and ``q``)."""

    def __init__(self, p: float = 0.0, q: float = 0.0) -> None:
        self.p = p
        self.q = q

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


KNOB_SCORING = {"a": lambda est, X, y: float(est.p), "b": lambda est, X, y: float(est.q)}


def brute_force_front(values: np.ndarray, directions: list[str], ok: np.ndarray) -> list[int]:
    """Rows of ``values`` (n, m) that no other ``ok`` row dominates, in order."""
    signs = np.array([1.0 if d == "maximize" else -1.0 for d in directions])
    better = values * signs  # greater is better
    front = []
    for i in np.flatnonzero(ok):
        dominated = any(
            np.all(better[j] >= better[i]) and np.any(better[j] > better[i])
            for j in np.flatnonzero(ok)
            if j != i
        )
        if not dominated:
            front.append(int(i))
    return front


def logreg_search(**kwargs) -> HPOSearchCV:
    params = dict(
        n_iter=6,
        cv=3,
        random_state=0,
        scoring=["accuracy", "neg_log_loss"],
        objectives=["accuracy", "neg_log_loss", "fit_time"],
        refit="accuracy",
    )
    params.update(kwargs)
    return HPOSearchCV(LogisticRegression(max_iter=300), {"C": C_GRID}, **params)


# -- the search -----------------------------------------------------------------------------------


@pytest.mark.parametrize("pruner", [None, "sha"])
def test_pareto_front_is_the_brute_force_front_of_cv_results(pruner):
    search = logreg_search(pruner=pruner).fit(X, Y)
    results = search.cv_results_
    objectives = Objectives(("accuracy", "neg_log_loss", "fit_time"))
    values = objectives.columns(results)
    ok = np.all(np.isfinite(values), axis=1)
    if "state" in results:
        ok &= results["state"] == "COMPLETE"
    expected = brute_force_front(values, ["maximize", "maximize", "minimize"], ok)
    assert search.pareto_front_.tolist() == expected
    assert len(expected) >= 1
    assert search.study_.directions == ["maximize", "maximize", "minimize"]
    assert search.study_.metric_names == ["accuracy", "neg_log_loss", "fit_time"]


def test_cv_results_keep_scikit_learns_columns():
    grid = dict(sampler="grid", n_iter=None, pruner=None)
    plain = logreg_search(objectives=None, **grid).fit(X, Y).cv_results_
    several = logreg_search(**grid).fit(X, Y).cv_results_
    assert set(several) == set(plain)
    assert several["params"] == plain["params"]
    for metric in ("accuracy", "neg_log_loss"):
        assert several[f"rank_test_{metric}"].dtype == np.int32
        np.testing.assert_array_equal(several[f"rank_test_{metric}"], plain[f"rank_test_{metric}"])
        np.testing.assert_allclose(several[f"mean_test_{metric}"], plain[f"mean_test_{metric}"])


def test_trial_values_are_the_cv_results_means():
    search = logreg_search(pruner=None).fit(X, Y)
    trials = search.study_.get_trials(states=[sk_hpo.trial.TrialState.COMPLETE])
    values = Objectives(("accuracy", "neg_log_loss", "fit_time")).columns(search.cv_results_)
    np.testing.assert_allclose([t.values for t in trials], values)


def test_refit_true_selects_the_first_objective_on_the_front():
    search = logreg_search(refit=True).fit(X, Y)
    front = search.pareto_front_
    accuracy = search.cv_results_["mean_test_accuracy"]
    assert search.best_index_ in front
    assert search.best_score_ == accuracy[front].max() == accuracy[search.best_index_]
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    assert search.best_estimator_.C == search.best_params_["C"]
    assert search.score(X, Y) == pytest.approx(
        (search.best_estimator_.predict(X) == Y).mean()
    )


def test_refit_a_time_selects_the_fastest_on_the_front():
    search = logreg_search(refit="fit_time").fit(X, Y)
    front, results = search.pareto_front_, search.cv_results_
    assert search.best_index_ == front[np.argmin(results["mean_fit_time"][front])]
    # best_score_ is the first score objective's mean test score of that candidate
    assert search.best_score_ == results["mean_test_accuracy"][search.best_index_]


def test_refit_a_scorer_that_is_not_an_objective():
    search = HPOSearchCV(
        LogisticRegression(max_iter=300),
        {"C": C_GRID},
        n_iter=6,
        cv=3,
        random_state=0,
        pruner=None,
        scoring=["accuracy", "neg_log_loss", "f1_macro"],
        objectives=["accuracy", "fit_time"],
        refit="f1_macro",
    ).fit(X, Y)
    front, f1 = search.pareto_front_, search.cv_results_["mean_test_f1_macro"]
    assert search.best_index_ == front[np.argmax(f1[front])]
    assert search.best_score_ == f1[search.best_index_]


def test_refit_callable_and_refit_false():
    def last(results):
        return len(results["params"]) - 1

    search = logreg_search(refit=last).fit(X, Y)
    assert search.best_index_ == len(search.cv_results_["params"]) - 1
    assert not hasattr(search, "best_score_")
    assert hasattr(search, "best_estimator_")

    search = logreg_search(refit=False).fit(X, Y)
    assert len(search.pareto_front_) >= 1
    for name in ("best_index_", "best_params_", "best_score_", "best_estimator_"):
        assert not hasattr(search, name)


def test_a_single_scorer_is_named_score():
    search = HPOSearchCV(
        LogisticRegression(max_iter=300),
        {"C": C_GRID},
        n_iter=5,
        cv=3,
        random_state=0,
        objectives=["score", "score_time"],
    ).fit(X, Y)
    assert not search.multimetric_
    assert search.best_score_ == search.cv_results_["mean_test_score"][search.best_index_]
    assert search.study_.metric_names == ["score", "score_time"]
    assert 0 <= search.score(X, Y) <= 1


def test_a_random_sampler_over_lists_and_the_default_sampler_both_search():
    for sampler in ("random", "tpe"):
        search = logreg_search(sampler=sampler, n_iter=4, pruner=None).fit(X, Y)
        assert len(search.cv_results_["params"]) == 4


# -- halving by dominance -------------------------------------------------------------------------


def test_dominance_order_and_the_halving_decision():
    losses = np.array([[3.0, 3.0], [1.0, 2.0], [2.0, 1.0], [1.5, 1.5], [4.0, 4.0], [0.0, 9.0]])
    order = dominance_order(losses)
    assert set(order[:4]) == {1, 2, 3, 5} and list(order[4:]) == [0, 4]
    pruner = DominanceHalvingPruner(factor=3)  # keeps 6 // 3 = 2: the front's ends first
    kept = [i for i in range(6) if not pruner.prune_objectives(losses, i)]
    assert kept == sorted(order[:2].tolist())
    assert pruner.prune_objectives(losses[[4]], 0) is False  # alone: kept


def test_the_rule_stores_values_and_waits_for_startup_peers():
    study = sk_hpo.create_study(directions=["maximize", "minimize"])
    objectives = Objectives(("score", "fit_time"))
    plan, rule = make_objective_plan("sha", objectives, 5)
    assert plan.n_startup == 3 and sorted(plan.decision_steps) == [0, 2]

    def fold(score, seconds):
        return {"test": score, "fit_time": seconds, "score_time": 0.0}

    trials = [study.ask() for _ in range(5)]
    scores = [0.9, 0.8, 0.7, 0.6, 0.95]
    for i, trial in enumerate(trials[:4]):
        assert rule.report(trial, 0, [fold(scores[i], 1.0)])
    assert trials[0].system_attrs["sk_hpo:objectives:0"] == [0.9, 1.0]
    assert rule.should_prune(study, trials[3], 0)  # 3 peers, all better on both
    assert not rule.should_prune(study, trials[0], 0)
    assert not rule.report(trials[4], 0, [fold(float("nan"), 1.0)])  # NaN: not stored
    lonely = sk_hpo.create_study(directions=["maximize", "minimize"])
    t = lonely.ask()
    rule.report(t, 0, [fold(0.1, 9.0)])
    assert not rule.should_prune(lonely, t, 0)  # no peers yet: startup


def test_halving_by_dominance_prunes_only_dominated_candidates():
    # a = b = p: dominance is the order of p, so a pruned candidate trailed a better one
    order = [3, 0, 7, 1, 5, 9, 2, 11, 4, 6, 10, 8]
    space = {"p": [0.1 * i for i in order]}
    search = HPOSearchCV(
        Knob(),
        space,
        n_iter=None,
        cv=5,
        sampler="grid",
        scoring={"a": KNOB_SCORING["a"], "b": lambda est, X, y: float(est.p)},
        objectives=["a", "b"],
        refit="a",
    ).fit(X, Y)
    results, study = search.cv_results_, search.study_
    assert (results["state"] == "PRUNED").sum() >= 3
    best = int(np.argmax([params["p"] for params in results["params"]]))
    assert results["state"][best] == "COMPLETE"
    trials = {t.number: t for t in study.trials}
    for row in np.flatnonzero(results["state"] == "PRUNED"):
        trial = trials[int(results["trial_number"][row])]
        steps = [k for k in trial.system_attrs if k.startswith("sk_hpo:objectives:")]
        key = max(steps, key=lambda k: int(k.rsplit(":", 1)[1]))
        mine = trial.system_attrs[key][0]
        assert any(
            t.system_attrs.get(key, [-1])[0] > mine for t in trials.values() if t is not trial
        )
    assert search.pareto_front_.tolist() == [best]
    assert search.best_index_ == best


def test_a_user_pruner_with_prune_objectives_is_used():
    class KeepNone(BasePruner):
        calls = 0

        def prune(self, study, trial):
            return False

        def decision_steps(self, n_steps):
            return frozenset({0})

        def prune_objectives(self, losses, index):
            KeepNone.calls += 1
            return True

    search = logreg_search(pruner=KeepNone(), n_iter=5, refit=False).fit(X, Y)
    assert KeepNone.calls >= 1
    assert (search.cv_results_["state"] == "PRUNED").sum() == KeepNone.calls


# -- a shared SQLite study ------------------------------------------------------------------------


def test_a_shared_sqlite_study_pools_candidates(tmp_path):
    url = f"sqlite:///{tmp_path / 'mo.db'}"
    first = logreg_search(storage=url, study_name="mo", n_iter=3, random_state=1).fit(X, Y)
    second = logreg_search(storage=url, study_name="mo", n_iter=3, random_state=2).fit(X, Y)
    assert len(first.cv_results_["params"]) == 3
    assert len(second.cv_results_["params"]) == 6
    loaded = sk_hpo.load_study(study_name="mo", storage=url)
    assert loaded.directions == ["maximize", "maximize", "minimize"]
    front = {t.number for t in loaded.best_trials}
    numbers = second.cv_results_["trial_number"]
    assert {int(numbers[i]) for i in second.pareto_front_} == front

    with pytest.raises(ValueError, match="directions"):  # a single-objective search
        logreg_search(storage=url, study_name="mo", objectives=None).fit(X, Y)
    with pytest.raises(ValueError, match="different search"):  # other objectives, same count
        logreg_search(
            storage=url, study_name="mo", objectives=["accuracy", "neg_log_loss", "score_time"]
        ).fit(X, Y)


# -- estimator conventions ------------------------------------------------------------------------


def test_clone_and_get_params_keep_objectives():
    search = logreg_search()
    assert search.get_params()["objectives"] == ["accuracy", "neg_log_loss", "fit_time"]
    cloned = clone(search)
    assert cloned.objectives == search.objectives
    assert HPOSearchCV(Knob(), {"p": [0.0]}).objectives is None
    assert cloned.set_params(objectives=["accuracy", "score_time"]).objectives == [
        "accuracy",
        "score_time",
    ]


def test_select_best_on_an_empty_front_says_why():
    objectives = Objectives(("score", "fit_time"))
    results = {"mean_test_score": np.array([np.nan]), "mean_fit_time": np.array([1.0])}
    front = pareto_front(results, objectives)
    assert front.tolist() == []
    with pytest.raises(ValueError, match="Pareto front is empty"):
        select_best(results, objectives, True, front)
    assert select_best(results, objectives, False, front) == (None, None)


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "objectives, scoring, refit, match",
    [
        (["accuracy", "speed"], ["accuracy"], "accuracy", r"'objectives'.*\['speed'\] is not"),
        (["accuracy"], ["accuracy"], "accuracy", r"'objectives'.*A single objective"),
        (["fit_time", "fit_time"], None, True, r"'objectives'.*\['fit_time'\] is listed twice"),
        (["f1", "fit_time"], "accuracy", True, r"'objectives'.*a single scorer is named"),
        ("score", None, True, r"'objectives' parameter.*Got 'score' instead"),
        (["score", 3], None, True, r"'objectives' parameter.*Got \['score', 3\]"),
        (["score", "fit_time"], None, "f1", r"'refit' parameter.*Got 'f1' instead"),
        (["score", "fit_time"], None, "score_time", r"'refit' parameter.*Got 'score_time'"),
        (["score", "fit_time"], lambda e, X, y: 1.0, True, r"'objectives'.*callable"),
    ],
)
def test_bad_objectives_are_refused_naming_the_parameter(objectives, scoring, refit, match):
    search = HPOSearchCV(
        Knob(), {"p": [0.0, 1.0]}, scoring=scoring, objectives=objectives, refit=refit
    )
    with pytest.raises(ValueError, match=match):
        search.fit(X, Y)


@pytest.mark.parametrize("pruner", ["median", "hyperband", MedianPruner()])
def test_a_pruner_that_cannot_compare_objectives_is_refused(pruner):
    search = HPOSearchCV(Knob(), {"p": [0.0, 1.0]}, objectives=["score", "fit_time"], pruner=pruner)
    with pytest.raises(ValueError, match=r"'pruner' parameter.*prune_objectives"):
        search.fit(X, Y)


def test_check_objectives_none_changes_nothing():
    assert check_objectives(None, ["score"], "anything") is None
    rule = ObjectiveRule(Objectives(("score", "fit_time")), None, 0)
    assert not rule.should_prune(None, None, 0)  # type: ignore[arg-type]


# -- with the rest of HPOSearchCV -----------------------------------------------------------------


class FailsAbove(Knob):
    """Fails to fit when ``p > 0.5``."""

    def fit(self, X, y):
        if self.p > 0.5:
            raise ValueError("p too large")
        return super().fit(X, y)


def test_failed_fits_are_never_on_the_front():
    search = HPOSearchCV(
        FailsAbove(),
        {"p": [0.2, 0.9, 0.4], "q": [0.1, 0.3]},
        sampler="grid",
        n_iter=None,
        cv=3,
        pruner=None,
        scoring=KNOB_SCORING,
        objectives=["a", "b"],
        refit="b",
    )
    with pytest.warns(FitFailedWarning, match="fits failed"):
        search.fit(X, Y)
    params = search.cv_results_["params"]
    assert all(params[i]["p"] <= 0.5 for i in search.pareto_front_)
    assert [params[i] for i in search.pareto_front_] == [{"p": 0.4, "q": 0.3}]
    failed = [t for t in search.study_.trials if t.state.name == "FAIL"]
    assert len(failed) == 2 and all(t.values is None for t in failed)


def test_parallel_fold_fits_and_a_budget_resource():
    search = HPOSearchCV(
        LogisticRegression(max_iter=50),
        {"C": C_GRID},
        n_iter=6,
        cv=3,
        n_jobs=2,
        random_state=0,
        objectives=["score", "fit_time"],
        resource="n_samples",
        min_resources=30,
    ).fit(X, Y)
    results = search.cv_results_
    assert "n_resources" in results and len(results["params"]) == 6
    assert search.best_index_ in search.pareto_front_
    complete = results["state"] == "COMPLETE"
    assert set(search.pareto_front_) <= set(np.flatnonzero(complete))


@pytest.mark.parametrize(
    "refit, error", [(lambda r: True, TypeError), (lambda r: 99, IndexError)]
)
def test_a_bad_refit_callable_is_refused_as_in_scikit_learn(refit, error):
    search = HPOSearchCV(
        Knob(), {"p": [0.1, 0.2]}, cv=2, scoring=KNOB_SCORING, objectives=["a", "b"], refit=refit
    )
    with pytest.raises(error, match="best_index_"):
        search.fit(X, Y)


_POOL_SCRIPT = """
import sys
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sk_hpo import HPOSearchCV
X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
grid = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0], "fit_intercept": [True, False]}
search = HPOSearchCV(LogisticRegression(), grid, sampler="grid", n_iter=None, cv=3,
                     objectives=["score", "fit_time"], storage=sys.argv[1], study_name="pool")
search.fit(X, y)
print(len(search.cv_results_["params"]))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgresql_url")
    return f"sqlite:///{tmp_path / 'pool.db'}"


def test_two_processes_share_a_study_of_several_objectives(tmp_path, url):
    import subprocess
    import sys

    script = tmp_path / "pool.py"
    script.write_text(_POOL_SCRIPT)
    procs = [
        subprocess.Popen([sys.executable, str(script), url], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    study = sk_hpo.load_study(study_name="pool", storage=url)
    assert [d.value for d in study.directions] == ["maximize", "minimize"]
    finished = [t for t in study.trials if t.state.name in ("COMPLETE", "PRUNED")]
    evaluated = [(t.params["C"], t.params["fit_intercept"]) for t in finished]
    assert len(evaluated) == len(set(evaluated)) == 12  # the grid, each candidate once
    assert any(t.state.name == "PRUNED" for t in finished)
    assert all(len(t.values) == 2 for t in finished if t.state.name == "COMPLETE")
