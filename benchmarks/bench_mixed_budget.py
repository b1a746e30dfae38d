"""Mixed-budget regret: TPE and GP modelling trials stopped at different budgets, variants.

A synthetic multi-fidelity problem of 5 mixed parameters (two floats, a log float, an int,
a categorical). A trial is evaluated at growing budgets ``b = 1, 3, 9, 27`` and reports
each value at step ``b``; a pruner (successive halving, reduction factor 3, by default)
stops it early. The full-budget value is the loss ``f(x)`` (plus a little noise); a
low-budget value is *biased*: ``f(x) + (1 - r) * (1 + c * bias(x)) + noise``, ``r = b / 27``
(``c``: ``--bias``, default 1; 0 makes low budgets unbiased, only shifted and noisy),
where ``bias`` favours large learning rates and small ints (fast learners look good
early, as in machine learning), away from the optimum of ``f``, with noise that shrinks
with the budget.

Each run spends the same total budget (``--budget`` full-budget evaluations' worth of
resource units: a trial pruned after budget ``b`` costs ``b``), and its regret is
``f(x) - min f`` of the COMPLETE trial with the best observed final value. Samplers:

- ``tpe``: sk_hpo's TPE as it is: trials ranked by the deepest step reached (COMPLETE
  trials first by final value, then pruned trials, deeper first, by their last value);
- ``tpe-bohb``: TPE ranking as BOHB does (:mod:`sk_hpo.samplers._budgets` with ``n_min =
  gamma(n)``: everyone at the highest step that fills the good group, by the value there);
- ``gp``: sk_hpo's GP as it is: trained on the COMPLETE trials only;
- ``gp-bohb``: the GP trained on the values at the highest step that ``d + 1`` trials
  reached, trials pruned below it entering at the worst value there;
- ``gp-deepest``: the GP trained on the final values, trials pruned lower entering at the
  worst of them (``n_min = 1``: the deepest step reached, as TPE ranks).

The variants are made by patching the samplers for the run. Each variant is compared with
its family's reference (``tpe``, ``gp``: the samplers as they are) on the same seeds
(paired; with Hyperband the brackets depend on the study name, so pairs are looser).

Prints, per sampler, the mean and median final regret over the seeds, and writes the table
with the command to ``benchmarks/results/mixed_budget_<timestamp>.md``. Paired differences
(variant - reference, same seeds) are reported with their standard error.

Usage (quiet 2-core machine; regret does not depend on the load, only the duration does)::

    # the real run: ~10 min (the GP runs take most of it)
    python benchmarks/bench_mixed_budget.py --seeds 20 --budget 30
    # low budgets only mildly biased: ~10 min
    python benchmarks/bench_mixed_budget.py --seeds 20 --budget 20 --bias 0.2
    # TPE only, 40 seeds, with Hyperband: ~3 min
    python benchmarks/bench_mixed_budget.py --samplers tpe,tpe-bohb --seeds 40 --pruner hyperband
    # smoke run
    python benchmarks/bench_mixed_budget.py --seeds 2 --budget 6 --out /tmp
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import math
import os
import shlex
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BUDGETS = (1, 3, 9, 27)
KINDS = ("a", "b", "c")


def loss(p: dict[str, Any]) -> float:
    """Full-budget loss ``f``; its minimum is 0 (x=0.7, y=0.2, lr=10**-2.5, n=11, kind c)."""
    return (
        4 * (p["x"] - 0.7) ** 2
        + 4 * (p["y"] - 0.2) ** 2
        + (math.log10(p["lr"]) + 2.5) ** 2 / 4
        + ((p["n"] - 11) / 8) ** 2
        + 0.3 * (p["kind"] != "c")
    )


def bias(p: dict[str, Any]) -> float:
    """Low-budget bias: small for large learning rates and small ints (not f's optimum)."""
    return 1.5 * (math.log10(p["lr"]) ** 2 / 16 + (p["n"] - 1) / 15) + 0.3 * (p["kind"] != "a")


def suggest(trial: Any) -> dict[str, Any]:
    return {
        "x": trial.suggest_float("x", 0.0, 1.0),
        "y": trial.suggest_float("y", 0.0, 1.0),
        "lr": trial.suggest_float("lr", 1e-4, 1.0, log=True),
        "n": trial.suggest_int("n", 1, 16),
        "kind": trial.suggest_categorical("kind", list(KINDS)),
    }


def make_sampler(name: str, seed: int) -> Any:
    from sk_hpo.samplers import GPSampler, TPESampler

    return (GPSampler if name.startswith("gp") else TPESampler)(seed=seed)


@contextlib.contextmanager
def variant(name: str) -> Iterator[None]:
    """Patch the samplers for the variants ``tpe-bohb``, ``gp-bohb`` and ``gp-deepest``."""
    from sk_hpo.samplers._gp import sampler as gp
    from sk_hpo.samplers._tpe import sampler as tpe
    from sk_hpo.trial import TrialState

    saved = (tpe.TPESampler._budget_n_min, gp.GPSampler._budget_n_min, gp._MODELLED)
    if name == "tpe-bohb":
        tpe.TPESampler._budget_n_min = lambda self, n: max(self._gamma(n), 1)
    elif name in ("gp-bohb", "gp-deepest"):
        gp._MODELLED = (TrialState.COMPLETE, TrialState.PRUNED)
        if name == "gp-deepest":
            gp.GPSampler._budget_n_min = lambda self, d: 1
    try:
        yield
    finally:
        tpe.TPESampler._budget_n_min, gp.GPSampler._budget_n_min, gp._MODELLED = saved


def make_pruner(name: str) -> Any:
    from sk_hpo import pruners

    if name == "sha":
        return pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    if name == "hyperband":
        return pruners.HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    return pruners.MedianPruner(n_startup_trials=5)


def run(sampler_name: str, pruner: str, seed: int, budget: float, bias_scale: float = 1.0) -> float:
    """Final regret of one search spending ``budget`` full evaluations' worth of units."""
    import sk_hpo

    noise = np.random.default_rng(10_000 + seed)
    spent = 0.0

    def objective(trial: Any) -> float:
        nonlocal spent
        p = suggest(trial)
        f, b_x = loss(p), bias_scale * bias(p)
        for b in BUDGETS[:-1]:
            r = b / BUDGETS[-1]
            spent += b
            trial.report(f + (1 - r) * (1 + b_x) + noise.normal(0, 0.3 * (1 - r)), b)
            if trial.should_prune():
                raise sk_hpo.TrialPruned()
        spent += BUDGETS[-1]
        trial.set_user_attr("loss", f)
        return f + noise.normal(0, 0.02)

    study = sk_hpo.create_study(
        sampler=make_sampler(sampler_name, seed), pruner=make_pruner(pruner)
    )
    with variant(sampler_name), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while spent < budget * BUDGETS[-1]:
            study.optimize(objective, n_trials=1)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not complete:
        return float(loss({"x": 0.0, "y": 1.0, "lr": 1.0, "n": 1, "kind": "a"}))
    return float(min(complete, key=lambda t: t.value).user_attrs["loss"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samplers", default="tpe,tpe-bohb,gp,gp-bohb,gp-deepest")
    parser.add_argument("--pruner", default="sha", choices=["sha", "hyperband", "median"])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=float, default=30.0, help="full evaluations' worth")
    parser.add_argument(
        "--bias", type=float, default=1.0, help="scale of the low-budget bias (0: none)"
    )
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    args = parser.parse_args(argv)
    names = args.samplers.split(",")
    regret = {
        name: np.array(
            [run(name, args.pruner, s, args.budget, args.bias) for s in range(args.seeds)]
        )
        for name in names
    }
    lines = ["| sampler | mean regret | median regret | vs reference: mean paired diff ± s.e. |"]
    lines.append("|---|---|---|---|")
    for name in names:
        cell = ""
        family = name.split("-")[0]
        ref = family
        if name != ref and ref in regret:
            diff = regret[name] - regret[ref]
            se = diff.std(ddof=1) / np.sqrt(diff.size) if diff.size > 1 else float("nan")
            cell = f"{diff.mean():+.4f} ± {se:.4f} (better on {int((diff < 0).sum())}/{diff.size})"
        r = regret[name]
        lines.append(f"| {name} | {r.mean():.4f} | {np.median(r):.4f} | {cell} |")
    command = "python benchmarks/bench_mixed_budget.py " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    report = "\n".join(
        [
            f"# Mixed-budget regret ({datetime.datetime.now():%Y-%m-%d %H:%M})",
            "",
            f"Command: `{command}`",
            "",
            f"Synthetic multi-fidelity problem (budgets {BUDGETS}, low-budget bias x"
            f"{args.bias:g}), "
            f"pruner {args.pruner}, {args.budget:g} full evaluations' worth of budget per "
            f"run, {args.seeds} seeds; regret of the best COMPLETE trial.",
            "",
            *lines,
            "",
        ]
    )
    print(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(
        args.out, f"mixed_budget_{datetime.datetime.now():%Y%m%d_%H%M%S}.md"
    )
    with open(path, "w") as fh:
        fh.write(report)
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
