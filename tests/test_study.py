import copy
import math

import numpy as np
import pytest

import sk_hpo
from sk_hpo.exceptions import DuplicatedStudyError, StudyNotFoundError, UpdateFinishedTrialError
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.storages import InMemoryStorage
from sk_hpo.trial import TrialState


def make_study(**kwargs):
    kwargs.setdefault("sampler", RandomSampler(seed=0))
    kwargs.setdefault("pruner", NopPruner())
    return sk_hpo.create_study(**kwargs)


def test_create_study_defaults():
    study = make_study()
    assert study.direction == "minimize"
    assert study.study_name.startswith("no-name-")
    assert study.trials == []


def test_unknown_direction_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"'direction' parameter of create_study must be 'minimize' or 'maximize' .*Got 'up'",
    ):
        make_study(direction="up")


@pytest.mark.parametrize("name", ["", 3])
def test_bad_study_name(name):
    with pytest.raises(
        ValueError,
        match="'study_name' parameter of create_study must be a non-empty str or None. Got",
    ):
        make_study(study_name=name)


def test_bad_sampler_and_pruner_types():
    with pytest.raises(TypeError, match=r"The 'sampler' parameter of Study must be an instance "
                                        r"of 'BaseSampler' or None. Got 'tpe'"):
        make_study(sampler="tpe")
    with pytest.raises(TypeError, match=r"'pruner' parameter of Study must be an instance of "
                                        r"'BasePruner' or None. Got 'median'"):
        make_study(pruner="median")


def test_malformed_storage_url():
    with pytest.raises(ValueError, match=r"storage' URL 'mysql://x' is not supported"):
        make_study(storage="mysql://x")
    with pytest.raises(
        TypeError, match="'storage' parameter must be None, a URL str or an instance of"
    ):
        make_study(storage=3)


def test_create_existing_study_requires_load_if_exists():
    storage = InMemoryStorage()
    make_study(storage=storage, study_name="s")
    with pytest.raises(DuplicatedStudyError, match="'s' already exists; pass load_if_exists=True"):
        make_study(storage=storage, study_name="s")
    again = make_study(storage=storage, study_name="s", load_if_exists=True)
    assert again.study_name == "s"
    with pytest.raises(ValueError, match="exists with direction 'minimize'"):
        make_study(storage=storage, study_name="s", load_if_exists=True, direction="maximize")


def test_load_delete_and_list_studies():
    storage = InMemoryStorage()
    study = make_study(storage=storage, study_name="a", direction="maximize")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    make_study(storage=storage, study_name="b")
    assert sk_hpo.get_all_study_names(storage) == ["a", "b"]
    loaded = sk_hpo.load_study(
        study_name="a", storage=storage, sampler=RandomSampler(0), pruner=NopPruner()
    )
    assert loaded.direction == "maximize" and len(loaded.trials) == 3
    assert loaded.best_value == study.best_value
    sk_hpo.delete_study(study_name="a", storage=storage)
    assert sk_hpo.get_all_study_names(storage) == ["b"]
    with pytest.raises(StudyNotFoundError, match="No study named 'a' exists"):
        sk_hpo.load_study(study_name="a", storage=storage)
    with pytest.raises(ValueError, match="exactly one study"):
        make_study(storage=storage, study_name="c")
        sk_hpo.load_study(study_name=None, storage=storage)


@pytest.mark.parametrize("direction, pick", [("minimize", min), ("maximize", max)])
def test_best_trial_over_complete_trials_only(direction, pick):
    study = make_study(direction=direction)
    values = [3.0, 1.0, 2.0]
    for v in values:
        t = study.ask()
        t.suggest_float("x", 0, 1)
        study.tell(t, v)
    pruned = study.ask()
    pruned.report(-100.0 if direction == "minimize" else 100.0, 0)
    study.tell(pruned, state=TrialState.PRUNED)
    assert study.best_value == pick(values)
    assert study.best_trial.number == values.index(pick(values))
    assert set(study.best_params) == {"x"}


def test_best_trial_without_complete_trial():
    study = make_study()
    with pytest.raises(ValueError, match="No trials are completed yet"):
        study.best_trial  # noqa: B018


def test_tell_validation():
    study = make_study()
    trial = study.ask()
    with pytest.raises(
        ValueError,
        match="'state' parameter of Study.tell must be TrialState.COMPLETE, TrialState.PRUNED, ",
    ):
        study.tell(trial, 1.0, state=TrialState.RUNNING)
    with pytest.raises(
        ValueError,
        match=r"'values' parameter of Study.tell must be None when state is TrialState.PRUNED\.",
    ):
        study.tell(trial, 1.0, state=TrialState.PRUNED)
    with pytest.raises(ValueError, match=r"tell\(state=COMPLETE\) for trial #0: the value nan"):
        study.tell(trial, math.nan, state=TrialState.COMPLETE)
    with pytest.raises(TypeError, match="got value=1.0 and values=1.0; pass one of them"):
        study.tell(trial, 1.0, values=1.0)
    study.tell(trial, 1.0)
    # Optuna raises ValueError here; ours is also an UpdateFinishedTrialError
    with pytest.raises(ValueError, match="already finished with state COMPLETE"):
        study.tell(trial, 2.0)
    with pytest.raises(UpdateFinishedTrialError, match="already finished with state COMPLETE"):
        study.tell(trial, 2.0)
    assert study.tell(trial, 2.0, skip_if_finished=True).value == 1.0
    with pytest.raises(ValueError, match="has no trial number 7"):
        study.tell(7, 1.0)
    with pytest.raises(
        TypeError,
        match="'trial' parameter of Study.tell must be a Trial or an int. Got '0' instead.",
    ):
        study.tell("0", 1.0)


def test_tell_by_number():
    study = make_study()
    study.ask()
    assert study.tell(0, 0.5).value == 0.5


@pytest.mark.parametrize("bad", [math.nan, "abc", None, [1.0, 2.0], [math.nan]])
def test_tell_invalid_value_fails_with_warning(bad):
    study = make_study()
    trial = study.ask()
    with pytest.warns(UserWarning, match=r"Trial #0 failed because (the value|the number of)"):
        frozen = study.tell(trial, bad)
    assert frozen.state == TrialState.FAIL and frozen.value is None


@pytest.mark.parametrize("told", [[0.5], (0.5,), np.array([0.5])])
def test_a_sequence_of_one_value_completes_the_trial(told):
    study = make_study()
    assert study.tell(study.ask(), told).value == 0.5
    assert study.tell(study.ask(), values=told).value == 0.5
    study.optimize(lambda t: told, n_trials=1)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 3


def test_tell_complete_without_a_value_is_refused_and_the_trial_stays_running():
    study = make_study()
    trial = study.ask()
    with pytest.raises(ValueError, match=r"tell\(state=COMPLETE\) needs the objective value of "
                                         r"trial #0: pass value="):
        study.tell(trial, state=TrialState.COMPLETE)
    assert study.trials[0].state == TrialState.RUNNING
    assert study.tell(trial, 1.0).state == TrialState.COMPLETE


def test_objective_returning_none_fails_its_trial_with_a_warning():
    study = make_study()
    with pytest.warns(UserWarning, match="failed because the value None could not be cast"):
        study.optimize(lambda t: None, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_tell_refuses_a_trial_of_a_namesake_study_in_another_storage():
    mine, other = make_study(study_name="exp"), make_study(study_name="exp")
    theirs = other.ask()
    ours = mine.ask()
    with pytest.raises(ValueError, match=r"Trial #0 belongs to study 'exp' in another storage"):
        mine.tell(theirs, 1.0)
    assert [t.state for t in other.trials] == [TrialState.RUNNING]
    assert mine.tell(ours, 1.0).state == TrialState.COMPLETE


def test_tell_accepts_a_trial_asked_through_another_handle_on_the_same_file(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = sk_hpo.create_study(storage=url, study_name="s")
    second = sk_hpo.load_study(study_name="s", storage=url)
    assert second.tell(first.ask(), 2.0).value == 2.0


@pytest.mark.parametrize(
    "fixed, match",
    [
        ({"x": (0, 1)}, r"The \"fixed_distributions\['x'\]\" parameter of Study.ask must be a "
                     r"distribution "
                     r".* Got \(0, 1\) instead"),
        ([1], r"'fixed_distributions' parameter of Study.ask must be a dict .* Got \[1\] instead"),
    ],
)
def test_ask_with_bad_fixed_distributions_names_the_parameter(fixed, match):
    study = make_study()
    with pytest.raises(TypeError, match=match):
        study.ask(fixed)
    assert study.trials == []


def test_numpy_values_are_accepted_where_json_is_needed():
    study = make_study()
    study.enqueue_trial({"x": np.int64(3), "y": np.float32(0.5)})
    trial = study.ask()
    assert trial.suggest_int("x", 0, 5) == 3 and trial.suggest_float("y", 0, 1) == 0.5
    trial.set_user_attr("n", np.int64(7))
    study.set_user_attr("arr", np.arange(2))
    frozen = study.tell(trial, 1.0)
    assert frozen.user_attrs == {"n": 7} and type(frozen.user_attrs["n"]) is int
    assert study.user_attrs == {"arr": [0, 1]}


def test_tell_pruned_without_reports_has_no_value():
    study = make_study()
    assert study.tell(study.ask(), state=TrialState.PRUNED).value is None


def test_tell_fail():
    study = make_study()
    frozen = study.tell(study.ask(), state=TrialState.FAIL)
    assert frozen.state == TrialState.FAIL and frozen.datetime_complete is not None


def test_enqueue_trial_runs_first_and_fixes_params():
    study = make_study()
    study.enqueue_trial({"x": 0.25, "kind": "b"}, user_attrs={"why": "baseline"})
    trial = study.ask()
    assert trial.suggest_float("x", 0, 1) == 0.25
    assert trial.suggest_categorical("kind", ["a", "b"]) == "b"
    assert 0 <= trial.suggest_float("y", 0, 1) <= 1
    assert study.tell(trial, 1.0).user_attrs == {"why": "baseline"}
    study.enqueue_trial({"x": 0.25, "kind": "b"}, skip_if_exists=True)
    assert study.get_trials(states=(TrialState.WAITING,)) == []


def test_enqueue_outside_distribution_warns_and_is_used():
    study = make_study()
    study.enqueue_trial({"x": 5.0})
    trial = study.ask()
    with pytest.warns(UserWarning, match="lies outside"):
        assert trial.suggest_float("x", 0, 1) == 5.0


def test_enqueue_rejects_non_json():
    study = make_study()
    with pytest.raises(
        TypeError,
        match="'params' parameter of Study.enqueue_trial must be a JSON.*Enqueue categorical",
    ):
        study.enqueue_trial({"est": object()})
    with pytest.raises(
        TypeError,
        match=r"'params' parameter of Study.enqueue_trial .* Got \[\('x', 1\)\]",
    ):
        study.enqueue_trial([("x", 1)])


def test_get_trials_states_and_deepcopy():
    study = make_study()
    study.tell(study.ask(), 1.0)
    study.tell(study.ask(), state=TrialState.FAIL)
    study.ask()
    assert [t.state for t in study.get_trials()] == [
        TrialState.COMPLETE,
        TrialState.FAIL,
        TrialState.RUNNING,
    ]
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert [t.number for t in complete] == [0]
    complete[0].user_attrs["mutated"] = True
    assert "mutated" not in study.trials[0].user_attrs


def test_study_user_attrs():
    study = make_study()
    study.set_user_attr("owner", "me")
    assert study.user_attrs == {"owner": "me"}
    with pytest.raises(TypeError, match="'bad' must be JSON-serializable"):
        study.set_user_attr("bad", {1, 2})


def test_study_is_copyable():
    study = make_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    clone = copy.deepcopy(study)
    assert len(clone.trials) == 2


def test_ask_with_fixed_distributions():
    from sk_hpo.distributions import IntDistribution

    study = make_study()
    trial = study.ask({"n": IntDistribution(1, 3)})
    assert trial.params["n"] in (1, 2, 3)


def test_enqueue_skip_if_exists_compares_the_whole_parameter_set():
    study = make_study()
    study.enqueue_trial({"x": 1, "y": 2})
    study.enqueue_trial({"x": 1}, skip_if_exists=True)  # a subset is another configuration
    study.enqueue_trial({"x": 1, "y": 2}, skip_if_exists=True)
    assert len(study.trials) == 2


@pytest.mark.parametrize("value", ["a", 1, 1.1, 1e-17, math.inf, math.nan, None])
def test_enqueue_skip_if_exists_matches_any_json_value_nan_included(value):
    study = make_study()
    study.enqueue_trial({"x": value})
    study.enqueue_trial({"x": value}, skip_if_exists=True)
    assert len(study.trials) == 1
    study.enqueue_trial({"x": 0.0 if value != 0.0 else 1.0}, skip_if_exists=True)
    assert len(study.trials) == 2


def test_copy_study_from_memory_to_sqlite(tmp_path):
    source = InMemoryStorage()
    study = sk_hpo.create_study(storage=source, study_name="s", direction="maximize",
                                sampler=RandomSampler(seed=0))
    study.set_user_attr("owner", "me")
    study.set_system_attr("note", [1, 2])
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    study.ask()  # RUNNING: not copied
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    sk_hpo.copy_study(from_study_name="s", from_storage=source, to_storage=url,
                      to_study_name="t")
    copied = sk_hpo.load_study(study_name="t", storage=url)
    assert copied.direction == study.direction
    assert copied.user_attrs == {"owner": "me"} and copied.system_attrs["note"] == [1, 2]
    assert [t.params for t in copied.trials] == [t.params for t in study.trials[:3]]
    assert copied.best_value == study.best_value
    with pytest.raises(DuplicatedStudyError):
        sk_hpo.copy_study(from_study_name="s", from_storage=source, to_storage=url,
                          to_study_name="t")


@pytest.mark.parametrize("include_best_trial", [True, False])
def test_get_all_study_summaries(include_best_trial):
    storage = InMemoryStorage()
    empty = sk_hpo.create_study(storage=storage, study_name="empty")
    done = sk_hpo.create_study(storage=storage, study_name="done", sampler=RandomSampler(seed=0))
    done.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    first, second = sk_hpo.get_all_study_summaries(storage, include_best_trial)
    assert (first.study_name, first.n_trials, first.datetime_start) == ("empty", 0, None)
    assert first.best_trial is None and first._study_id == empty._study_id
    assert (second.study_name, second.n_trials) == ("done", 2)
    assert second.datetime_start == done.trials[0].datetime_start
    assert (second.best_trial is not None) is include_best_trial


def test_optunas_one_element_directions():
    study = sk_hpo.create_study(directions=["maximize"])
    assert study.direction == sk_hpo.StudyDirection.MAXIMIZE
    assert study.directions == [sk_hpo.StudyDirection.MAXIMIZE]
    assert sk_hpo.create_study(directions=["minimize", "maximize"])._is_multi_objective()
    with pytest.raises(
        ValueError,
        match="'directions' parameter of create_study must be a non-empty list.*Got 'minimize'",
    ):
        sk_hpo.create_study(directions="minimize")
    with pytest.raises(ValueError, match="Give direction or directions, not both"):
        sk_hpo.create_study(direction="minimize", directions=["minimize"])
