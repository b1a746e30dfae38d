"""Conformance suite: every storage honours the BaseStorage contract."""

from __future__ import annotations

import math
import pickle
import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import sk_hpo
from sk_hpo._direction import StudyDirection
from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.exceptions import DuplicatedStudyError, StudyNotFoundError, UpdateFinishedTrialError
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import BaseStorage, InMemoryStorage, SQLiteStorage
from sk_hpo.trial._state import TrialState
from tests.conftest import make_storage


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def storage(request, tmp_path):
    return make_storage(request.param, request, tmp_path)


def test_study_crud(storage):
    sid = storage.create_new_study("a", StudyDirection.MAXIMIZE)
    assert storage.get_study_id_from_name("a") == sid
    assert storage.get_study_name_from_id(sid) == "a"
    assert storage.get_study_direction(sid) == StudyDirection.MAXIMIZE
    with pytest.raises(DuplicatedStudyError, match="'a' already exists"):
        storage.create_new_study("a", StudyDirection.MINIMIZE)
    storage.set_study_user_attr(sid, "k", [1, 2])
    storage.set_study_system_attr(sid, "s", {"x": 1})
    assert storage.get_study_user_attrs(sid) == {"k": [1, 2]}
    assert storage.get_study_system_attrs(sid) == {"s": {"x": 1}}
    with pytest.raises(TypeError, match="'bad' must be JSON-serializable"):
        storage.set_study_user_attr(sid, "bad", object())
    assert [s.study_name for s in storage.get_all_studies()] == ["a"]
    storage.delete_study(sid)
    with pytest.raises(StudyNotFoundError, match="'a'"):
        storage.get_study_id_from_name("a")
    with pytest.raises(StudyNotFoundError, match="study_id"):
        storage.delete_study(sid)


def test_trials_params_and_states(storage):
    sid = storage.create_new_study("a", StudyDirection.MINIMIZE)
    trials = [storage.get_trial(storage.create_new_trial(sid)) for _ in range(3)]
    assert [t.number for t in trials] == [0, 1, 2]
    tid = trials[0]._trial_id
    est = CategoricalDistribution([LogisticRegression(), DecisionTreeClassifier(), None, 3])
    storage.set_trial_param(tid, "x", 0.5, FloatDistribution(0, 1))
    storage.set_trial_param(tid, "n", 3.0, IntDistribution(1, 5))
    storage.set_trial_param(tid, "est", 1.0, est)
    storage.set_trial_intermediate_value(tid, 2, 0.25)
    storage.set_trial_user_attr(tid, "u", "v")
    storage.set_trial_system_attr(tid, "s", [1])
    snapshot = storage.get_all_trials(sid, deepcopy=False)[0]
    assert storage.set_trial_state_values(tid, TrialState.COMPLETE, 0.1)
    t = storage.get_trial(tid)
    assert t.params["x"] == 0.5 and t.params["n"] == 3
    # JSON cannot hold an estimator: SQLite gives back its repr (never unpickled code)
    assert repr(t.params["est"]) == "DecisionTreeClassifier()"
    assert t.intermediate_values == {2: 0.25}
    assert (t.user_attrs, t.system_attrs) == ({"u": "v"}, {"s": [1]})
    assert t.state == TrialState.COMPLETE and t.value == 0.1 and t.datetime_complete
    assert snapshot.state == TrialState.RUNNING  # deepcopy=False objects never change
    with pytest.raises(UpdateFinishedTrialError, match="already finished"):
        storage.set_trial_param(tid, "y", 0.1, FloatDistribution(0, 1))
    with pytest.raises(UpdateFinishedTrialError, match="already finished"):
        storage.set_trial_state_values(tid, TrialState.FAIL)
    assert not storage.set_trial_state_values(trials[1]._trial_id, TrialState.RUNNING)
    storage.set_trial_state_values(trials[1]._trial_id, TrialState.COMPLETE, 0.0)
    storage.set_trial_state_values(trials[2]._trial_id, TrialState.FAIL)
    complete = storage.get_all_trials(sid, states=(TrialState.COMPLETE,))
    assert [t.number for t in complete] == [0, 1]
    assert storage.get_best_trial(sid).number == 1
    assert storage.get_trial_id_from_study_id_trial_number(sid, 1) == trials[1]._trial_id
    with pytest.raises(KeyError, match="No trial number"):
        storage.get_trial_id_from_study_id_trial_number(sid, 9)


def test_best_trial_maximize_and_empty(storage):
    sid = storage.create_new_study("a", StudyDirection.MAXIMIZE)
    with pytest.raises(ValueError, match="No trials are completed"):
        storage.get_best_trial(sid)
    for v in (1.0, 3.0, 2.0):
        tid = storage.create_new_trial(sid)
        storage.set_trial_state_values(tid, TrialState.COMPLETE, v)
    assert storage.get_best_trial(sid).value == 3.0


def test_waiting_and_claims(storage):
    sid = storage.create_new_study("a", StudyDirection.MINIMIZE)
    running = storage.create_new_trial(sid)
    assert isinstance(running, int)  # a trial id, as in Optuna
    template = storage.get_trial(running)._replace(
        state=TrialState.WAITING, params={"x": 0.3}, distributions={"x": FloatDistribution(0, 1)},
        _internal_params=None,
    )
    waiting = storage.get_trial(storage.create_new_trial(sid, template))
    assert waiting.number == 1 and waiting.state == TrialState.WAITING
    popped = storage.pop_waiting_trial(sid)
    assert popped.number == 1 and popped.state == TrialState.RUNNING
    assert popped.params == {"x": 0.3}
    assert storage.pop_waiting_trial(sid) is None
    assert storage.claim_trial_key(sid, running, "k")
    assert not storage.claim_trial_key(sid, popped._trial_id, "k")
    assert storage.get_claimed_keys(sid) == {"k"}


def test_released_claims_can_be_claimed_again(storage):
    sid = storage.create_new_study("a", StudyDirection.MINIMIZE)
    first, second = (storage.get_trial(storage.create_new_trial(sid)) for _ in range(2))
    assert storage.claim_trial_key(sid, first._trial_id, "k1")
    assert storage.claim_trial_key(sid, first._trial_id, "k2")
    assert storage.claim_trial_key(sid, second._trial_id, "k3")
    storage.release_trial_claims(first._trial_id)
    assert storage.get_claimed_keys(sid) == {"k3"}
    assert storage.claim_trial_key(sid, second._trial_id, "k1")
    assert not storage.claim_trial_key(sid, first._trial_id, "k3")


def test_pickle_round_trip(storage):
    sid = storage.create_new_study("a", StudyDirection.MINIMIZE)
    tid = storage.create_new_trial(sid)
    storage.set_trial_state_values(tid, TrialState.COMPLETE, 1.5)
    clone = pickle.loads(pickle.dumps(storage))
    assert clone.get_best_trial(sid).value == 1.5


def test_state_changes_and_their_checks(storage):
    sid = storage.create_new_study("a", StudyDirection.MINIMIZE)
    running = storage.get_trial(storage.create_new_trial(sid))
    template = running._replace(state=TrialState.WAITING, datetime_start=None)
    waiting = storage.get_trial(storage.create_new_trial(sid, template))
    assert storage.set_trial_state_values(waiting._trial_id, TrialState.RUNNING)
    started = storage.get_trial(waiting._trial_id)
    assert started.state == TrialState.RUNNING and started.datetime_start is not None
    assert not storage.set_trial_state_values(waiting._trial_id, TrialState.RUNNING)
    assert storage.set_trial_state_values(running._trial_id, TrialState.PRUNED, 0.5)
    pruned = storage.get_trial(running._trial_id)
    assert (pruned.state, pruned.value) == (TrialState.PRUNED, 0.5)
    assert pruned.datetime_complete >= pruned.datetime_start
    with pytest.raises(UpdateFinishedTrialError, match="Trial #0 is already finished"):
        storage.set_trial_state_values(running._trial_id, TrialState.RUNNING)
    with pytest.raises(KeyError, match="trial_id=12345"):
        storage.set_trial_state_values(12345, TrialState.COMPLETE, 1.0)


def test_non_finite_values_round_trip(storage):
    sid = storage.create_new_study("a", StudyDirection.MINIMIZE)
    tid = storage.create_new_trial(sid)
    for step, v in enumerate([math.nan, math.inf, -math.inf, np.float64(0.5)]):
        storage.set_trial_intermediate_value(tid, step, v)
    storage.set_trial_user_attr(tid, "scores", {"nan": math.nan, "inf": [math.inf, -math.inf]})
    storage.set_trial_state_values(tid, TrialState.COMPLETE, math.inf)
    for t in (storage.get_trial(tid), storage.get_all_trials(sid)[0]):
        assert math.isnan(t.intermediate_values[0])
        assert [t.intermediate_values[s] for s in (1, 2, 3)] == [math.inf, -math.inf, 0.5]
        assert type(t.intermediate_values[3]) is float
        assert math.isnan(t.user_attrs["scores"]["nan"])
        assert t.user_attrs["scores"]["inf"] == [math.inf, -math.inf]
        assert t.value == math.inf


def test_attrs_read_back_as_json_gives_them(storage):
    sid = storage.create_new_study("a", StudyDirection.MINIMIZE)
    tid = storage.create_new_trial(sid)
    storage.set_trial_system_attr(tid, "t", {"pair": (1, 2), 3: "x"})
    storage.set_study_user_attr(sid, "t", (1.5,))
    assert storage.get_trial(tid).system_attrs == {"t": {"pair": [1, 2], "3": "x"}}
    assert storage.get_study_user_attrs(sid) == {"t": [1.5]}
    with pytest.raises(TypeError, match="attribute key must be a str. Got 3 instead"):
        storage.set_trial_user_attr(tid, 3, "x")
    with pytest.raises(TypeError, match="'obj' must be JSON-serializable.*str\\(value\\)"):
        storage.set_trial_user_attr(tid, "obj", object())
    storage.set_trial_user_attr(tid, "arr", np.arange(2))  # numpy becomes plain JSON
    storage.set_trial_user_attr(tid, "n", np.float32(0.5))
    assert storage.get_trial(tid).user_attrs == {"arr": [0, 1], "n": 0.5}


def test_objective_storing_non_json_attr_fails_its_trial(storage):
    study = sk_hpo.create_study(storage=storage, sampler=RandomSampler(seed=0),
                                pruner=NopPruner())

    def objective(trial):
        trial.set_user_attr("model", object())
        return 1.0

    with pytest.raises(TypeError, match="'model' must be JSON-serializable"):
        study.optimize(objective, n_trials=1)
    assert [(t.state, t.user_attrs) for t in study.trials] == [(TrialState.FAIL, {})]


def test_params_keep_the_order_they_were_suggested_in(storage):
    study = sk_hpo.create_study(storage=storage, sampler=RandomSampler(seed=0))

    def objective(trial):
        return trial.suggest_float("z", 0, 1) + trial.suggest_int("a", 0, 3) + (
            trial.suggest_categorical("m", ["p", "q"]) == "p")

    study.optimize(objective, n_trials=2)
    assert [list(t.params) for t in study.trials] == [["z", "a", "m"]] * 2
    assert list(study.best_params) == ["z", "a", "m"]


@pytest.mark.parametrize("text, masked", [
    ("postgresql://ann:s3cret@db:5432/hpo", "postgresql://ann:***@db:5432/hpo"),
    ("postgres+psycopg://ann:p@ss@db/hpo?x=1", "postgres+psycopg://ann:***@db/hpo?x=1"),
    ("error at 'postgresql://a:b@h/d': x", "error at 'postgresql://a:***@h/d': x"),
    ("host=h password=s3cret dbname=d", "host=h password=*** dbname=d"),
    ("sqlite:////tmp/a:b@c.db", "sqlite:////tmp/a:b@c.db"),
    ("postgresql://ann@db/hpo", "postgresql://ann@db/hpo"),
])
def test_mask_url(text, masked):
    from sk_hpo.storages import mask_url

    assert mask_url(text) == masked


def test_passwords_are_masked_in_errors_and_reprs():
    from sklearn.svm import SVC

    url = "mysql://ann:s3cret@db/hpo"
    with pytest.raises(ValueError, match=r"'mysql://ann:\*\*\*@db/hpo' is not supported") as e:
        sk_hpo.create_study(storage=url)
    assert "s3cret" not in str(e.value)
    search = sk_hpo.HPOSearchCV(SVC(), {"C": [1.0]}, storage="postgresql://ann:s3cret@h/db")
    assert "s3cret" not in repr(search) and "ann:***@h/db" in repr(search)


def test_several_objectives_have_room_in_every_storage(storage):
    sid = storage.create_new_study("m", [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE])
    assert storage.get_study_directions(sid) == [StudyDirection.MINIMIZE,
                                                 StudyDirection.MAXIMIZE]
    with pytest.raises(RuntimeError, match="has 2 objectives; read its directions"):
        storage.get_study_direction(sid)
    tid = storage.create_new_trial(sid)
    assert storage.set_trial_state_values(tid, TrialState.COMPLETE, [0.25, math.inf])
    for t in (storage.get_trial(tid), storage.get_all_trials(sid)[0]):
        assert t.values == [0.25, math.inf]
        with pytest.raises(RuntimeError, match="Trial #0 has 2 objective values; read 'values'"):
            t.value  # noqa: B018
    template = storage.get_trial(tid)._replace(values=[1.0, 2.0])
    assert storage.get_trial(storage.create_new_trial(sid, template)).values == [1.0, 2.0]
    [summary] = storage.get_all_studies()
    assert summary.directions == [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE]
    assert summary.best_value is None and summary.n_trials == 2
    one = storage.create_new_study("one", [StudyDirection.MAXIMIZE])
    tid = storage.create_new_trial(one)
    storage.set_trial_state_values(tid, TrialState.COMPLETE, [3.0])
    assert storage.get_trial(tid).value == 3.0 and storage.get_trial(tid).values == [3.0]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_only_the_owners_grace_period_makes_its_trial_stale(kind, request, tmp_path):
    # The owner beats every 10 s with the default grace (60 s); another process with a grace
    # of 10 ms must not fail the owner's live trial (it did when the checker's grace applied).
    owner = make_storage(kind, request, tmp_path)  # the same database each call

    def impatient():
        return make_storage(kind, request, tmp_path, heartbeat_interval=0.002,
                            grace_period=0.01)

    sid = owner.create_new_study("s", [StudyDirection.MINIMIZE])
    live = owner._create_new_trial(sid, heartbeat=True)
    dying = impatient()._create_new_trial(sid, heartbeat=True)  # short grace, then "dies"
    time.sleep(0.05)
    checker = impatient()
    assert checker.get_stale_trial_numbers(sid) == [dying.number]
    assert checker.fail_stale_trials(sid) == [dying.number]
    assert owner.get_trial(live._trial_id).state == TrialState.RUNNING


def test_create_new_trial_returns_the_id_and_trial_reads(storage):
    # Optuna's storage contract: create_new_trial returns the trial id; the per-trial reads.
    sid = storage.create_new_study("ids", StudyDirection.MINIMIZE)
    tid = storage.create_new_trial(sid)
    assert isinstance(tid, int) and storage.get_trial(tid)._trial_id == tid
    storage.set_trial_param(tid, "x", 0.5, FloatDistribution(0, 1))
    storage.set_trial_system_attr(tid, "s", 1)
    storage.set_trial_user_attr(tid, "u", 2)
    assert storage.get_trial_number_from_id(tid) == 0
    assert storage.get_trial_params(tid) == {"x": 0.5}
    assert storage.get_trial_param(tid, "x") == 0.5
    assert storage.get_trial_system_attrs(tid) == {"s": 1}
    assert storage.get_trial_user_attrs(tid) == {"u": 2}


def test_a_storage_with_only_optunas_create_new_trial_serves_a_study():
    class OnlyTheContract(InMemoryStorage):  # a user's storage: no _create_new_trial of its own
        _create_new_trial = BaseStorage._create_new_trial

        def create_new_trial(self, study_id, template_trial=None, *, heartbeat=False):
            made = InMemoryStorage._create_new_trial(self, study_id, template_trial)
            return made._trial_id

    study = sk_hpo.create_study(storage=OnlyTheContract())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert [t.number for t in study.trials] == [0, 1, 2]
