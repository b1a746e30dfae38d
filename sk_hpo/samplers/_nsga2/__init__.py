"""NSGA-II: orchestration in ``sampler.py``, numerics in ``_elite.py`` and ``_crossover.py``."""

from __future__ import annotations

from sk_hpo.samplers._nsga2.sampler import NSGAIISampler

__all__ = ["NSGAIISampler"]
