"""param_distributions -> study search space: specs, branches, candidate keys, dedup."""

import re
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ParameterGrid
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sk_hpo import HPOSearchCV, create_study
from sk_hpo.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sk_hpo.exceptions import SearchSpaceExhausted
from sk_hpo.model_selection._params import make_param_spec, readable_label
from sk_hpo.model_selection._proposer import CandidateSampler
from sk_hpo.model_selection._space import BRANCH, SearchSpace
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler

X, y = make_classification(n_samples=40, n_features=4, random_state=0)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small fits run 10x slower with BLAS threads fighting on a loaded 2-core machine."""
    with threadpool_limits(1):
        yield


@pytest.mark.parametrize(
    "values, kind, distribution, ordered",
    [
        ([1, 2, 3], "range", IntDistribution(1, 3), None),
        (range(2, 11, 4), "range", IntDistribution(2, 10, step=4), None),
        ([0.1, 1.0, 10.0], "choices", CategoricalDistribution([0.1, 1.0, 10.0]), True),
        ([10, 1, 0.5], "choices", CategoricalDistribution([10, 1, 0.5]), True),
        (["a", "b"], "choices", CategoricalDistribution(["a", "b"]), False),
        ([1, 3, 2], "choices", CategoricalDistribution([1, 3, 2]), False),
        ([None, True, "x"], "choices", CategoricalDistribution([None, True, "x"]), False),
        ([5], "choices", CategoricalDistribution([5]), False),
        (np.array([0.5, 1.5]), "choices", CategoricalDistribution([0.5, 1.5]), True),
    ],
)
def test_lists_become_ranges_or_categoricals_of_their_values(values, kind, distribution, ordered):
    """The study holds the values themselves (issue 14 item 3: it held list positions); sorted
    numbers make an ordered categorical, which TPE and GP model through its order."""
    spec = make_param_spec("p", values)
    assert spec.kind == kind and spec.distribution == distribution
    if ordered is not None:
        assert spec.distribution.ordered is ordered
    decoded = [spec.decode(v) for v in spec.grid()]
    assert decoded == list(values)
    assert spec.grid() == list(values)  # what trial.params shows


def test_scipy_distributions_map_to_native_ones_or_quantiles():
    assert make_param_spec("C", stats.loguniform(1e-3, 10)).distribution == FloatDistribution(
        1e-3, 10, log=True
    )
    assert make_param_spec("a", stats.uniform(1, 2)).distribution == FloatDistribution(1, 3)
    assert make_param_spec("n", stats.randint(2, 5)).distribution == IntDistribution(2, 4)
    normal = make_param_spec("x", stats.norm(5, 1))
    assert normal.kind == "quantile" and normal.grid() is None
    assert normal.decode(0.5) == pytest.approx(5.0)
    assert np.isfinite(normal.decode(0.0)) and np.isfinite(normal.decode(1.0))
    poisson = make_param_spec("k", stats.poisson(3))
    assert isinstance(poisson.decode(0.5), int)


def test_objects_with_only_rvs_are_sampled_through_a_seed():
    class Coin:
        def rvs(self, random_state=None):
            return int(np.random.RandomState(random_state).randint(2))

    spec = make_param_spec("coin", Coin())
    assert spec.kind == "seeded"
    assert spec.decode(0.25) == spec.decode(0.25) and spec.decode(0.25) in (0, 1)


def test_labels_are_readable_and_unique():
    assert readable_label(LogisticRegression(C=2)) == "LogisticRegression(C=2)"
    assert readable_label(np.int64(3)) == 3 and readable_label(float("inf")) == "inf"

    def f():
        pass

    assert "at 0x" not in readable_label(f)
    spec = make_param_spec("est", [LogisticRegression(), LogisticRegression(), (1, 2)])
    assert len(set(spec.distribution.choices)) == 3
    assert spec.decode(spec.distribution.choices[1]) is spec.values[1]


@pytest.mark.parametrize(
    "bad, error, match",
    [
        ({"C": "abc"}, TypeError, r"Parameter grid for parameter 'C' needs to be a list or a "
         r"numpy array, but got 'abc' \(of type str\) instead. Single values need to be "
         r"wrapped in a list with one element. \(HPOSearchCV also takes a distribution"),
        ({"C": 3}, TypeError, r"needs to be a list or a numpy array, but got 3 \(of type int"),
        ({"C": []}, ValueError, r"Parameter grid for parameter 'C' need to be a non-empty "
         r"sequence, got: \[\]"),
        ({"C": np.zeros((2, 2))}, ValueError, r"Parameter array for 'C' should be "
         r"one-dimensional, got: [\s\S]* with shape \(2, 2\)"),
        ({1: [1]}, TypeError, "must have str keys .* Got the key 1 instead"),
        ("C", TypeError, "a dict or a non-empty list of dicts"),
        ([{"C": [1]}, 3], TypeError, r"The 'param_distributions' parameter of HPOSearchCV "
         r"must be a dict or a non-empty list of dicts .* Got \[{'C': \[1\]}, 3\] instead"),
        ([], ValueError, r"must be a dict or a non-empty list of dicts .*Got \[\] instead"),
        ({BRANCH: [1]}, ValueError, "reserved"),
    ],
)
def test_invalid_spaces_are_refused_like_sklearn(bad, error, match):
    with pytest.raises(error, match=match):
        SearchSpace(bad)
    with pytest.raises(error):
        HPOSearchCV(LogisticRegression(), bad, sampler="grid", n_iter=None).fit(X, y)


def test_grid_order_matches_parameter_grid_and_branch_keys():
    grids = [
        {"kernel": ["rbf"], "gamma": [0.1, 1.0], "C": [1, 10]},
        {"kernel": ["poly"], "degree": [2, 3]},
        {},
    ]
    space = SearchSpace(grids)
    ours = [space.to_estimator_params(c) for c in space.grid()]
    assert ours == list(ParameterGrid(grids))
    assert space.n_candidates == 7
    keys = space.distributions()
    assert BRANCH in keys and "kernel[0]" in keys and "kernel[1]" in keys and "gamma" in keys


def test_candidate_keys_identify_estimator_values_across_branches():
    space = SearchSpace([{"C": [1, 2]}, {"C": [1, 2], "penalty": ["l2"]}, {"C": [2, 3]}])
    keys = [space.candidate_key(c) for c in space.grid()]
    assert len(keys) == len(set(keys)) == 5  # {"C": 2} of branch 2 repeats branch 0's
    assert space.n_candidates == 5


def test_infinite_spaces_need_an_n_iter():
    space = {"C": stats.loguniform(1e-2, 1)}
    assert SearchSpace(space).n_candidates is None
    with pytest.raises(ValueError, match="n_iter=None needs a finite search space"):
        HPOSearchCV(LogisticRegression(), space, n_iter=None).fit(X, y)
    with pytest.raises(ValueError, match="sampler='grid' needs a finite search space"):
        HPOSearchCV(LogisticRegression(), space, sampler="grid").fit(X, y)


def test_stepped_and_native_distributions_are_finite():
    space = SearchSpace({"a": FloatDistribution(0, 1, step=0.5), "b": IntDistribution(1, 3)})
    assert space.n_candidates == 9


def _study(space, base, seed=0):
    return create_study(
        direction="maximize", sampler=CandidateSampler(base, space, seed=seed), pruner=NopPruner()
    )


def test_candidate_sampler_never_proposes_a_claimed_candidate():
    space = SearchSpace({"a": [1, 2, 3], "b": ["x", "y"]})
    study = _study(space, RandomSampler(seed=0))
    keys = []
    for _ in range(6):
        trial = study.ask()
        key = space.candidate_key(space.suggest(trial))
        assert key in study.claims.claimed("cand:")  # the sampler claimed it, once
        keys.append(key)
        study.tell(trial, 1.0)
    assert len(set(keys)) == 6
    assert study.sampler.is_exhausted(study)
    with pytest.raises(SearchSpaceExhausted):
        space.suggest(study.ask())


def test_grid_walk_skips_claimed_candidates():
    space = SearchSpace({"a": [1, 2, 3]})
    study = _study(space, None)
    trial = study.ask()
    study._storage.claim_trial_key(study._study_id, trial._trial_id, 'cand:[["a",1]]')
    assert space.to_estimator_params(space.suggest(trial)) == {"a": 2}


def test_conditional_search_samples_each_branch():
    space = [
        {"kernel": ["rbf"], "C": stats.loguniform(0.1, 10), "gamma": stats.loguniform(0.01, 1)},
        {"kernel": ["linear"], "C": stats.loguniform(0.1, 10)},
    ]
    search = HPOSearchCV(SVC(), space, n_iter=12, cv=2, pruner=None, random_state=0).fit(X, y)
    params = search.cv_results_["params"]
    kernels = {p["kernel"] for p in params}
    assert kernels == {"rbf", "linear"}
    assert all(("gamma" in p) == (p["kernel"] == "rbf") for p in params)
    assert search.cv_results_["param_gamma"].mask.sum() == sum(
        p["kernel"] == "linear" for p in params
    )


@pytest.mark.parametrize(
    "sampler, match",
    [("tpe", "has 4 distinct candidates"),
     ("random", r"The total space of parameters 4 is smaller than n_iter=10\. Running 4 "
                r"iterations\. For exhaustive searches, use GridSearchCV\.")],
)
def test_finite_space_exhaustion_stops_with_a_warning(sampler, match):
    space = {"C": [0.1, 1.0], "fit_intercept": [True, False]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = HPOSearchCV(LogisticRegression(), space, n_iter=10, cv=2, pruner=None,
                             sampler=sampler, random_state=0).fit(X, y)
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    assert len(messages) == 1 and re.search(match, messages[0]), messages
    params = search.cv_results_["params"]
    assert len(params) == 4 and len({tuple(sorted(p.items())) for p in params}) == 4


@pytest.mark.parametrize("sampler", ["tpe", "gp", "random", "grid", "qmc"])
def test_every_sampler_exhausts_a_finite_conditional_space_once(sampler):
    space = [{"kernel": ["rbf"], "C": [0.1, 1.0, 10.0]}, {"kernel": ["linear"], "C": [1.0, 2.0]}]
    search = HPOSearchCV(SVC(), space, sampler=sampler, n_iter=None, cv=2, random_state=0)
    params = search.fit(X, y).cv_results_["params"]
    assert len(params) == 5
    assert {(p["kernel"], p["C"]) for p in params} == {
        ("rbf", 0.1), ("rbf", 1.0), ("rbf", 10.0), ("linear", 1.0), ("linear", 2.0)}


def test_named_qmc_sampler_on_a_conditional_space_does_not_warn_per_trial():
    space = [
        {"kernel": ["linear"], "C": stats.loguniform(1e-2, 1e2)},
        {"kernel": ["rbf"], "C": stats.loguniform(1e-2, 1e2), "gamma": stats.loguniform(1e-3, 1)},
    ]
    search = HPOSearchCV(SVC(), space, sampler="qmc", n_iter=8, cv=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8


@pytest.mark.parametrize("prior, fix", [("log-uniform", "loguniform"), ("uniform", "uniform")])
def test_a_scikit_optimize_range_warns_and_says_how_to_write_it(prior, fix):
    with pytest.warns(UserWarning, match=rf"'C' is the list of 3 choices \(0.001, 100.0, "
                                         rf"'{prior}'\), .* write scipy.stats.{fix}\("):
        spec = make_param_spec("C", (1e-3, 1e2, prior))
    assert spec.grid() == [1e-3, 1e2, prior]  # still GridSearchCV's meaning


def test_three_choices_ending_in_another_string_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_param_spec("kernel", (1, 2, "auto"))


def test_tpe_and_gp_model_an_ordered_categorical_through_its_order():
    """A list of sorted numbers is a categorical of its values (the study shows them), and
    TPE and GP search it as the integer index of its choice, as they searched the position
    that used to stand in for it; other categoricals stay unordered."""
    from sk_hpo.samplers._gp.space import SpaceEncoder
    from sk_hpo.samplers._tpe.parzen_estimator import SpaceArrays

    ordered = CategoricalDistribution([0.1, 1.0, 10.0])
    labels = CategoricalDistribution(["rbf", "linear", "poly"])
    arrays = SpaceArrays.from_distributions([ordered, labels])
    assert arrays.is_cat.tolist() == [False, True]
    assert arrays.step[0] == 1 and (arrays.low[0], arrays.high[0]) == (0, 2)
    encoder = SpaceEncoder({"C": ordered, "kernel": labels})
    assert encoder.is_cat.tolist() == [False, True]
    unit = encoder.encode(np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]))[:, 0]
    assert np.all(np.diff(unit) > 0)
    assert encoder.decode(np.array([unit[2], 1.0]))["C"] == 10.0
