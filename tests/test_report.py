"""The HTML report: one self-contained, well-formed, escaped file."""

import base64
import sys
import warnings
from html.parser import HTMLParser

import numpy as np
import pytest

import sk_hpo
from sk_hpo.pruners import NopPruner
from sk_hpo.samplers import RandomSampler
from sk_hpo.trial import TrialState

pytest.importorskip("matplotlib")

EVIL = "<script>alert('x')</script>"
VOID = {"meta", "img", "br", "hr", "link", "input"}


class Page(HTMLParser):
    """Records the tag tree, checks nesting, and collects what the tests look at."""

    def __init__(self, text):
        super().__init__()
        self.stack, self.ids, self.images, self.urls, self.texts = [], [], [], [], []
        self.tables = {}  # section id -> number of body rows
        self.section = None
        self.in_tbody = False
        self.feed(text)
        self.close()
        assert self.stack == [], f"unclosed tags: {self.stack}"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "section":
            self.section = attrs.get("id")
        if tag == "tbody":
            self.in_tbody = True
        if tag == "tr" and self.in_tbody:
            self.tables[self.section] = self.tables.get(self.section, 0) + 1
        if tag == "img":
            self.images.append(attrs)
        for key in ("src", "href"):
            if key in attrs:
                self.urls.append(attrs[key])
        assert tag not in ("script", "link", "iframe"), tag

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag == "tbody":
            self.in_tbody = False

    def handle_data(self, data):
        self.texts.append(data)


def make_study():
    study = sk_hpo.create_study(
        study_name=f"demo {EVIL}", sampler=RandomSampler(seed=0), pruner=NopPruner()
    )
    study.set_user_attr("dataset", "digits & <friends>")

    def objective(trial):
        kind = trial.suggest_categorical("kind", ["a", EVIL])
        x = trial.suggest_float("x", 1e-3, 1.0, log=True)
        trial.set_user_attr("note", EVIL)
        for step in range(3):
            trial.report(x / (step + 1), step)
        if trial.number == 3:
            raise sk_hpo.TrialPruned()
        if trial.number == 5:
            raise RuntimeError("boom")
        return x + (kind == "a")

    with pytest.warns(UserWarning, match="failed with RuntimeError"):
        study.optimize(objective, n_trials=8, catch=(RuntimeError,))
    return study


@pytest.fixture(scope="module")
def study():
    return make_study()


@pytest.fixture(scope="module")
def page(study, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    text = sk_hpo.report(study, path)
    assert path.read_text(encoding="utf-8") == text
    return text


def test_structure(page, study):
    parsed = Page(page)
    assert page.startswith("<!DOCTYPE html>")
    assert parsed.ids == ["summary", "best-trial", "importances", "plots", "trials"]
    assert parsed.tables["trials"] == len(study.trials) == 8
    assert parsed.tables["importances"] == 2
    assert f"{study.best_trial.value:.6g}" in page
    assert "pruned: 1" in page and "fail: 1" in page and "complete: 6" in page


def test_self_contained(page):
    parsed = Page(page)
    assert all(url.startswith("data:image/png;base64,") for url in parsed.urls)
    assert "http://" not in page and "https://" not in page and "url(" not in page
    alts = [img["alt"] for img in parsed.images]
    assert alts == [
        "Optimization history",
        "Intermediate values",
        "Parameter importances",
        "Slice plot",
        "Parallel coordinate plot",
        "Contour plot",
        "Empirical distribution",
        "Timeline",
    ]
    for img in parsed.images:
        png = base64.b64decode(img["src"].split(",", 1)[1])
        assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_timeline_caption_matches_its_rows(page):
    # make_study runs optimize: rows are workers
    assert "<b>Timeline.</b> When each trial ran; one row per worker." in page


def test_timeline_caption_of_a_parallel_search_says_rows_are_not_workers():
    from sklearn.linear_model import LogisticRegression

    X = np.random.RandomState(0).normal(size=(40, 2))
    search = sk_hpo.HPOSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0, 10.0, 100.0]}, n_iter=4, cv=2, n_jobs=2,
        random_state=0,
    ).fit(X, (X[:, 0] > 0).astype(int))
    page = sk_hpo.report(search)
    assert "one row per worker" not in page
    assert "trials that overlap in time are put on separate rows (a row is not a worker)" in page


def test_everything_is_escaped(page):
    assert EVIL not in page
    assert "&lt;script&gt;" in page
    assert "digits &amp; &lt;friends&gt;" in page
    assert any(EVIL in t for t in Page(page).texts)  # the parsed text shows it as written


def test_text_only_report_needs_no_matplotlib(study, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = sk_hpo.report(study, plots=False)  # asked for no plots: no warning
    assert "<img" not in page and 'id="trials"' in page and 'id="plots"' not in page


@pytest.mark.parametrize("hidden", ["matplotlib", "matplotlib.pyplot"])
def test_report_without_matplotlib_keeps_its_tables_and_says_how_to_get_plots(
    study, monkeypatch, tmp_path, hidden
):
    monkeypatch.setitem(sys.modules, hidden, None)
    path = tmp_path / "report.html"
    with pytest.warns(UserWarning, match=r'no plots.*pip install "sk-hpo\[plot\]"') as caught:
        page = sk_hpo.report(study, path)
    assert caught[0].filename == __file__  # attributed to the caller's line
    assert path.read_text(encoding="utf-8") == page
    parsed = Page(page)
    assert parsed.images == [] and parsed.tables["trials"] == len(study.trials)
    assert 'pip install &quot;sk-hpo[plot]&quot;' in page


def test_cli_report_without_matplotlib_writes_the_report(study, monkeypatch, tmp_path, capsys):
    from sk_hpo.cli import main

    db = tmp_path / "s.db"
    stored = sk_hpo.create_study(storage=f"sqlite:///{db}", study_name="s")
    stored.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "r.html"
    with pytest.warns(UserWarning, match=r'pip install "sk-hpo\[plot\]"'):
        code = main(["report", f"sqlite:///{db}", "--study", "s", "-o", str(out)])
    assert code == 0 and "<h2>Trials</h2>" in out.read_text(encoding="utf-8")
    assert f"Wrote {out}" in capsys.readouterr().out


def test_empty_study():
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    page = sk_hpo.report(study)
    parsed = Page(page)
    assert "No COMPLETE trial yet." in page and "No trial yet: nothing to plot." in page
    assert parsed.images == [] and parsed.tables.get("trials", 0) == 0


def test_failed_only_study_shows_its_timeline():
    study = sk_hpo.create_study(sampler=RandomSampler(seed=0), pruner=NopPruner())
    study.tell(study.ask(), state=TrialState.FAIL)
    parsed = Page(sk_hpo.report(study))
    assert [img["alt"] for img in parsed.images] == ["Timeline"]


def test_accepts_a_fitted_search_and_a_title(study):
    class Search:
        study_ = study

    page = sk_hpo.report(Search(), title="My search", plots=False)
    assert "<title>My search</title>" in page


def test_bad_arguments(study):
    with pytest.raises(
        TypeError,
        match="The 'plots' parameter of report must be an instance of 'bool'. Got 'no' instead.",
    ):
        sk_hpo.report(study, plots="no")
    with pytest.raises(
        TypeError, match="The 'study' parameter of report must be a Study or a fitted HPOSearchCV"
    ):
        sk_hpo.report("study.db")


def test_report_is_the_function():
    assert callable(sk_hpo.report) and "report" in sk_hpo.__all__


def test_report_of_a_study_with_several_objectives(tmp_path):
    study = sk_hpo.create_study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
                   n_trials=8)
    page = sk_hpo.report(study, plots=False)
    assert "minimize, maximize" in page
    assert f"Pareto front</th><td>{len(study.best_trials)} trial" in page.replace("\n", "")
    assert "<th>Value 0</th><th>Value 1</th>" in page


def constrained_two_objective_study():
    study = sk_hpo.create_study(directions=["minimize", "maximize"], sampler=RandomSampler(seed=0))

    def objective(trial):
        x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        trial.set_constraint("c", x - 0.9)
        return x, y

    study.optimize(objective, n_trials=12)
    study.set_metric_names(["cost", "gain"])
    return study


def test_report_of_several_objectives_shows_front_hypervolume_and_slices():
    from sk_hpo._reporting import reference_point

    study = constrained_two_objective_study()
    text = sk_hpo.report(study)
    parsed = Page(text)
    alts = [img["alt"] for img in parsed.images]
    assert alts == ["Pareto front", "Hypervolume history", "Slice plot: cost",
                    "Slice plot: gain", "Timeline"]
    point = ", ".join(f"{v:.4g}" for v in reference_point(study))
    assert f"up to the reference point ({point})" in text
    assert "not available" not in text
    assert "importances are computed for one" in text


def test_report_reference_point_rule():
    from sk_hpo._reporting import reference_point

    study = sk_hpo.create_study(directions=["minimize", "maximize", "minimize"])
    assert reference_point(study) is None
    for values, c in [([1.0, 5.0, 2.0], 0.0), ([3.0, 2.0, 2.0], 0.0), ([9.0, -9.0, 9.0], 1.0)]:
        trial = study.ask()
        trial.set_constraint("c", c)
        study.tell(trial, values=values)
    # worst feasible value moved 10% of the range away; equal values: 10% of max(|v|, 1);
    # the infeasible trial is left out
    np.testing.assert_allclose(reference_point(study), [3.2, 1.7, 2.2])


def test_report_of_three_objectives_and_of_no_feasible_trial():
    study = sk_hpo.create_study(directions=["minimize"] * 3, sampler=RandomSampler(seed=0))
    study.optimize(lambda t: tuple(t.suggest_float(p, 0, 1) for p in "abc"), n_trials=6)
    alts = [img["alt"] for img in Page(sk_hpo.report(study)).images]
    assert alts[:2] == ["Pareto front", "Hypervolume history"]

    infeasible = sk_hpo.create_study(directions=["minimize", "minimize"])
    trial = infeasible.ask()
    trial.set_constraint("c", 1.0)
    infeasible.tell(trial, values=[1.0, 1.0])
    alts = [img["alt"] for img in Page(sk_hpo.report(infeasible)).images]
    assert "Hypervolume history" not in alts and "Pareto front" in alts
