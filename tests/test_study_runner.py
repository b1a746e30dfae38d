"""TrialRunner: the budget, clock, space, stale-trial and claim rules of every trial loop."""

from __future__ import annotations

import pytest

import sk_hpo
from sk_hpo.exceptions import SearchSpaceExhausted
from sk_hpo.samplers import GridSampler
from sk_hpo.study._runner import TrialRunner
from sk_hpo.trial._state import TrialState


def x_of(trial):
    return trial.suggest_int("x", 0, 2)


def test_budget():
    study = sk_hpo.create_study()
    runner = TrialRunner(study, n_trials=3, timeout=None)
    while (started := runner.start(x_of)) is not None:
        runner.finish(started[0], started[1])
    assert runner.n_started == 3 and len(study.trials) == 3
    assert not runner.may_start() and not runner.exhausted and not runner.timed_out


def test_timeout_refuses_new_trials():
    runner = TrialRunner(sk_hpo.create_study(), n_trials=None, timeout=0.0)
    assert runner.start() is None
    assert runner.timed_out and runner.time_is_up()


def test_stop_flag():
    study = sk_hpo.create_study()
    runner = TrialRunner(study, n_trials=None, timeout=None)
    study.stop()
    assert runner.start() is None
    study._stop_flag = False


def test_exhausted_grid_stops_before_asking():
    study = sk_hpo.create_study(sampler=GridSampler({"x": [0, 1]}))
    runner = TrialRunner(study, n_trials=None, timeout=None)
    for _ in range(2):
        trial, _ = runner.start(x_of)
        runner.finish(trial, 0.0)
    assert runner.start(x_of) is None and runner.exhausted
    assert len(study.trials) == 2  # no FAIL trial was made to find out


def test_exhausted_while_suggesting_fails_the_trial():
    study = sk_hpo.create_study()
    runner = TrialRunner(study, n_trials=None, timeout=None)

    def suggest(trial):
        raise SearchSpaceExhausted("nothing left")

    assert runner.start(suggest) is None and runner.exhausted
    assert [t.state for t in study.trials] == [TrialState.FAIL]
    assert not runner.may_start()


def test_an_error_while_suggesting_fails_the_trial_and_releases_its_claims():
    study = sk_hpo.create_study()
    runner = TrialRunner(study, n_trials=None, timeout=None)

    def suggest(trial):
        study.claims.claim(trial, "k")
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        runner.start(suggest)
    assert [t.state for t in study.trials] == [TrialState.FAIL]
    assert study.claims.claimed() == set()  # what it held is for another trial


def test_a_trial_failed_as_stale_meanwhile_is_returned_as_stored_and_forgotten():
    study = sk_hpo.create_study()
    runner = TrialRunner(study, n_trials=1, timeout=None)
    trial, _ = runner.start()
    study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)  # "another process"
    with pytest.warns(RuntimeWarning, match="marked FAIL by another worker"):
        frozen = runner.finish(trial, 1.0)
    assert frozen.state == TrialState.FAIL
    assert not runner.may_start()
    runner.forget(trial)  # its budget is given back
    assert runner.may_start()

