import os
import threading
import time

import pytest

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.trial import TrialState


def make_study(**kwargs):
    kwargs.setdefault("sampler", RandomSampler(seed=0))
    kwargs.setdefault("pruner", NopPruner())
    return sk_hpo.create_study(**kwargs)


def quadratic(trial):
    return trial.suggest_float("x", -1, 1) ** 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_trials": -1}, r"The 'n_trials' parameter of optimize must be an int in the range "
                           r"\[0, inf\) or None. Got -1 instead"),
        ({"n_trials": 2.5}, r"Got 2.5 instead"),
        ({"timeout": -1}, r"'timeout' parameter of optimize must be a float in the range "
                          r"\[0, inf\) or None. Got -1"),
        ({"n_jobs": 0}, r"'n_jobs' parameter of optimize must be a non-zero int \(-1: all CPUs\)"),
    ],
)
def test_optimize_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_study().optimize(quadratic, **kwargs)


@pytest.mark.parametrize("kwargs", [{"n_trials": 0}, {"timeout": 0}])
def test_a_zero_budget_runs_no_trial(kwargs):
    # the resume idiom: optimize(f, n_trials=max(0, total - len(study.trials)))
    study = make_study()
    study.optimize(quadratic, **kwargs)
    assert study.trials == []


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"catch": ("ValueError",)}, r"'catch' parameter of optimize .* Got \('ValueError',\)"),
        ({"catch": ValueError("x")}, r"'catch' parameter of optimize .* Got ValueError\('x'\)"),
        ({"catch": None}, r"'catch' parameter of optimize .* Got None"),
        ({"callbacks": [1]}, r"'callbacks' parameter of optimize .* Got \[1\]"),
        ({"callbacks": len}, r"'callbacks' parameter of optimize .* Got <built-in function len>"),
    ],
)
def test_optimize_rejects_bad_catch_and_callbacks_by_name(kwargs, match):
    study = make_study()
    with pytest.raises(TypeError, match=match):
        study.optimize(quadratic, n_trials=1, **kwargs)
    assert study.trials == []


def test_optimize_rejects_a_non_callable_objective():
    study = make_study()
    with pytest.raises(TypeError, match="The 'func' parameter of Study.optimize must be a callable"):
        study.optimize(None, n_trials=1)


def test_optimize_is_reproducible_with_a_seed():
    a = make_study(sampler=RandomSampler(seed=3))
    b = make_study(sampler=RandomSampler(seed=3))
    a.optimize(quadratic, n_trials=10)
    b.optimize(quadratic, n_trials=10)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_objective_exception_fails_trial_and_propagates():
    study = make_study()

    def objective(trial):
        trial.suggest_float("x", 0, 1)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        study.optimize(objective, n_trials=3)
    assert [t.state for t in study.trials] == [TrialState.FAIL]
    assert study.trials[0].params  # what was suggested is kept


def test_caught_exceptions_fail_the_trial_and_continue():
    study = make_study()

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number % 2:
            raise ValueError("odd")
        return x

    with pytest.warns(UserWarning, match="failed with ValueError: odd"):
        study.optimize(objective, n_trials=4, catch=(ValueError,))
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE, TrialState.FAIL] * 2


def test_keyboard_interrupt_leaves_study_consistent():
    study = make_study()

    def objective(trial):
        trial.suggest_float("x", 0, 1)
        if trial.number == 2:
            raise KeyboardInterrupt
        return 1.0

    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=5)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL]
    study.optimize(objective, n_trials=1)  # the study is usable afterwards
    assert study.trials[-1].state == TrialState.COMPLETE


@pytest.mark.parametrize("bad", [float("nan"), "x", None])
def test_invalid_return_values_fail_with_warning(bad):
    study = make_study()
    with pytest.warns(UserWarning, match="failed because the value"):
        study.optimize(lambda t: bad, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_pruned_trials():
    study = make_study()

    def objective(trial):
        trial.report(0.5, 0)
        raise sk_hpo.TrialPruned()

    study.optimize(objective, n_trials=2)
    assert all(t.state == TrialState.PRUNED and t.value == 0.5 for t in study.trials)


def test_callbacks_and_stop():
    study = make_study()
    seen = []

    def callback(study, frozen):
        seen.append(frozen.number)
        if frozen.number == 2:
            study.stop()

    study.optimize(quadratic, n_trials=10, callbacks=[callback])
    assert seen == [0, 1, 2]
    study.optimize(quadratic, n_trials=1)  # stop does not stick
    assert len(study.trials) == 4


def test_timeout_stops_the_loop():
    study = make_study()
    study.optimize(quadratic, timeout=0.2)
    assert len(study.trials) > 0
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_threads_run_all_trials_with_unique_numbers():
    study = make_study()
    names = set()

    def objective(trial):
        names.add(threading.current_thread().name)
        return quadratic(trial)

    study.optimize(objective, n_trials=40, n_jobs=4)
    assert sorted(t.number for t in study.trials) == list(range(40))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    # each trial records who ran it: host/pid/thread, the thread being the one that ran it
    workers = {t.system_attrs["worker"] for t in study.trials}
    assert {w.split("/")[1] for w in workers} == {str(os.getpid())}
    assert {w.split("/")[2] for w in workers} == names


def test_exception_in_a_thread_propagates():
    study = make_study()

    def objective(trial):
        if trial.number == 3:
            raise RuntimeError("thread boom")
        return 1.0

    with pytest.raises(RuntimeError, match="thread boom"):
        study.optimize(objective, n_trials=20, n_jobs=2)
    assert not study.get_trials(states=(TrialState.RUNNING,))


def test_progress_bar_writes_to_stderr(capsys):
    make_study().optimize(quadratic, n_trials=3, show_progress_bar=True)
    assert "| 3/3 [" in capsys.readouterr().err


def test_exhausted_sampler_stops_optimize():
    class OneShot(RandomSampler):
        def is_exhausted(self, study):
            return len(study.trials) >= 2

    study = make_study(sampler=OneShot(seed=0))
    study.optimize(quadratic, n_trials=10)
    assert len(study.trials) == 2


@pytest.mark.parametrize("ending", ["return", "report", "prune"])
def test_trial_failed_as_stale_by_another_worker_is_dropped_and_the_loop_goes_on(
    tmp_path, ending
):
    # Our process stalls past its grace period (no beat comes within it): another worker
    # fails the trial as stale. Whatever the objective then does, optimize warns and goes on.
    url = f"sqlite:///{tmp_path / 's.db'}"
    ours = sk_hpo.storages.SQLiteStorage(url, heartbeat_interval=60.0, grace_period=0.05)
    theirs = sk_hpo.storages.SQLiteStorage(url, heartbeat_interval=60.0)
    study = sk_hpo.create_study(storage=ours, study_name="s", sampler=RandomSampler(seed=0))
    other = sk_hpo.load_study(study_name="s", storage=theirs)

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 0:
            time.sleep(0.2)
            other.tell(other.ask(), 1.0)  # the other worker's ask fails our stale trial
            if ending == "report":
                trial.report(x, step=1)
            elif ending == "prune":
                raise sk_hpo.TrialPruned()
        return x

    with pytest.warns(RuntimeWarning, match="Trial 0 was marked FAIL by another worker"):
        study.optimize(objective, n_trials=3)
    states = {t.number: t.state for t in study.get_trials()}
    assert states[0] == TrialState.FAIL
    assert sorted(states) == [0, 1, 2, 3]
    assert [states[n] for n in (1, 2, 3)] == [TrialState.COMPLETE] * 3


def test_update_finished_trial_error_of_a_running_trial_is_not_swallowed():
    study = make_study()

    def objective(trial):
        raise sk_hpo.exceptions.UpdateFinishedTrialError("from user code")

    with pytest.raises(sk_hpo.exceptions.UpdateFinishedTrialError, match="from user code"):
        study.optimize(objective, n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.FAIL]


def test_nested_optimize_of_the_same_study_is_refused():
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0))
    errors = []

    def objective(trial):
        with pytest.raises(RuntimeError, match="Nested invocation of Study.optimize"):
            trial.study.optimize(lambda t: 0.0, n_trials=1)
        errors.append(None)
        inner = sk_hpo.create_study()  # another study is fine
        inner.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
        return 1.0

    study.optimize(objective, n_trials=2, n_jobs=2)
    assert len(errors) == 2 and len(study.trials) == 2
    study.optimize(lambda t: 0.0, n_trials=1)  # and the study runs again afterwards


@pytest.mark.parametrize("n_jobs", [2, 4])
def test_reseed_rng_once_per_thread_that_runs_a_trial(n_jobs):
    calls = []

    class Counting(RandomSampler):
        def reseed_rng(self):
            calls.append(None)
            super().reseed_rng()

    study = sk_hpo.create_study(sampler=Counting(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1, n_jobs=n_jobs)
    assert len(calls) == 1


@pytest.mark.parametrize("catch", [ValueError, (ValueError,), [ValueError], {ValueError}])
def test_catch_takes_a_class_or_a_collection_of_classes(catch):
    study = make_study()

    def fail(trial):
        raise ValueError("boom")

    with pytest.warns(UserWarning, match="failed with ValueError: boom"):
        study.optimize(fail, n_trials=2, catch=catch)
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 2
