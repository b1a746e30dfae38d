"""TPESampler on studies of several objectives and with constraints."""

from __future__ import annotations

import numpy as np
import pytest

import sk_hpo
from sk_hpo._pareto import hypervolume
from sk_hpo.samplers import RandomSampler, TPESampler
from sk_hpo.samplers._tpe._constraints import Outcomes
from sk_hpo.trial import TrialState, create_trial


def zdt1(trial):
    x = np.array([trial.suggest_float(f"x{i}", 0, 1) for i in range(4)])
    g = 1 + 9 * x[1:].mean()
    return x[0], g * (1 - np.sqrt(x[0] / g))


def _hv(sampler, n_trials=60):
    study = sk_hpo.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=n_trials)
    return hypervolume([t.values for t in study.trials], [1.1, 11.0])


def test_multi_objective_tpe_beats_random_on_zdt1():
    assert _hv(TPESampler(seed=0)) > _hv(RandomSampler(seed=0))


def test_default_sampler_of_several_objectives_is_tpe():
    study = sk_hpo.create_study(directions=["minimize", "maximize"])
    assert isinstance(study.sampler, TPESampler)


@pytest.mark.parametrize("multivariate", [True, False])
def test_several_objectives_with_maximize_pruned_and_independent_parameters(multivariate):
    sampler = TPESampler(seed=1, n_startup_trials=4, multivariate=multivariate)
    study = sk_hpo.create_study(directions=["maximize", "minimize"], sampler=sampler)

    def objective(trial):
        x = trial.suggest_float("x", -2, 2)
        k = trial.suggest_int("k", 0, 5)
        if trial.number % 5 == 4:
            raise sk_hpo.TrialPruned()
        return -(x**2) - k, (x - 1) ** 2

    study.optimize(objective, n_trials=25)
    states = [t.state for t in study.trials]
    assert states.count(TrialState.PRUNED) == 5 and states.count(TrialState.COMPLETE) == 20
    assert study.best_trials


def test_seeded_multi_objective_runs_repeat():
    a = sk_hpo.create_study(directions=["minimize"] * 2, sampler=TPESampler(seed=3))
    b = sk_hpo.create_study(directions=["minimize"] * 2, sampler=TPESampler(seed=3))
    a.optimize(zdt1, n_trials=15)
    b.optimize(zdt1, n_trials=15)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_constraints_steer_proposals_to_the_feasible_region():
    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        trial.set_constraint("x_at_least_4", 4 - x)  # feasible when x >= 4
        return x**2  # unconstrained optimum 0 is infeasible

    study = sk_hpo.create_study(sampler=TPESampler(seed=0, n_startup_trials=10))
    study.optimize(objective, n_trials=50)
    late = np.array([t.params["x"] for t in study.trials[30:]])
    # the search gathers at the boundary of the feasible region, not at the infeasible 0
    assert 3 < np.median(late) < 6 and np.mean(late >= 4) >= 0.5
    assert study.best_trial.params["x"] >= 4


def test_constraints_func_is_deprecated_and_stored_for_complete_and_pruned():
    with pytest.warns(FutureWarning, match="'constraints_func' parameter of TPESampler"):
        sampler = TPESampler(seed=0, constraints_func=lambda t: [t.params["x"] - 0.5, -1.0])
    study = sk_hpo.create_study(sampler=sampler)

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 1:
            raise sk_hpo.TrialPruned()
        if trial.number == 2:
            raise ValueError("boom")
        return x

    study.optimize(objective, n_trials=4, catch=(ValueError,))
    stored = [t.system_attrs.get("constraints") for t in study.trials]
    assert stored[0] == [study.trials[0].params["x"] - 0.5, -1.0]
    assert stored[1] is not None and stored[2] is None  # pruned yes, failed no
    assert set(study.trials[0].constraints) == {"0", "1"}


def test_constraints_func_nan_and_bad_type():
    with pytest.warns(FutureWarning):
        sampler = TPESampler(constraints_func=lambda t: [float("nan")])
    study = sk_hpo.create_study(sampler=sampler)
    with pytest.raises(ValueError, match="'constraints_func' of TPESampler returned NaN"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(ValueError, match="'constraints_func' parameter of TPESampler must be"):
        TPESampler(constraints_func=3)


def test_outcomes_rows_by_number_and_violation():
    study = sk_hpo.create_study(directions=["minimize", "maximize"])
    study.add_trial(create_trial(values=[1.0, 2.0]))
    study.add_trial(create_trial(state=TrialState.PRUNED, system_attrs={"constraints:c": 2.0}))
    study.add_trial(create_trial(values=[3.0, 4.0], system_attrs={"constraints:c": -1.0}))
    out = Outcomes()
    trials = study.trials
    out.extend([trials[2]])
    assert not out.any_violation
    out.extend(trials[:2])
    values, violation = out.rows(np.array([2, 0, 1]))
    np.testing.assert_array_equal(values[:2], [[3.0, 4.0], [1.0, 2.0]])
    assert np.isnan(values[2]).all() and violation.tolist() == [0.0, 0.0, 2.0]
    assert out.any_violation
