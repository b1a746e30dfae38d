import textwrap

import pytest

import sk_hpo
from sk_hpo.study import MaxTrialsCallback
from sk_hpo.trial import TrialState


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    if x < 0.3:
        raise sk_hpo.TrialPruned()
    return x


def test_stops_at_the_study_wide_budget_of_complete_trials():
    study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=4)
    already = len(study.get_trials(states=(TrialState.COMPLETE,)))
    study.optimize(objective, n_trials=100, callbacks=[MaxTrialsCallback(6)])
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(complete) == 6 > already
    assert study.trials[-1].state == TrialState.COMPLETE  # stopped right at the budget


def test_states_none_counts_every_trial():
    study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=100, callbacks=[MaxTrialsCallback(7, states=None)])
    assert len(study.trials) == 7


WORKER = textwrap.dedent(
    """
    import sys
    import sk_hpo
    from sk_hpo.study import MaxTrialsCallback
    study = sk_hpo.load_study(study_name="s", storage=sys.argv[1])
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1000,
                   callbacks=[MaxTrialsCallback(40)])
    """
)


def test_processes_sharing_a_study_stop_together(tmp_path, run_workers):
    url = f"sqlite:///{tmp_path / 's.db'}"
    sk_hpo.create_study(storage=url, study_name="s")
    run_workers(WORKER, url, n=2)
    n = len(sk_hpo.load_study(study_name="s", storage=url).trials)
    assert 40 <= n <= 41  # each process checks after its own trial: one may overshoot by one


@pytest.mark.parametrize("n", [0, -3, 2.5, True, None])
def test_bad_budget(n):
    with pytest.raises(ValueError, match=rf"must be an int in the range \[1, inf\)\. Got {n!r} "):
        MaxTrialsCallback(n)
