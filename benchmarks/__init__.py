"""Benchmarks of sk_hpo (not part of the package); see README.md."""
