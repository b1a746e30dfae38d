"""HPOSearchCV on joblib's ray backend (a local ray cluster: its workers are processes).

ray's joblib backend cannot return results as a generator, so the fold scheduler runs the
ready fold fits in waves there; results must equal GridSearchCV's, pruning included.
"""

import joblib
import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sk_hpo import HPOSearchCV

ray = pytest.importorskip("ray")
from ray.util.joblib import register_ray  # noqa: E402

X, y = make_classification(n_samples=80, n_features=6, n_informative=3, random_state=0)
GRID = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0], "fit_intercept": [True, False]}


@pytest.fixture(scope="module")
def ray_backend():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    register_ray()
    try:
        yield
    finally:
        ray.shutdown()


def test_grid_search_on_ray_equals_grid_search_cv(ray_backend):
    search = HPOSearchCV(LogisticRegression(), GRID, sampler="grid", n_iter=None, pruner=None,
                         cv=3, n_jobs=2)
    with joblib.parallel_backend("ray"):
        search.fit(X, y)
    theirs = GridSearchCV(LogisticRegression(), GRID, cv=3).fit(X, y).cv_results_
    assert search.cv_results_["params"] == theirs["params"]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               theirs["mean_test_score"], rtol=0, atol=1e-12)


def test_pruned_tpe_search_on_ray(ray_backend):
    search = HPOSearchCV(LogisticRegression(), {"C": loguniform(1e-4, 1e2)}, n_iter=8, cv=3,
                         n_jobs=2, random_state=0)
    with joblib.parallel_backend("ray"):
        search.fit(X, y)
    res = search.cv_results_
    assert len(res["params"]) == 8
    assert set(res["state"]) <= {"COMPLETE", "PRUNED"}
    assert "PRUNED" in set(res["state"])  # fold halving still stops weak candidates
    assert np.isfinite(search.best_score_)
