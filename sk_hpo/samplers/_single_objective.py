"""The refusal shared by the samplers that model one objective."""

from __future__ import annotations

from typing import Any

__all__ = ["check_single_objective"]


def check_single_objective(study: Any, sampler: str) -> None:
    """Raise ``ValueError`` when ``study`` has several objectives.

    ``ValueError`` is what Optuna's single-objective samplers (CmaEsSampler) raise there.

    Examples
    --------
    >>> import sk_hpo
    >>> check_single_objective(sk_hpo.create_study(), "TPESampler")
    """
    directions = study.directions
    if len(directions) > 1:
        raise ValueError(
            f"{sampler} optimises a single objective, but this study has {len(directions)} "
            f"(directions={[d.value for d in directions]!r}); use "
            "sk_hpo.samplers.TPESampler (the default for several objectives), NSGAIISampler, "
            "RandomSampler or QMCSampler there."
        )
