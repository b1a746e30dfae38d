"""Shared studies: continuing a search, refusing a different one, pooling processes."""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.svm import SVC

import sk_hpo
from sk_hpo import HPOSearchCV
from sk_hpo.model_selection._context import CONTEXT_KEY
from sk_hpo.storages import InMemoryStorage

X, y = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
SPACE = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)}


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
