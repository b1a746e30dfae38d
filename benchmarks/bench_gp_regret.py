"""GP regret benchmark: sk_hpo GPSampler vs Optuna's GPSampler (torch) vs sk_hpo TPE.

Registers two samplers in :mod:`benchmarks.bench_regret` and runs it; every option of that
script works here. Defaults: the continuous tasks, 50 trials, 10 seeds.

Usage::

    python benchmarks/bench_gp_regret.py
    python benchmarks/bench_gp_regret.py --tasks branin,hartmann6 --seeds 3
"""

from __future__ import annotations

import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import bench_regret  # noqa: E402
from benchmarks.tasks import TASKS  # noqa: E402


def _sk_hpo_gp(seed: int) -> tuple[str, Any]:
    from sk_hpo.samplers import GPSampler

    return "sk_hpo", GPSampler(seed=seed)


def _optuna_gp(seed: int) -> tuple[str, Any]:
    import optuna

    return "optuna", optuna.samplers.GPSampler(seed=seed)


bench_regret.SAMPLERS["sk_hpo-gp"] = _sk_hpo_gp
bench_regret.SAMPLERS["optuna-gp"] = _optuna_gp


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    defaults = {
        "--trials": "50",
        "--seeds": "10",
        "--samplers": "sk_hpo-gp,optuna-gp,sk_hpo-tpe",
        "--tasks": ",".join(name for name, task in TASKS.items() if task.continuous),
        "--tag": "gp",
    }
    for flag, value in defaults.items():
        if flag not in argv:
            argv += [flag, value]
    bench_regret.main(argv)


if __name__ == "__main__":
    main()
