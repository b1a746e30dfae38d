"""Samplers: policies that propose each trial's parameters."""

from __future__ import annotations

from sk_hpo.samplers._base import BaseSampler
from sk_hpo.samplers._cmaes import CmaEsSampler
from sk_hpo.samplers._gp import GPSampler
from sk_hpo.samplers._grid import GridSampler
from sk_hpo.samplers._nsga2 import NSGAIISampler
from sk_hpo.samplers._qmc import QMCSampler
from sk_hpo.samplers._random import RandomSampler
from sk_hpo.samplers._tpe import TPESampler

__all__ = [
    "BaseSampler",
    "CmaEsSampler",
    "GPSampler",
    "GridSampler",
    "NSGAIISampler",
    "QMCSampler",
    "RandomSampler",
    "TPESampler",
]
