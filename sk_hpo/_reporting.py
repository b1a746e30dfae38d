"""A self-contained HTML report of a study: summary, best trial, plots, trials table.

The page has inline CSS and its plots as inline base64 PNG images: one file that opens
anywhere without network access. Every text taken from the study is HTML-escaped.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._validation import BOOLEAN, check_param
from sk_hpo._warnings import warn_user
from sk_hpo.importance._trials import resolve_study, shorten
from sk_hpo.trial._constraints import is_feasible
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study
    from sk_hpo.trial import FrozenTrial

__all__ = ["report"]

NO_MATPLOTLIB = (
    "The report has no plots: they need matplotlib, an optional dependency. Install it with "
    'pip install "sk-hpo[plot]" (or pip install matplotlib) and write the report again.'
)
_MAX_CONTOUR_PARAMS = 3
_DPI = 90
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
.meta { color: #666; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
th { background: #f4f6f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.COMPLETE td.state { color: #1f77b4; } tr.PRUNED td.state { color: #d46b08; }
tr.FAIL td.state { color: #c62828; } tr.RUNNING td.state, tr.WAITING td.state { color: #777; }
tr.best { background: #fff8e1; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.note { color: #777; font-style: italic; }
.scroll { overflow-x: auto; }
"""


def report(
    study: Study | Any,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
    plots: bool = True,
) -> str:
    """Build a self-contained HTML report of a study, and write it to ``path``.

    The report holds a summary (direction, trials by state, best value, times), the best
    trial, the parameter importances, the plots of :mod:`sk_hpo.visualization` as inline
    images, and a table of all trials. It needs no network access to open.

    For a study of several objectives the plots are the Pareto front (the first three
    objectives when there are more), the hypervolume history, one slice plot per objective
    and the timeline. The hypervolume's reference point is, in each objective, the worst
    value among the feasible COMPLETE trials moved a tenth of that objective's range further
    away (a tenth of ``max(|worst|, 1)`` when every value is the same); the caption shows it.

    Parameters
    ----------
    study : Study or fitted HPOSearchCV
    path : str or path-like, default=None
        Where to write the HTML file (UTF-8); None only returns the text.
    title : str, default=None
        Page title; None means ``"Study <name>"``.
    plots : bool, default=True
        Embed the plots (needs matplotlib, the ``plot`` extra). Without matplotlib the report
        is written without them, with a note and a warning saying how to get them. False
        gives a text-only report, silently.

    Returns
    -------
    str
        The HTML text.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> page = sk_hpo.report(study, plots=False)
    >>> page.startswith("<!DOCTYPE html>"), "<h2>Trials</h2>" in page
    (True, True)
    """
    study = resolve_study(study, "report")
    check_param("report", "plots", plots, [BOOLEAN])
    trials = study.get_trials(deepcopy=False)
    best = _best_trial(study)
    importances, importance_note = _importances(study)
    name = study.study_name
    heading = f"Study {name}" if title is None else str(title)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(heading)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(heading)}</h1>",
        f'<p class="meta">Report generated {_e(_now())} by sk_hpo {_e(_version())}.</p>',
        _summary_section(study, trials, best),
        _best_section(best, multi_objective=len(study.directions) > 1),
        _importance_section(importances, importance_note),
    ]
    if plots:
        parts.append(_plots_section(study, trials, importances))
    parts.append(_trials_section(trials, best))
    parts.append("</body></html>")
    page = "\n".join(parts) + "\n"
    if path is not None:
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(page)
        except OSError as e:
            raise type(e)(
                e.errno, f"The 'path' parameter of report must be a file that can be written: "
                f"{e.strerror}. Got {os.fspath(path)!r} instead."
            ) from e
    return page


# -- sections ------------------------------------------------------------------------------------


def _summary_section(study: Study, trials: list[FrozenTrial], best: FrozenTrial | None) -> str:
    counts = {s.name: 0 for s in TrialState}
    for t in trials:
        counts[t.state.name] += 1
    starts = [t.datetime_start for t in trials if t.datetime_start is not None]
    ends = [t.datetime_complete for t in trials if t.datetime_complete is not None]
    durations = [t.duration.total_seconds() for t in trials if t.duration is not None]
    by_state = ", ".join(f"{n.lower()}: {c}" for n, c in counts.items() if c)
    rows = [
        ("Study", study.study_name),
        ("Directions" if len(study.directions) > 1 else "Direction",
         ", ".join(d.value for d in study.directions)),
        ("Trials", f"{len(trials)} ({by_state})" if trials else "0"),
        _best_row(study, best),
        ("First trial started", _date(min(starts)) if starts else "—"),
        ("Last trial finished", _date(max(ends)) if ends else "—"),
        ("Wall time", _seconds(max(ends) - min(starts), 1) if starts and ends else "—"),
        ("Time in trials", f"{sum(durations):.1f} s" if durations else "—"),
    ]
    rows += [(f"user attr: {k}", v) for k, v in sorted(study.user_attrs.items())]
    return '<section id="summary"><h2>Summary</h2>' + _kv_table(rows) + "</section>"


def _best_row(study: Study, best: FrozenTrial | None) -> tuple[str, str]:
    if len(study.directions) > 1:
        front = study.best_trials
        return ("Pareto front", f"{len(front)} trial{'s' if len(front) != 1 else ''}: "
                + ", ".join(f"#{t.number}" for t in front[:20]) + (" ..." if len(front) > 20
                                                                      else ""))
    return ("Best value", "—" if best is None else f"{_fmt(best.value)} (trial #{best.number})")


def _best_section(best: FrozenTrial | None, multi_objective: bool = False) -> str:
    head = '<section id="best-trial"><h2>Best trial</h2>'
    if multi_objective:
        return head + ('<p class="note">The study has several objectives: its best trials are '
                       "the Pareto front listed in the summary (study.best_trials).</p></section>")
    if best is None:
        return head + '<p class="note">No COMPLETE trial yet.</p></section>'
    rows: list[tuple[str, Any]] = [
        ("Number", best.number),
        ("Value", _fmt(best.value)),
        ("Duration", "—" if best.duration is None else _seconds(best.duration, 3)),
    ]
    rows += [(f"param: {k}", v) for k, v in best.params.items()]
    rows += [(f"user attr: {k}", v) for k, v in sorted(best.user_attrs.items())]
    return head + _kv_table(rows) + "</section>"


def _importance_section(importances: dict[str, float] | None, reason: str) -> str:
    head = '<section id="importances"><h2>Parameter importances (fANOVA)</h2>'
    if importances is None:
        return head + f'<p class="note">{_e(reason)}</p></section>'
    rows = "".join(
        f'<tr><td>{_e(k)}</td><td class="num">{v:.3f}</td></tr>' for k, v in importances.items()
    )
    return (
        head + "<table><thead><tr><th>Parameter</th><th>Importance</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _plots_section(
    study: Study, trials: list[FrozenTrial], importances: dict[str, float] | None
) -> str:
    from sk_hpo import visualization as vis
    from sk_hpo.visualization._utils import import_pyplot

    head = '<section id="plots"><h2>Plots</h2>'
    try:
        import_pyplot()
    except ImportError:
        warn_user(NO_MATPLOTLIB)
        return head + f'<p class="note">{_e(NO_MATPLOTLIB)}</p></section>'
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    if not trials:
        return head + '<p class="note">No trial yet: nothing to plot.</p></section>'
    if len(study.directions) > 1:
        figures = _multi_objective_figures(study, complete)
        return head + "\n".join(_figure(*f) for f in figures) + "</section>"
    ranked = list(importances) if importances else sorted(
        {p for t in complete for p in t.params}
    )
    contour_params = ranked[:_MAX_CONTOUR_PARAMS]
    figures: list[tuple[str, Any, Callable[[], Any]]] = [
        ("Optimization history", "Value of each COMPLETE trial and the best so far.",
         lambda: vis.OptimizationHistoryDisplay.from_study(study)),
        ("Intermediate values", "Reported values by step; pruned trials end with a cross.",
         lambda: vis.IntermediateValuesDisplay.from_study(study)),
        ("Parameter importances", "Share of the objective's variance each parameter explains.",
         lambda: vis.ParamImportancesDisplay.from_study(study)),
        ("Slice plot", "The objective against each parameter.",
         lambda: vis.SliceDisplay.from_study(study)),
        ("Parallel coordinate plot", "Each COMPLETE trial as a line across the parameters.",
         lambda: vis.ParallelCoordinateDisplay.from_study(study)),
        ("Contour plot", f"The objective over pairs of {', '.join(contour_params)}.",
         lambda: vis.ContourDisplay.from_study(study, params=contour_params)),
        ("Empirical distribution", "Fraction of COMPLETE trials at or below each value.",
         lambda: vis.EDFDisplay.from_study(study)),
        ("Timeline", lambda display: f"When each trial ran; {display.rows_text}.",
         lambda: vis.TimelineDisplay.from_study(study)),
    ]
    if not any(t.intermediate_values for t in trials):
        figures = [f for f in figures if f[0] != "Intermediate values"]
    if len(contour_params) < 2 or not complete:
        figures = [f for f in figures if f[0] != "Contour plot"]
    if not complete:
        figures = [f for f in figures if f[0] in ("Intermediate values", "Timeline")]
    body = [_figure(name, caption, build) for name, caption, build in figures]
    return head + "\n".join(body) + "</section>"


def _multi_objective_figures(
    study: Study, complete: list[FrozenTrial]
) -> list[tuple[str, Any, Callable[[], Any]]]:
    """The plots of a study of several objectives: front, hypervolume, slices, timeline."""
    from sk_hpo import visualization as vis

    n = len(study.directions)
    names = study.metric_names or [f"Objective {i}" for i in range(n)]
    shown = min(n, 3)
    targets = None if n <= 3 else (lambda t: t.values[:3])
    front_caption = (
        "Each COMPLETE trial's objective values"
        + ("" if n <= 3 else f" (the first 3 of {n})")
        + "; the Pareto front in red, infeasible trials in grey."
    )
    figures: list[tuple[str, Any, Callable[[], Any]]] = [
        ("Pareto front", front_caption,
         lambda: vis.ParetoFrontDisplay.from_study(
             study, targets=targets, target_names=list(names[:shown]))),
    ]
    reference = reference_point(study)
    if reference is not None:
        point = ", ".join(f"{v:.4g}" for v in reference)
        figures.append(
            ("Hypervolume history",
             f"Hypervolume of the feasible Pareto front after each trial, up to the reference "
             f"point ({point}): the worst feasible value of each objective moved 10% of its "
             "range away.",
             lambda: vis.HypervolumeHistoryDisplay.from_study(study, reference)))
    if complete:
        for i, name in enumerate(names):
            figures.append(
                (f"Slice plot: {name}", f"{name} against each parameter.",
                 lambda i=i, name=name: vis.SliceDisplay.from_study(
                     study, target=lambda t: t.values[i], target_name=name)))
    figures.append(("Timeline", lambda display: f"When each trial ran; {display.rows_text}.",
                    lambda: vis.TimelineDisplay.from_study(study)))
    return figures


def reference_point(study: Study, margin: float = 0.1) -> list[float] | None:
    """The report's hypervolume reference point; None without a feasible COMPLETE trial.

    In each objective: the worst value among the feasible COMPLETE trials, moved
    ``margin`` times the objective's range (max - min over those trials) further away, or
    ``margin * max(|worst|, 1)`` when every value is the same.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(directions=["minimize", "maximize"])
    >>> for v in ([1.0, 5.0], [3.0, 2.0]):
    ...     _ = study.tell(study.ask(), values=v)
    >>> [round(v, 6) for v in reference_point(study)]
    [3.2, 1.7]
    """
    values = np.array([
        t.values for t in study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if is_feasible(t)
    ], dtype=float)
    if values.size == 0:
        return None
    maximize = np.array([d.value == "maximize" for d in study.directions])
    worst = np.where(maximize, values.min(axis=0), values.max(axis=0))
    span = values.max(axis=0) - values.min(axis=0)
    span = np.where(span > 0, span, np.maximum(np.abs(worst), 1.0))
    return (worst + np.where(maximize, -1.0, 1.0) * margin * span).tolist()


def _trials_section(trials: list[FrozenTrial], best: FrozenTrial | None) -> str:
    params = list(dict.fromkeys(p for t in trials for p in t.params))
    attrs = list(dict.fromkeys(a for t in trials for a in t.user_attrs))
    n_values = max((len(t.values) for t in trials if t.values), default=1)
    value_names = ["Value"] if n_values == 1 else [f"Value {i}" for i in range(n_values)]
    header = ["#", "State", *value_names, "Started", "Duration (s)", "Steps"]
    header += [f"param: {p}" for p in params] + [f"user attr: {a}" for a in attrs]
    rows = []
    for t in trials:
        cls = t.state.name + (" best" if best is not None and t.number == best.number else "")
        cells = [
            f'<td class="num">{t.number}</td>',
            f'<td class="state">{t.state.name}</td>',
            *(
                f'<td class="num">{_e(_fmt(v))}</td>'
                for v in (t.values or [None] * n_values)
            ),
            f"<td>{_e(_date(t.datetime_start))}</td>",
            f'<td class="num">{"" if t.duration is None else _seconds(t.duration, 3, "")}</td>',
            f'<td class="num">{len(t.intermediate_values) or ""}</td>',
        ]
        cells += [f"<td>{_cell(t.params, p)}</td>" for p in params]
        cells += [f"<td>{_cell(t.user_attrs, a)}</td>" for a in attrs]
        rows.append(f'<tr class="{cls}">' + "".join(cells) + "</tr>")
    head_html = "".join(f"<th>{_e(h)}</th>" for h in header)
    return (
        '<section id="trials"><h2>Trials</h2><div class="scroll"><table>'
        f"<thead><tr>{head_html}</tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></div></section>"
    )


# -- plots ---------------------------------------------------------------------------------------


def _figure(name: str, caption: str | Callable[[Any], str], build: Callable[[], Any]) -> str:
    """One plot as an inline PNG; a note instead when its data cannot be computed.

    ``caption`` may be a function of the display, for a caption that depends on the data.
    """
    try:
        display = build()
    except ValueError as e:  # e.g. a parameter of mixed kinds: say so, keep the report
        return f'<figure><p class="note">{_e(name)} not available: {_e(str(e))}</p></figure>'
    if callable(caption):
        caption = caption(display)
    figure = _draw(display)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img alt="{_e(name)}" src="data:image/png;base64,{data}">'
        f"<figcaption><b>{_e(name)}.</b> {_e(caption)}</figcaption></figure>"
    )


def _draw(display: Any) -> Any:
    """Draw ``display`` on a pyplot-free Figure (no GUI backend, no global figure list)."""
    from matplotlib.figure import Figure

    from sk_hpo import visualization as vis

    n = len(getattr(display, "domains", ()))
    if isinstance(display, vis.SliceDisplay):
        figure = Figure(figsize=(max(4.0, 3.2 * n), 3.4), layout="constrained")
        ax = figure.subplots(1, max(n, 1), squeeze=False, sharey=True)
    elif isinstance(display, vis.ContourDisplay) and n > 2:
        figure = Figure(figsize=(3.2 * n, 3.0 * n), layout="constrained")
        ax = figure.subplots(n, n)
    elif isinstance(display, vis.ParetoFrontDisplay) and len(display.target_names) == 3:
        figure = Figure(figsize=(6.4, 5.2), layout="constrained")
        ax = figure.add_subplot(projection="3d")
    else:
        figure = Figure(figsize=(7.2, 4.2), layout="constrained")
        ax = figure.subplots()
    display.plot(ax=ax)
    return figure


# -- helpers -------------------------------------------------------------------------------------


def _best_trial(study: Study) -> FrozenTrial | None:
    """The best trial; None without a COMPLETE (feasible) one or with several objectives."""
    if len(study.directions) > 1:
        return None
    try:
        return study.best_trial
    except ValueError:
        return None


def _importances(study: Study) -> tuple[dict[str, float] | None, str]:
    from sk_hpo.importance import get_param_importances

    if len(study.directions) > 1:
        return None, (
            "The study has several objectives; importances are computed for one: "
            "sk_hpo.importance.get_param_importances(study, target=lambda t: t.values[0])."
        )
    try:
        return get_param_importances(study), ""
    except ValueError as e:  # too few trials or no shared parameter
        return None, str(e)


def _kv_table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_text(v))}</td></tr>" for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


def _cell(mapping: dict[str, Any], key: str) -> str:
    return _e(shorten(_text(mapping[key]), 60)) if key in mapping else ""


def _text(value: Any) -> str:
    return _fmt(value) if isinstance(value, float) else str(value)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"


def _seconds(delta: datetime.timedelta, digits: int, unit: str = " s") -> str:
    return f"{delta.total_seconds():.{digits}f}{unit}"


def _date(value: datetime.datetime | None) -> str:
    return "" if value is None else value.isoformat(sep=" ", timespec="seconds")


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")


def _version() -> str:
    import sk_hpo

    return sk_hpo.__version__


def _e(text: str) -> str:
    return html.escape(text, quote=True)
