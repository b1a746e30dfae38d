"""Constructor arguments are stored as given and validated in fit, sklearn-style."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV
from sk_hpo._validation import InvalidParameterError

X, y = make_classification(n_samples=30, n_features=4, random_state=0)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


def test_constructor_only_stores_arguments():
    search = HPOSearchCV("not an estimator", "not a space", n_iter=-1, sampler="nope")
    assert search.n_iter == -1 and search.sampler == "nope"


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("estimator", object(), "an object implementing 'fit'"),
        ("param_distributions", "C", "a dict or a list of dicts"),
        ("n_iter", 0, r"an int in the range \[1, inf\) or None"),
        ("n_iter", 2.5, r"an int in the range \[1, inf\) or None"),
        ("sampler", "bayes",
         "a str among {'tpe', 'gp', 'random', 'grid', 'qmc'} or a BaseSampler"),
        ("pruner", "asha", "a str among {'sha', 'median', 'wilcoxon', 'hyperband'}"),
        ("scoring", 3, "a str, a callable"),
        ("n_jobs", "2", "an int or None"),
        ("refit", 1, "an instance of 'bool', a str or a callable"),
        ("cv", 1, r"an int in the range \[2, inf\)"),
        ("verbose", "loud", r"an int in the range \[0, inf\) or an instance of 'bool'"),
        ("pre_dispatch", 1.5, "an int or a str like '2\\*n_jobs' or 'all'"),
        ("random_state", -1, r"an int in the range \[0, 4294967295\]"),
        ("error_score", "ignore", "a str among {'raise'} or a float"),
        ("return_train_score", "yes", "an instance of 'bool'"),
        ("timeout", 0, r"a float in the range \(0, inf\) or None"),
        ("storage", 3, "a str, a BaseStorage or None"),
        ("study_name", 3, "a str or None"),
        ("callbacks", [1], "a list of callables or None"),
    ],
)
def test_invalid_arguments_raise_in_fit(name, value, expected):
    search = HPOSearchCV(LogisticRegression(), {"C": [1.0]}, **{name: value}) if name not in (
        "estimator", "param_distributions") else HPOSearchCV(
        **{"estimator": LogisticRegression(), "param_distributions": {"C": [1.0]}, name: value})
    match = f"The '{name}' parameter of HPOSearchCV must be {expected}.* Got .* instead."
    with pytest.raises(ValueError, match=match) as info:
        search.fit(X, y)
    # compared by name: pytest's doctest collection may import a second copy of the module
    assert type(info.value).__name__ == "InvalidParameterError"
    assert isinstance(info.value, TypeError)
    assert issubclass(InvalidParameterError, ValueError)


def test_bad_pre_dispatch_string():
    search = HPOSearchCV(LogisticRegression(), {"C": [1.0]}, pre_dispatch="lots", pruner=None)
    with pytest.raises(ValueError, match="The 'pre_dispatch' parameter of HPOSearchCV must be an "
                       "int or a str like '2\\*n_jobs' or 'all'. Got 'lots' instead."):
        search.fit(X, y)


@pytest.mark.parametrize("pre_dispatch", [1, "n_jobs", "3*n_jobs", "all"])
def test_pre_dispatch_values(pre_dispatch):
    search = HPOSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, sampler="grid", n_iter=None,
                         pruner=None, cv=2, pre_dispatch=pre_dispatch)
    assert len(search.fit(X, y).cv_results_["params"]) == 2


def test_error_score_and_random_state_accept_numpy_values():
    search = HPOSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, sampler="grid", n_iter=None,
                         pruner=None, cv=2, error_score=np.float64(0.0),
                         random_state=np.random.RandomState(0))
    assert search.fit(X, y).best_score_ > 0.5


def test_a_grid_sampler_instance_is_a_sampler_like_any_other():
    # no special case for our class: it proposes its own grid's points, each once, and
    # the search stops when they are all taken
    from sk_hpo.samplers import GridSampler

    space = {"C": [0.01, 0.1, 1.0], "fit_intercept": [True, False]}
    grid = {"C": [0.1, 1.0], "fit_intercept": [True, False]}
    search = HPOSearchCV(LogisticRegression(), space, sampler=GridSampler(grid, seed=0),
                         n_iter=None, pruner=None, cv=2)
    params = search.fit(X, y).cv_results_["params"]
    assert sorted((p["C"], p["fit_intercept"]) for p in params) == [
        (0.1, False), (0.1, True), (1.0, False), (1.0, True)]
