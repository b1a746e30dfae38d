"""Pruners: policies that stop unpromising trials early."""

from __future__ import annotations

from sk_hpo.pruners._base import BasePruner
from sk_hpo.pruners._nop import NopPruner

__all__ = [
    "BasePruner",
    "NopPruner",
]
