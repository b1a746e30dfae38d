import math

import pytest

import sk_hpo
from sk_hpo.pruners import (
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    PercentilePruner,
    SuccessiveHalvingPruner,
    WilcoxonPruner,
)
from sk_hpo.samplers import RandomSampler
from sk_hpo.trial import TrialState

ALL_PRUNERS = [
    NopPruner(),
    MedianPruner(n_startup_trials=0),
    PercentilePruner(25.0, n_startup_trials=0),
    SuccessiveHalvingPruner(reduction_factor=2),
    HyperbandPruner(min_resource=1, max_resource=4, reduction_factor=2),
    WilcoxonPruner(p_threshold=0.1, n_startup_steps=2),
]


def make_study(pruner, direction="minimize"):
    return sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=pruner, direction=direction)


def run_trial(study, values, state=TrialState.COMPLETE):
    trial = study.ask()
    for step, v in enumerate(values):
        trial.report(v, step)
    if state == TrialState.COMPLETE:
        return study.tell(trial, values[-1])
    return study.tell(trial, state=state)


def sign(direction):
    return 1.0 if direction == "minimize" else -1.0


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
def test_no_pruning_before_any_report(pruner):
    study = make_study(pruner)
    run_trial(study, [1.0, 1.0, 1.0, 1.0, 1.0])
    assert study.ask().should_prune() is False


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_best_so_far_is_not_pruned_and_worst_is_by_aggressive_pruners(pruner, direction):
    s = sign(direction)
    study = make_study(pruner, direction)
    for level in (1.0, 2.0, 3.0):
        run_trial(study, [s * level] * 5)
    good = study.ask()
    bad = study.ask()
    for step in range(5):
        good.report(s * (0.5 - 0.01 * step), step)
        bad.report(s * (10.0 + step), step)
        assert good.should_prune() is False
    decision = bad.should_prune()
    assert isinstance(decision, bool)
    if not isinstance(pruner, (NopPruner, HyperbandPruner)):  # a bracket may never prune here
        assert decision is True


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
def test_nan_never_crashes(pruner):
    study = make_study(pruner)
    run_trial(study, [1.0, math.nan, 1.0, 1.0, 1.0])
    run_trial(study, [2.0, 2.0, 2.0, 2.0, 2.0])
    trial = study.ask()
    for step in range(5):
        trial.report(math.nan, step)
        assert isinstance(trial.should_prune(), bool)


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
def test_pruned_and_failed_history_is_fine(pruner):
    study = make_study(pruner)
    run_trial(study, [1.0, 2.0], state=TrialState.PRUNED)
    run_trial(study, [3.0], state=TrialState.FAIL)
    trial = study.ask()
    trial.report(0.5, 0)
    assert trial.should_prune() is False


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: PercentilePruner(120.0), r"'percentile' parameter of PercentilePruner must be a number in \[0, 100\], got 120.0"),
        (lambda: MedianPruner(n_startup_trials=-1), r"'n_startup_trials' parameter of MedianPruner must be an int >= 0, got -1"),
        (lambda: MedianPruner(n_warmup_steps=1.5), r"'n_warmup_steps' .* got 1.5"),
        (lambda: MedianPruner(interval_steps=0), r"'interval_steps' .* >= 1, got 0"),
        (lambda: MedianPruner(n_min_trials=0), r"'n_min_trials' .* >= 1, got 0"),
        (lambda: SuccessiveHalvingPruner(reduction_factor=1), r"'reduction_factor' .* >= 2, got 1"),
        (lambda: SuccessiveHalvingPruner(min_resource=0), r"'min_resource' .* >= 1, got 0"),
        (lambda: SuccessiveHalvingPruner(min_early_stopping_rate=-1), r"'min_early_stopping_rate'"),
        (lambda: HyperbandPruner(min_resource=5, max_resource=2), r"min_resource <= max_resource"),
        (lambda: HyperbandPruner(max_resource="big"), r"'max_resource' .* got 'big'"),
        (lambda: WilcoxonPruner(p_threshold=1.5), r"'p_threshold' .* in \(0, 1\), got 1.5"),
        (lambda: WilcoxonPruner(n_startup_steps=-2), r"'n_startup_steps' .* got -2"),
    ],
)
def test_bad_arguments(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_median_startup_warmup_and_interval():
    study = make_study(MedianPruner(n_startup_trials=2, n_warmup_steps=1, interval_steps=2))
    run_trial(study, [1.0, 1.0, 1.0, 1.0])
    trial = study.ask()
    trial.report(5.0, 0)
    assert not trial.should_prune()  # one COMPLETE trial < n_startup_trials
    run_trial(study, [1.0, 1.0, 1.0, 1.0])
    assert not trial.should_prune()  # step 0 is in the warm-up
    trial.report(5.0, 1)
    assert trial.should_prune()  # step 1 = warm-up end, on the interval
    trial.report(5.0, 2)
    assert not trial.should_prune()  # step 2 is off the interval
    trial.report(5.0, 3)
    assert trial.should_prune()


def test_median_uses_best_value_over_steps():
    study = make_study(MedianPruner(n_startup_trials=1))
    run_trial(study, [1.0, 1.0])
    trial = study.ask()
    trial.report(0.5, 0)
    trial.report(3.0, 1)  # worse now, but its best so far beats the median
    assert not trial.should_prune()


def test_percentile_n_min_trials():
    study = make_study(PercentilePruner(50.0, n_startup_trials=0, n_min_trials=2))
    run_trial(study, [1.0])
    trial = study.ask()
    trial.report(9.0, 0)
    assert not trial.should_prune()
    run_trial(study, [1.0])
    assert trial.should_prune()


def test_successive_halving_rungs_live_in_the_storage():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    study = make_study(pruner)
    first = study.ask()
    first.report(1.0, 0)
    assert not first.should_prune()
    stored = study._storage.get_trial(first._trial_id)
    assert stored.system_attrs["completed_rung_0"] == 1.0
    # A second Study object on the same storage sees the rung.
    other = sk_hpo.load_study(
        study_name=study.study_name, storage=study._storage, sampler=RandomSampler(0), pruner=pruner
    )
    second = other.ask()
    second.report(2.0, 0)
    assert second.should_prune()
    third = other.ask()
    third.report(0.5, 0)
    assert not third.should_prune()
    third.report(0.5, 1)  # rung 1 needs 2 units of resource: step 1
    assert not third.should_prune()
    assert "completed_rung_1" in study._storage.get_trial(third._trial_id).system_attrs


def test_successive_halving_bootstrap_count():
    study = make_study(SuccessiveHalvingPruner(reduction_factor=2, bootstrap_count=1))
    trial = study.ask()
    trial.report(1.0, 0)
    assert trial.should_prune()


def test_hyperband_brackets_are_deterministic_and_separate():
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    assert pruner.n_brackets == 3
    study = make_study(pruner)
    brackets = []
    for _ in range(12):
        trial = study.ask()
        trial.report(1.0, 0)
        trial.should_prune()
        brackets.append(study._storage.get_trial(trial._trial_id).system_attrs["hyperband:bracket"])
        study.tell(trial, 1.0)
    assert set(brackets) <= {0, 1, 2}
    again = make_study(pruner)
    # The bracket depends on the study name and trial number only.
    from sk_hpo.pruners._hyperband import _choose_bracket

    assert _choose_bracket(study.study_name, 3, 3, 3) == brackets[3]
    assert again.study_name != study.study_name


def test_hyperband_auto_waits_for_a_finished_trial():
    study = make_study(HyperbandPruner(reduction_factor=2))
    trial = study.ask()
    trial.report(100.0, 0)
    assert not trial.should_prune()


def test_wilcoxon_needs_enough_shared_steps():
    study = make_study(WilcoxonPruner(p_threshold=0.1, n_startup_steps=2))
    run_trial(study, [0.1] * 5)
    trial = study.ask()
    for step in range(3):
        trial.report(1.0, step)
        assert not trial.should_prune()  # 2**-3 = 0.125 > 0.1
    trial.report(1.0, 3)
    assert trial.should_prune()


def test_wilcoxon_keeps_a_trial_that_ties_or_wins():
    study = make_study(WilcoxonPruner(), direction="maximize")
    run_trial(study, [0.8, 0.9, 0.7, 0.8, 0.9])
    trial = study.ask()
    for step, v in enumerate([0.8, 0.95, 0.7, 0.85, 0.9]):
        trial.report(v, step)
        assert not trial.should_prune()
