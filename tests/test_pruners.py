import math

import numpy as np
import pytest
from scipy.stats import wilcoxon

import sk_hpo
from sk_hpo.pruners import (
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    PercentilePruner,
    SuccessiveHalvingPruner,
    WilcoxonPruner,
)
from sk_hpo.pruners._hyperband import _choose_bracket
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


def make_study(pruner, direction="minimize", study_name="pruners", storage=None):
    return sk_hpo.create_study(
        sampler=RandomSampler(seed=0), pruner=pruner, direction=direction, study_name=study_name,
        storage=storage,
    )


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def storage(request, tmp_path):
    """The conformance tests run on every storage: pruners keep their state in it."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgresql_url")
    return None if request.param == "memory" else f"sqlite:///{tmp_path / 'pruners.db'}"


def run_trial(study, values, state=TrialState.COMPLETE):
    """A finished trial that asked the pruner at each step (rungs record only when asked)."""
    trial = study.ask()
    for step, v in enumerate(values):
        trial.report(v, step)
        trial.should_prune()
    if state == TrialState.COMPLETE:
        return study.tell(trial, values[-1])
    return study.tell(trial, state=state)


def sign(direction):
    return 1.0 if direction == "minimize" else -1.0


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
def test_no_pruning_before_any_report(pruner, storage):
    study = make_study(pruner, storage=storage)
    run_trial(study, [1.0, 1.0, 1.0, 1.0, 1.0])
    assert study.ask().should_prune() is False


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_best_so_far_is_not_pruned_and_worst_is_by_aggressive_pruners(pruner, direction, storage):
    s = sign(direction)
    study = make_study(pruner, direction, storage=storage)
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
def test_nan_never_crashes(pruner, storage):
    study = make_study(pruner, storage=storage)
    run_trial(study, [1.0, math.nan, 1.0, 1.0, 1.0])
    run_trial(study, [2.0, 2.0, 2.0, 2.0, 2.0])
    trial = study.ask()
    for step in range(5):
        trial.report(math.nan, step)
        assert isinstance(trial.should_prune(), bool)


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
def test_pruned_and_failed_history_is_fine(pruner, storage):
    study = make_study(pruner, storage=storage)
    run_trial(study, [1.0, 2.0], state=TrialState.PRUNED)
    run_trial(study, [3.0], state=TrialState.FAIL)
    trial = study.ask()
    trial.report(0.5, 0)
    assert trial.should_prune() is False


@pytest.mark.parametrize(
    "factory, match",
    [
        (
            lambda: PercentilePruner(120.0),
            r"The 'percentile' parameter of PercentilePruner must be a float in the range "
            r"\[0, 100\]. Got 120.0 instead",
        ),
        (
            lambda: MedianPruner(n_startup_trials=-1),
            r"'n_startup_trials' parameter of MedianPruner must be an int in the range "
            r"\[0, inf\). Got -1 instead",
        ),
        (lambda: MedianPruner(n_warmup_steps=1.5), r"'n_warmup_steps' .* Got 1.5 instead"),
        (lambda: MedianPruner(interval_steps=0), r"'interval_steps' .* \[1, inf\). Got 0"),
        (lambda: MedianPruner(n_min_trials=0), r"'n_min_trials' .* \[1, inf\). Got 0"),
        (lambda: SuccessiveHalvingPruner(reduction_factor=1), r"'reduction_factor' .* Got 1 "),
        (lambda: SuccessiveHalvingPruner(min_resource=0), r"'min_resource' .* or a str among "
                                                          r"\{'auto'\}. Got 0 instead"),
        (lambda: SuccessiveHalvingPruner(min_early_stopping_rate=-1), r"'min_early_stopping_rate'"),
        (lambda: SuccessiveHalvingPruner(min_resource="auto", bootstrap_count=1),
         r"bootstrap_count=1 with min_resource='auto'"),
        (lambda: HyperbandPruner(min_resource=5, max_resource=2), r"min_resource <= max_resource"),
        (lambda: HyperbandPruner(max_resource="big"), r"'max_resource' .* Got 'big' instead"),
        (lambda: HyperbandPruner(bootstrap_count=2), r"bootstrap_count=2 with max_resource="),
        (lambda: WilcoxonPruner(p_threshold=1.5), r"'p_threshold' .* \[0, 1\]. Got 1.5 instead"),
        (lambda: WilcoxonPruner(n_startup_steps=-2), r"'n_startup_steps' .* Got -2 instead"),
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
    # The bracket depends on the study name and trial number only.
    assert [_choose_bracket(study.study_name, n, 3, 3) for n in range(12)] == brackets


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


# -- conformance, continued ------------------------------------------------------------------


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_asking_twice_gives_the_same_answer(pruner, direction, storage):
    s = sign(direction)
    study = make_study(pruner, direction, storage=storage)
    for level in (1.0, 2.0, 3.0):
        run_trial(study, [s * level] * 5)
    trial = study.ask()
    for step in range(5):
        trial.report(s * (10.0 + step), step)
        first = trial.should_prune()
        assert trial.should_prune() is first


@pytest.mark.parametrize("pruner", ALL_PRUNERS, ids=repr)
def test_repr_rebuilds_an_equal_pruner(pruner):
    namespace = {name: getattr(sk_hpo.pruners, name) for name in sk_hpo.pruners.__all__}
    rebuilt = eval(repr(pruner), namespace)
    assert type(rebuilt) is type(pruner)
    assert repr(rebuilt) == repr(pruner)


# -- PercentilePruner / MedianPruner ---------------------------------------------------------


def test_percentile_interval_check_is_postponed_to_the_next_reported_step():
    study = make_study(MedianPruner(n_startup_trials=0, n_warmup_steps=1, interval_steps=3))
    run_trial(study, [1.0] * 11)
    trial = study.ask()
    decisions = {}
    for step in (0, 2, 3, 5, 6, 10):  # checks at 1, 4, 7, 10
        trial.report(5.0, step)
        decisions[step] = trial.should_prune()
    assert decisions == {0: False, 2: True, 3: False, 5: True, 6: False, 10: True}


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("value, pruned", [(2.0, True), (1.5, False), (1.75, False)])
def test_percentile_keeps_the_best_quarter(direction, value, pruned):
    s = sign(direction)
    study = make_study(PercentilePruner(25.0, n_startup_trials=0), direction)
    for v in (1.0, 2.0, 3.0, 4.0):  # the 25th best percentile is 1.75
        run_trial(study, [s * v])
    trial = study.ask()
    trial.report(s * value, 0)
    assert trial.should_prune() is pruned


def test_percentile_nan_values():
    study = make_study(MedianPruner(n_startup_trials=0, n_min_trials=2))
    first = study.ask()
    first.report(math.nan, 0)
    assert not first.should_prune()  # no COMPLETE trial to compare with yet
    study.tell(first, state=TrialState.FAIL)
    run_trial(study, [1.0, 1.0])
    run_trial(study, [math.nan, 2.0])
    trial = study.ask()
    trial.report(math.nan, 0)
    assert trial.should_prune()  # nothing but NaN so far
    other = study.ask()
    other.report(9.0, 0)
    assert not other.should_prune()  # the NaN at step 0 leaves one number < n_min_trials
    other.report(math.nan, 1)
    assert other.should_prune()  # its best so far, 9.0, is worse than median(1, 2)
    good = study.ask()
    good.report(1.0, 0)
    good.report(math.nan, 1)
    assert not good.should_prune()  # its best so far, 1.0, beats the median


# -- SuccessiveHalvingPruner -----------------------------------------------------------------


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_successive_halving_keeps_the_top_third_of_a_rung(direction):
    s = sign(direction)
    study = make_study(SuccessiveHalvingPruner(min_resource=1, reduction_factor=3), direction)
    decisions = []
    for value in (5.0, 3.0, 4.0, 1.0, 2.0, 2.5, 1.5):
        trial = study.ask()
        trial.report(s * value, 0)
        decisions.append(trial.should_prune())
    # The top max(n // 3, 1) of the n values at rung 0, the new one included.
    assert decisions == [False, False, True, False, True, True, False]


def test_successive_halving_records_its_decisions():
    study = make_study(SuccessiveHalvingPruner(reduction_factor=2))
    run_trial(study, [1.0])
    trial = study.ask()
    trial.report(3.0, 0)
    assert trial.should_prune()
    trial.report(0.0, 1)  # a better value later does not undo the decision at rung 0
    assert trial.should_prune()
    attrs = study._storage.get_trial(trial._trial_id).system_attrs
    assert attrs["completed_rung_0"] == 3.0
    assert attrs["pruned_at_rung"] == 0
    assert "completed_rung_1" not in attrs


def test_successive_halving_reaches_several_rungs_at_once():
    study = make_study(SuccessiveHalvingPruner(min_resource=1, reduction_factor=2))
    trial = study.ask()
    trial.report(0.5, 3)  # 4 units of resource: rungs 0, 1 and 2 (1, 2 and 4 units)
    assert not trial.should_prune()
    attrs = study._storage.get_trial(trial._trial_id).system_attrs
    assert [attrs.get(f"completed_rung_{k}") for k in range(4)] == [0.5, 0.5, 0.5, None]


def test_successive_halving_min_early_stopping_rate_shifts_the_rungs():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, min_early_stopping_rate=1)
    assert [pruner.rung_resource(k) for k in range(3)] == [2, 4, 8]
    study = make_study(pruner)
    run_trial(study, [1.0, 1.0])
    trial = study.ask()
    trial.report(9.0, 0)
    assert not trial.should_prune()  # 1 unit: no rung yet
    trial.report(9.0, 1)
    assert trial.should_prune()


def test_successive_halving_nan_at_a_rung_is_pruned_and_not_recorded():
    study = make_study(SuccessiveHalvingPruner(reduction_factor=2))
    trial = study.ask()
    trial.report(math.nan, 0)
    assert trial.should_prune()
    attrs = study._storage.get_trial(trial._trial_id).system_attrs
    assert "completed_rung_0" not in attrs
    first_number = study.ask()
    first_number.report(7.0, 0)
    assert not first_number.should_prune()  # the NaN did not take the rung


def test_successive_halving_rungs_survive_in_a_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'rungs.db'}"
    pruner = SuccessiveHalvingPruner(reduction_factor=2)
    study = sk_hpo.create_study(
        storage=url, study_name="rungs", sampler=RandomSampler(seed=0), pruner=pruner
    )
    first = study.ask()
    first.report(1.0, 0)
    assert not first.should_prune()
    other = sk_hpo.load_study(
        study_name="rungs", storage=url, sampler=RandomSampler(seed=1), pruner=pruner
    )
    second = other.ask()
    second.report(2.0, 0)
    assert second.should_prune()  # behind the rung value written by the first Study object
    attrs = other._storage.get_trial(second._trial_id).system_attrs
    assert attrs["completed_rung_0"] == 2.0 and attrs["pruned_at_rung"] == 0


# -- HyperbandPruner -------------------------------------------------------------------------


def test_hyperband_brackets_follow_their_budgets():
    # 3 brackets, eta=3: budgets ceil(3 * 3**s / (s + 1)) for s = 2, 1, 0 = 9, 5, 3.
    brackets = np.array([_choose_bracket("budget", n, 3, 3) for n in range(3400)])
    shares = np.bincount(brackets, minlength=3) / brackets.size
    np.testing.assert_allclose(shares, np.array([9, 5, 3]) / 17, atol=0.03)


def test_hyperband_auto_max_resource_from_finished_trials():
    study = make_study(HyperbandPruner(reduction_factor=3))
    run_trial(study, [1.0] * 9)  # max_resource = 9: three brackets
    trial = study.ask()
    trial.report(1.0, 0)
    trial.should_prune()
    bracket = study._storage.get_trial(trial._trial_id).system_attrs["hyperband:bracket"]
    assert bracket == _choose_bracket(study.study_name, trial.number, 3, 3)


def test_hyperband_compares_trials_within_their_bracket_only():
    pruner = HyperbandPruner(min_resource=1, max_resource=4, reduction_factor=2)
    # A study whose trials 0, 1, 2 fall in brackets 0, 1, 0 (rungs at 1, 2, 4 / 2, 4 units).
    name = next(
        f"hb{i}"
        for i in range(1000)
        if [_choose_bracket(f"hb{i}", n, 3, 2) for n in range(3)] == [0, 1, 0]
    )
    study = make_study(pruner, study_name=name)
    leader, other_bracket, behind = study.ask(), study.ask(), study.ask()
    leader.report(0.0, 0)
    assert not leader.should_prune()
    for step in (0, 1):
        other_bracket.report(5.0, step)
        assert not other_bracket.should_prune()  # alone in bracket 1
    behind.report(5.0, 0)
    assert behind.should_prune()  # behind the leader of bracket 0
    attrs = study._storage.get_trial(other_bracket._trial_id).system_attrs
    assert attrs["hyperband:bracket"] == 1 and attrs["hyperband:1:completed_rung_0"] == 5.0


# -- WilcoxonPruner --------------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("seed", range(4))
def test_wilcoxon_matches_the_scipy_test(direction, seed):
    rng = np.random.default_rng(seed)
    best_values = rng.normal(size=8)
    trial_values = best_values + rng.normal(loc=0.4, size=8)  # worse when minimizing
    s = sign(direction)
    study = make_study(WilcoxonPruner(p_threshold=0.1), direction)
    run_trial(study, list(s * best_values))
    trial = study.ask()
    for step, v in enumerate(trial_values):
        trial.report(s * v, step)
    diff = trial_values - best_values
    p = wilcoxon(diff, alternative="greater", zero_method="zsplit").pvalue
    assert trial.should_prune() is bool(diff.mean() > 0 and p < 0.1)


def test_wilcoxon_never_prunes_a_trial_better_on_average():
    diff = np.array([-10.0] + [1.0] * 9)  # loses 9 steps of 10 but wins on the mean
    assert wilcoxon(diff, alternative="greater", zero_method="zsplit").pvalue < 0.1
    study = make_study(WilcoxonPruner(p_threshold=0.1))
    run_trial(study, [0.0] * 10)
    trial = study.ask()
    for step, d in enumerate(diff):
        trial.report(d, step)
    assert not trial.should_prune()


def test_wilcoxon_does_not_prune_on_nan_or_a_best_trial_without_values():
    # as Optuna: a NaN/inf (in the trial or in the best trial) stops the test, with a warning
    study = make_study(WilcoxonPruner(p_threshold=0.1, n_startup_steps=2))
    run_trial(study, [0.1, math.nan, 0.1, 0.1, 0.1])
    trial = study.ask()
    for step in range(5):
        trial.report(1.0, step)
    with pytest.warns(UserWarning, match="values of the best trial #0 contain infinity or NaN"):
        assert not trial.should_prune()
    study = make_study(WilcoxonPruner(p_threshold=0.1))
    run_trial(study, [0.1] * 5)
    broken = study.ask()
    for step in range(5):
        broken.report(math.nan if step == 2 else 1.0, step)
    with pytest.warns(UserWarning, match="values of trial #1 contain infinity or NaN"):
        assert not broken.should_prune()
    study = make_study(WilcoxonPruner())
    study.tell(study.ask(), 0.0)
    trial = study.ask()
    for step in range(5):
        trial.report(1.0, step)
    with pytest.warns(UserWarning, match="best trial #0 has no intermediate values"):
        assert not trial.should_prune()


def test_wilcoxon_accepts_thresholds_0_and_1():
    study = make_study(WilcoxonPruner(p_threshold=0.0))
    run_trial(study, [0.0] * 6)
    trial = study.ask()
    for step in range(6):
        trial.report(1.0, step)
    assert not trial.should_prune()  # p is never < 0
    study.pruner = WilcoxonPruner(p_threshold=1.0)
    assert trial.should_prune()


def test_wilcoxon_compares_the_means_over_all_steps():
    # shared steps 0-1 are losses, but the trial's mean (over its own steps) beats the best
    # trial's mean over all of its steps: never pruned (Optuna's "average is best" rule)
    study = make_study(WilcoxonPruner(p_threshold=0.5, n_startup_steps=2))
    run_trial(study, [0.0, 0.0, 9.0, 9.0])
    trial = study.ask()
    trial.report(1.0, 0)
    trial.report(1.0, 1)
    assert not trial.should_prune()


def test_successive_halving_auto_min_resource_waits_for_a_complete_trial():
    study = make_study(SuccessiveHalvingPruner(min_resource="auto", reduction_factor=2))
    first = study.ask()
    first.report(5.0, 0)
    assert not first.should_prune()  # no COMPLETE trial: the rungs are unknown
    study.tell(first, 5.0)
    run_trial(study, [1.0] * 300)  # 300 steps: min_resource = 3
    late = study.ask()
    late.report(9.0, 1)
    assert not late.should_prune()  # 2 units < 3: before the first rung
    late.report(9.0, 2)
    assert late.should_prune()  # 3 units: rung 0, worse than the trial that ran 300 steps
    assert "completed_rung_0" in study.trials[-1].system_attrs
