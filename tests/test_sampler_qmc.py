import numpy as np
import pytest

import sk_hpo
from sk_hpo.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import QMCSampler
from sk_hpo.samplers._qmc import from_unit
from sk_hpo.trial import TrialState


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    y = trial.suggest_float("y", 1e-3, 1e3, log=True)
    return x + np.log10(y)


def make_study(sampler):
    return sk_hpo.create_study(sampler=sampler, pruner=NopPruner())


def test_points_follow_the_sequence_and_fill_the_space():
    study = make_study(QMCSampler(seed=0))
    study.optimize(objective, n_trials=33)
    xs = np.array([t.params["x"] for t in study.trials[1:]])
    # 32 Sobol points: every interval of width 1/8 holds exactly 4 of them.
    counts = np.bincount((xs * 8).astype(int), minlength=8)
    assert counts.tolist() == [4] * 8


def test_seed_reproducible_and_shared_sequence():
    a, b = make_study(QMCSampler(seed=3)), make_study(QMCSampler(seed=3))
    a.optimize(objective, n_trials=6)
    b.optimize(objective, n_trials=6)
    assert [t.params for t in a.trials[1:]] == [t.params for t in b.trials[1:]]


def test_halton_and_bad_type():
    study = make_study(QMCSampler(qmc_type="halton", seed=0))
    study.optimize(objective, n_trials=4)
    assert len(study.trials) == 4
    with pytest.raises(ValueError, match=r"'qmc_type' parameter of QMCSampler must be a str "
                                         r"among \{'sobol', 'halton'\}. Got 'lhs'"):
        QMCSampler(qmc_type="lhs")


def test_parameters_outside_the_space_warn():
    study = make_study(QMCSampler(seed=0))
    study.optimize(objective, n_trials=2)
    trial = study.ask()
    with pytest.warns(UserWarning, match="'z' of trial #2"):
        trial.suggest_float("z", 0, 1)


@pytest.mark.parametrize(
    "dist",
    [
        FloatDistribution(0, 1, step=0.1),
        FloatDistribution(1e-5, 1.0, log=True),
        IntDistribution(1, 1000, log=True),
        IntDistribution(0, 10, step=5),
        CategoricalDistribution(["a", "b", "c"]),
    ],
)
def test_from_unit_gives_valid_values_at_the_edges(dist):
    for u in (0.0, 1e-12, 0.5, 1 - 1e-12, 1.0):
        assert dist._contains(dist.to_internal_repr(from_unit(u, dist)))
    if not isinstance(dist, CategoricalDistribution):
        assert from_unit(0.0, dist) == dist.low
        assert from_unit(1.0, dist) == pytest.approx(dist.high, rel=1e-12)


def test_first_point_of_the_sequence_and_unscrambled_sobol():
    # Trial #0 is still running when trial #1 completes: it then takes point 0.
    study = make_study(QMCSampler(seed=0, scramble=False))
    first, second = study.ask(), study.ask()
    second.suggest_float("x", 0, 1)
    study.tell(second, 0.0)
    assert first.suggest_float("x", 0, 1) == 0.0  # unscrambled Sobol starts at the origin
    third = study.ask()
    assert third.suggest_float("x", 0, 1) == 0.5  # unscrambled points: 0, 0.5, 0.75, ...


def test_each_relative_sample_takes_the_next_point_of_the_study():
    # Optuna's counter in the study: repeated calls walk the sequence whatever the trial.
    sampler = QMCSampler(seed=0, scramble=False)
    study = make_study(sampler)
    trial = study.ask()._frozen()
    space = {"x": FloatDistribution(0, 1)}
    xs = [sampler.sample_relative(study, trial, space)["x"] for _ in range(3)]
    assert xs == [0.0, 0.5, 0.75]
    other = QMCSampler(seed=0, scramble=False)  # the same sequence in the same study: shared
    assert other.sample_relative(study, trial, space)["x"] == 0.25


def test_space_comes_from_running_trials_until_one_finishes():
    sampler = QMCSampler(seed=0)
    study = make_study(sampler)
    running = study.ask()
    running.suggest_float("a", 1, 10)
    running.suggest_float("b", -10, 2)
    assert set(sampler.infer_relative_search_space(study, study.ask()._frozen())) == {"a", "b"}
    pruned = study.ask()
    pruned.suggest_float("a", 1, 10)
    study.tell(pruned, state=TrialState.PRUNED)  # a PRUNED trial fixes the space too
    assert set(sampler.infer_relative_search_space(study, study.ask()._frozen())) == {"a"}
