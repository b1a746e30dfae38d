import pytest

from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.samplers._search_space import (
    SearchSpaceTracker,
    group_decomposed_search_space,
    intersection_search_space,
)
from sk_hpo.trial import FrozenTrial, TrialState

F = FloatDistribution(0.0, 1.0)


def make_trial(trial_id, dists, state=TrialState.COMPLETE):
    params = {
        name: (d.choices[0] if isinstance(d, CategoricalDistribution) else d.low)
        for name, d in dists.items()
    }
    return FrozenTrial(
        trial_id, state, 0.0, None, None, params, dict(dists), {}, {}, {}, trial_id
    )


def test_plain_space_is_one_group_and_the_intersection():
    trials = [make_trial(i, {"x": F, "y": F}) for i in range(3)]
    assert group_decomposed_search_space(trials) == [{"x": F, "y": F}]
    assert intersection_search_space(trials) == {"x": F, "y": F}


def test_conditional_space_splits_into_groups():
    model = CategoricalDistribution(["svm", "tree"])
    trials = [
        make_trial(0, {"model": model, "C": F, "gamma": F}),
        make_trial(1, {"model": model, "depth": IntDistribution(1, 8)}),
        make_trial(2, {"model": model, "C": F, "gamma": F}),
    ]
    groups = group_decomposed_search_space(trials)
    assert [sorted(g) for g in groups] == [["model"], ["C", "gamma"], ["depth"]]
    assert intersection_search_space(trials) == {"model": model}


def test_groups_do_not_depend_on_trial_order():
    dists = [{"a": F, "b": F, "c": F}, {"a": F, "d": F}, {"a": F, "b": F}]
    forward = group_decomposed_search_space([make_trial(i, d) for i, d in enumerate(dists)])
    backward = group_decomposed_search_space(
        [make_trial(i, d) for i, d in reversed(list(enumerate(dists)))]
    )
    assert sorted(map(sorted, forward)) == sorted(map(sorted, backward))
    assert sorted(map(sorted, forward)) == [["a"], ["b"], ["c"], ["d"]]


def test_dynamic_and_single_valued_parameters_are_left_out():
    trials = [
        make_trial(0, {"x": F, "n": IntDistribution(1, 5), "k": IntDistribution(3, 3)}),
        make_trial(1, {"x": F, "n": IntDistribution(1, 9), "k": IntDistribution(3, 3)}),
    ]
    assert group_decomposed_search_space(trials) == [{"x": F}]
    assert intersection_search_space(trials) == {"x": F}


def test_tracker_is_incremental_and_skips_seen_trials():
    tracker = SearchSpaceTracker()
    first = make_trial(0, {"x": F})
    tracker.update([first])
    tracker.update([first])
    assert tracker.n_trials == 1
    tracker.update([make_trial(1, {"x": F, "y": F})])
    assert tracker.n_trials == 2
    assert [sorted(g) for g in tracker.groups()] == [["x"], ["y"]]
    assert tracker.intersection() == {"x": F}


def test_empty_tracker():
    tracker = SearchSpaceTracker()
    assert tracker.groups() == []
    assert tracker.intersection() == {}


@pytest.mark.parametrize("n_branches", [1, 3])
def test_trials_with_no_parameters(n_branches):
    trials = [make_trial(0, {})] + [make_trial(i + 1, {f"p{i}": F}) for i in range(n_branches)]
    groups = group_decomposed_search_space(trials)
    assert sorted(map(sorted, groups)) == [[f"p{i}"] for i in range(n_branches)]
    assert intersection_search_space(trials) == {}
