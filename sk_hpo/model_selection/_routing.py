"""Where the metadata given to ``fit`` goes: the estimator's fit, the splitter, the scorer.

With scikit-learn's metadata routing enabled (``sklearn.set_config(
enable_metadata_routing=True)``) each consumer gets what it requested. Without it, as in
GridSearchCV: ``groups`` goes to the splitter, everything else to the estimator's ``fit``,
and ``sample_weight`` also to the scorers that accept it (with a warning for those that do
not).
"""

from __future__ import annotations

from typing import Any

from sklearn.utils import Bunch
from sklearn.utils.metadata_routing import process_routing

from sk_hpo._compat import scorer_accepts_sample_weight
from sk_hpo._warnings import warn_user
from sk_hpo.model_selection._scoring import MultiScorer, routing_enabled

__all__ = ["route_fit_params"]


def route_fit_params(owner: Any, params: dict[str, Any], scorer: Any) -> Bunch:
    """``Bunch(fit=..., split=..., score=...)``: the parameters of each consumer."""
    if routing_enabled():
        routed = process_routing(owner, "fit", **params)
        return Bunch(
            fit=dict(routed.estimator.fit),
            split=dict(routed.splitter.split),
            score=dict(routed.scorer.score),
        )
    params = dict(params)
    groups = params.pop("groups", None)
    score_params = {}
    if params.get("sample_weight") is not None:
        scorers = scorer.scorers if isinstance(scorer, MultiScorer) else {None: scorer}
        refusing = [n for n, s in scorers.items() if not scorer_accepts_sample_weight(s)]
        for name in refusing:  # scikit-learn's words, one warning per scorer
            shown = scorers[name] if name is None else f"{name}={scorers[name]}"
            warn_user(
                f"The scoring {shown} does not support sample_weight, which may lead to "
                f"statistically incorrect results when fitting {owner} with sample_weight. "
            )
        if len(refusing) < len(scorers):
            score_params["sample_weight"] = params["sample_weight"]
    return Bunch(fit=params, split={"groups": groups}, score=score_params)
