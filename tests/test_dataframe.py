import pandas as pd
import pytest

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.trial import TrialState


@pytest.fixture
def study():
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 1:
            trial.suggest_categorical("kind", ["a", "b"])
            trial.set_user_attr("note", "branch")
        trial.report(x, 0)
        return x

    study.optimize(objective, n_trials=3)
    study.tell(study.ask(), state=TrialState.FAIL)
    return study


def test_default_columns(study):
    df = study.trials_dataframe()
    assert list(df.columns) == [
        "number",
        "value",
        "datetime_start",
        "datetime_complete",
        "duration",
        "params_x",
        "params_kind",
        "user_attrs_note",
        "state",
    ]
    assert list(df["number"]) == [0, 1, 2, 3]
    assert list(df["state"]) == ["COMPLETE"] * 3 + ["FAIL"]
    assert pd.isna(df.loc[0, "params_kind"]) and df.loc[1, "params_kind"] in ("a", "b")
    assert pd.isna(df.loc[3, "value"])
    assert (df["duration"].iloc[:3] >= pd.Timedelta(0)).all()


def test_selected_attrs_and_multi_index(study):
    df = study.trials_dataframe(attrs=("number", "intermediate_values"), multi_index=True)
    assert ("intermediate_values", 0) in df.columns
    assert df[("intermediate_values", 0)].iloc[0] == study.trials[0].value


def test_unknown_attr_is_an_error(study):
    with pytest.raises(ValueError, match=r"unknown attributes \['nope'\]"):
        study.trials_dataframe(attrs=("number", "nope"))


def test_empty_study_gives_empty_frame():
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    assert study.trials_dataframe().empty


def test_default_columns_are_optunas_without_sk_hpo_bookkeeping():
    study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))

    def objective(trial):
        trial.storage.set_trial_system_attr(trial._trial_id, "foo", "bar")
        return trial.suggest_int("n", 0, 3)

    study.optimize(objective, n_trials=2)
    assert "worker" in study.trials[0].system_attrs  # recorded, but not a column
    assert list(study.trials_dataframe().columns) == [
        "number", "value", "datetime_start", "datetime_complete", "duration", "params_n",
        "system_attrs_foo", "state",
    ]
    # Optuna spells the id with its private name; the column drops the underscore
    df = study.trials_dataframe(attrs=("number", "_trial_id"), multi_index=True)
    assert list(df.columns) == [("number", ""), ("trial_id", "")]
    assert list(df["trial_id"]) == [t._trial_id for t in study.trials]
