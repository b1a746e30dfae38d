from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import sk_hpo
from sk_hpo import HPOSearchCV
from sk_hpo._progress import ProgressBar, TrialProgress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def quadratic(trial):
    return trial.suggest_float("x", -1.0, 1.0) ** 2


def test_plain_lines_are_few_and_end_with_the_final_count():
    out = io.StringIO()
    bar = ProgressBar(unit="trials", stream=out)
    bar.start(100)
    for done in range(1, 101):
        bar.update(done, best=1.0 / done)
    bar.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert 1 <= len(lines) <= 11  # one per tenth of the budget, not one per trial
    assert lines[-1].startswith("[sk_hpo] 100/100 trials (100%), best=0.01, elapsed ")
    assert lines[-1].endswith("remaining 00:00")


def test_plain_close_prints_the_final_state_once_when_the_budget_is_not_reached():
    out = io.StringIO()
    bar = ProgressBar(stream=out)
    bar.start(100)
    bar.update(3, best=None)  # the first tenth: printed
    bar.update(5, best=None)  # same tenth: not printed
    bar.close()  # prints the final state
    bar.update(6, best=None)  # after close: ignored
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "3/100 trials (3%)" in lines[0]
    assert "5/100 trials (5%), best=-" in lines[1]


def test_terminal_bar_is_redrawn_in_place_and_ends_with_a_newline():
    out = FakeTerminal()
    bar = ProgressBar(unit="candidates", stream=out)
    bar.start(4)
    for done in range(1, 5):
        bar.update(done, best=0.5 + done / 10)
    bar.close()
    text = out.getvalue()
    assert text.startswith("\r[sk_hpo]   0%|--------------------| 0/4 candidates, best=-")
    assert text.endswith("\n") and text.count("\n") == 1
    final = text.rstrip("\n").split("\r")[-1]
    assert final.startswith("[sk_hpo] 100%|####################| 4/4 candidates, best=0.9 [")
    assert "<00:00]" in final


def test_write_prints_above_the_terminal_bar(capsys):
    out = FakeTerminal()
    bar = ProgressBar(stream=out)
    bar.start(2)
    bar.write("[trial 0] COMPLETE")
    bar.close()
    assert capsys.readouterr().out == "[trial 0] COMPLETE\n"
    # the bar was erased before the message and drawn again after it
    assert out.getvalue().count("[sk_hpo]") >= 3


def test_timeout_only_budget_shows_count_and_remaining_time():
    out = io.StringIO()
    bar = ProgressBar(stream=out)
    bar.start(None, timeout=3600)
    bar.update(1, best=2.0)
    bar.close()
    line = out.getvalue().splitlines()[-1]
    assert line.startswith("[sk_hpo] 1 trials, best=2, elapsed 00:")
    assert "remaining 59:5" in line or "remaining 1:00:00" in line


@pytest.mark.parametrize("direction, best", [("minimize", 1.0), ("maximize", 9.0)])
def test_trial_progress_tracks_the_best_value_in_the_study_direction(direction, best):
    study = sk_hpo.create_study(direction=direction)
    study.enqueue_trial({"x": 3.0})
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=1)  # 9.0, before
    progress = TrialProgress(study, total=2, stream=io.StringIO())
    for x in (1.0, 2.0):
        study.enqueue_trial({"x": x})
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=2, callbacks=[progress])
    progress.close()
    assert progress.done == 2 and progress.best == best


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_optimize_progress_bar_off_a_terminal_prints_plain_lines(capsys, n_jobs):
    sk_hpo.create_study().optimize(quadratic, n_trials=10, n_jobs=n_jobs, show_progress_bar=True)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "\r" not in err and 1 <= len(lines) <= 11
    # Optuna's tqdm line
    assert lines[-1].startswith("Best trial: ")
    assert "100%|####################| 10/10 [00:00<00:00, " in lines[-1]
    assert lines[-1].endswith("it/s]")


def test_optimize_progress_bar_on_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    sk_hpo.create_study().optimize(quadratic, n_trials=5, n_jobs=2, show_progress_bar=True)
    final = terminal.getvalue().rstrip("\n").split("\r")[-1]
    assert final.startswith("Best trial: ") and "100%|####################| 5/5 [" in final


def test_optimize_with_a_timeout_and_no_trial_budget_reports_what_it_did(capsys):
    study = sk_hpo.create_study(sampler=sk_hpo.samplers.GridSampler({"x": [0.0, 1.0]}))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), timeout=60, show_progress_bar=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("Best trial: 0. Best value: 0:   0%|")
    assert lines[-1].endswith("| 00:00/01:00")


def test_optimize_without_progress_bar_is_silent(capsys):
    sk_hpo.create_study().optimize(quadratic, n_trials=3, n_jobs=2)
    assert capsys.readouterr() == ("", "")


X = np.random.RandomState(0).normal(size=(60, 3))
Y = (X[:, 0] > 0).astype(int)


def search(verbose, n_jobs=2):
    return HPOSearchCV(
        LogisticRegression(),
        {"C": [0.1, 1.0, 10.0, 100.0]},
        n_iter=4,
        cv=3,
        n_jobs=n_jobs,
        verbose=verbose,
        random_state=0,
    )


def test_search_verbose_0_prints_nothing(capsys):
    search(verbose=0).fit(X, Y)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_search_verbose_1_shows_candidates_done_and_best_score(capsys, n_jobs):
    fitted = search(verbose=1, n_jobs=n_jobs).fit(X, Y)
    out, err = capsys.readouterr()
    assert out.startswith("Fitting 3 folds for each of up to 4 candidates")
    lines = err.splitlines()
    assert 1 <= len(lines) <= 5
    assert lines[-1].startswith(
        f"[sk_hpo] 4/4 candidates (100%), best={fitted.best_score_:.4g}, elapsed "
    )


def test_search_verbose_2_prints_trial_lines_above_a_terminal_bar(capsys, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    search(verbose=2).fit(X, Y)
    out = capsys.readouterr().out
    assert out.count("[trial ") == 4 and "\r" not in out
    assert "4/4 candidates" in terminal.getvalue().split("\r")[-1]


def test_trial_progress_counts_without_a_best_for_several_objectives():
    class MultiObjective:  # Optuna's rule: direction and best_value raise RuntimeError
        @property
        def direction(self):
            raise RuntimeError("several directions")

    class Trial:
        state = sk_hpo.TrialState.COMPLETE

        @property
        def value(self):
            raise RuntimeError("several values")

    out = io.StringIO()
    progress = TrialProgress(MultiObjective(), total=2, stream=out)
    progress(None, Trial())
    progress(None, Trial())
    progress.close()
    assert progress.done == 2 and progress.best is None
    assert "2/2 trials (100%), best=-" in out.getvalue().splitlines()[-1]


@pytest.mark.parametrize("timeout, shown", [(59.0, "/00:59"), (3600.0, "/1:00:00"),
                                            (864000.0, "/240:00:00")])
def test_optimize_bar_with_only_a_timeout_shows_elapsed_over_timeout(capsys, timeout, shown):
    study = sk_hpo.create_study()
    study.optimize(lambda t: study.stop() or 1.0, timeout=timeout, show_progress_bar=True)
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.startswith("Best trial: 0. Best value: 1:   0%|") and line.endswith(shown)


def test_optimize_bar_with_trials_and_timeout_shows_seconds(capsys):
    sk_hpo.create_study().optimize(lambda t: 1.0, n_trials=2, timeout=10.0, show_progress_bar=True)
    line = capsys.readouterr().err.splitlines()[-1]
    assert "100%|" in line and "| 2/2 [" in line and line.endswith("/10.0 seconds]")


def test_progress_bar_layout_is_checked():
    with pytest.raises(ValueError, match="'layout' parameter of ProgressBar must be"):
        ProgressBar(layout="tqdm")
