"""Gaussian-process Bayesian optimization: numerics (kernel, gp, acquisition, space) and the
sampler's orchestration (sampler)."""

from sk_hpo.samplers._gp.sampler import GPSampler

__all__ = ["GPSampler"]
