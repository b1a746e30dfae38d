"""study.claims: one record of the configurations claimed in a study, for every sampler."""

from __future__ import annotations

import textwrap
import threading

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import sk_hpo
from sk_hpo import HPOSearchCV
from sk_hpo.distributions import IntDistribution
from sk_hpo.exceptions import SearchSpaceExhausted
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import BaseSampler, GPSampler, GridSampler, TPESampler
from sk_hpo.study import Claims

SPACE = {"x": IntDistribution(0, 5), "y": IntDistribution(0, 1)}


class OnceEach(BaseSampler):
    """A user's sampler: each point of SPACE once, in order, through study.claims."""

    def infer_relative_search_space(self, study, trial):
        return SPACE

    def sample_relative(self, study, trial, search_space):
        taken = study.claims.taken(trial, search_space)
        for x in range(6):
            for y in range(2):
                config = {"x": float(x), "y": float(y)}
                key = study.claims.key(config, search_space)
                if config not in taken and study.claims.claim(trial, key):
                    return {"x": x, "y": y}
        raise SearchSpaceExhausted("every point is taken")

    def sample_independent(self, study, trial, name, distribution):
        raise AssertionError("sampled jointly")

    def is_exhausted(self, study):
        return len(study.claims.claimed(prefix="config:")) >= 12


def objective(trial):
    return trial.suggest_int("x", 0, 5) + trial.suggest_int("y", 0, 1)


def points(study):
    return [(t.params["x"], t.params["y"]) for t in study.trials if t.params]


def test_key_names_values_and_distributions():
    key = Claims.key({"y": 1.0, "x": 2.0}, SPACE)
    assert key.startswith("config:") and key.endswith('[["x",2.0],["y",1.0]]')
    assert Claims.key({"x": 2.0, "y": 1.0}, SPACE) == key
    other = {"x": IntDistribution(0, 6), "y": IntDistribution(0, 1)}
    assert Claims.key({"x": 2.0, "y": 1.0}, other) != key  # a changed space: a new config
    assert Claims.key({"x": 2.0}, SPACE, namespace="mine").startswith("mine:")


def test_claim_is_won_once_and_released_by_an_abandoned_trial():
    study = sk_hpo.create_study()
    first, second = study.ask(), study.ask()
    key = Claims.key({"x": 1.0, "y": 0.0}, SPACE)
    assert study.claims.claim(first, key)
    assert not study.claims.claim(second, key)
    assert study.claims.claimed() == {key} == study.claims.claimed(prefix="config:")
    assert study.claims.claimed(prefix="grid:") == set()
    study.claims.release(first)
    assert study.claims.claim(second, key)


def test_taken_lists_claimed_configurations_before_their_trial_stores_them():
    study = sk_hpo.create_study()
    done = study.ask()
    done.suggest_int("x", 0, 5)
    done.suggest_int("y", 0, 1)
    study.tell(done, 1.0)
    proposing, asking = study.ask(), study.ask()
    study.claims.claim(proposing, Claims.key({"x": 3.0, "y": 1.0}, SPACE))
    study.claims.claim(proposing, Claims.key({"x": 3.0}, {"x": IntDistribution(0, 9)}))
    study.enqueue_trial({"x": 4, "y": 0})
    taken = study.claims.taken(asking, SPACE)
    assert {"x": 3.0, "y": 1.0} in taken  # claimed, not stored yet
    assert {"x": 4.0, "y": 0.0} in taken  # queued
    assert {"x": float(done.params["x"]), "y": float(done.params["y"])} in taken
    assert len(taken) == 3  # the claim in another space is not this space's


def test_deferred_claims_are_left_to_the_caller():
    study = sk_hpo.create_study()
    trial = study.ask()
    with study.claims.deferred(trial):
        assert study.claims.claim(trial, "k")
    assert study.claims.claimed() == set()


def test_a_users_sampler_using_the_service_never_repeats_a_point_across_threads():
    study = sk_hpo.create_study(sampler=OnceEach(), pruner=NopPruner())
    study.optimize(objective, n_trials=30, n_jobs=4)
    assert len(points(study)) == len(set(points(study))) == 12


_WORKER = textwrap.dedent(
    """
    import sys
    import sk_hpo
    from sk_hpo.pruners import NopPruner
    from sk_hpo.samplers import TPESampler
    from tests.test_study_claims import OnceEach, objective
    sampler = OnceEach() if sys.argv[2] == "once" else TPESampler(n_startup_trials=2)
    study = sk_hpo.load_study(study_name="s", storage=sys.argv[1], sampler=sampler,
                              pruner=NopPruner())
    study.optimize(objective, n_trials=int(sys.argv[3]))
    """
)


@pytest.mark.parametrize("sampler, n_trials", [("once", 12), ("tpe", 6)])
def test_two_processes_on_one_sqlite_file_never_run_a_configuration_twice(
    tmp_path, run_workers, sampler, n_trials
):
    url = f"sqlite:///{tmp_path / 'claims.db'}"
    study = sk_hpo.create_study(storage=url, study_name="s", pruner=NopPruner())
    run_workers(_WORKER, url, sampler, n_trials, n=2)
    assert len(points(study)) == len(set(points(study))) == 12
    if sampler == "once":
        assert len(study.claims.claimed()) == 12


def test_tpe_on_a_finite_space_claims_each_configuration_once():
    study = sk_hpo.create_study(sampler=TPESampler(n_startup_trials=3, seed=0))
    study.optimize(objective, n_trials=12)
    assert len(set(points(study))) == 12
    # one key per modelled trial (the first has no relative space yet), of the shared kind
    assert len(study.claims.claimed()) == 11
    assert all(key.startswith("config:") for key in study.claims.claimed())


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_hpo_search_claims_each_candidate_once(sampler):
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    search = HPOSearchCV(
        LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0], "fit_intercept": [True, False]},
        n_iter=8, cv=2, sampler=sampler, random_state=0,
    ).fit(X, y)
    keys = search.study_.claims.claimed()
    assert len(keys) == 8 and all(k.startswith("cand:") for k in keys)


def test_gp_on_a_finite_space_claims_its_proposals():
    study = sk_hpo.create_study(sampler=GPSampler(n_startup_trials=2, seed=0))
    study.optimize(objective, n_trials=6)
    assert len(set(points(study))) == 6
    assert len(study.claims.claimed(prefix="config:")) == 4  # the model's proposals


def test_grid_sampler_claims_through_the_service():
    study = sk_hpo.create_study(sampler=GridSampler({"x": [0, 1], "y": [0]}))
    trial = study.ask()
    assert len(study.claims.claimed(prefix="grid:")) == 1
    study.tell(trial, 0.0)
