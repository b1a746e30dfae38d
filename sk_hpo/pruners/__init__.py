"""Pruners: policies that stop unpromising trials early."""

from __future__ import annotations

from sk_hpo.pruners._base import BasePruner
from sk_hpo.pruners._hyperband import HyperbandPruner
from sk_hpo.pruners._nop import NopPruner
from sk_hpo.pruners._percentile import MedianPruner, PercentilePruner
from sk_hpo.pruners._successive_halving import SuccessiveHalvingPruner
from sk_hpo.pruners._wilcoxon import WilcoxonPruner

__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "WilcoxonPruner",
]
