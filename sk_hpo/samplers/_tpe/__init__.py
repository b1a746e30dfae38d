"""Tree-structured Parzen Estimator sampler (orchestration in ``sampler``, numerics apart)."""

from __future__ import annotations

from sk_hpo.samplers._tpe.sampler import TPESampler

__all__ = ["TPESampler"]
