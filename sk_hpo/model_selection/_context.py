"""What a search's scores depend on, recorded in its study so a reused study stays consistent.

Fold scores of two fits can be pooled only when they measure the same thing: the same
estimator (class and fixed parameters), search space, scoring, CV splits and data. The first
HPOSearchCV fit on a study records that *search context* in the study's system attributes;
later fits (resumed, or in other processes) compare theirs and refuse a mismatch instead of
silently mixing scores.

Claiming a study for a search is atomic (the storage's compare-and-set): of two different
searches started together on one new study, exactly one claims it and the other is refused.
A study none of whose trials was scored (all FAIL: a typo in the space, NaN in X) is claimed
again by a corrected search.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np

from sk_hpo.model_selection._params import readable_label
from sk_hpo.model_selection._space import SearchSpace
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study import Study

__all__ = ["CONTEXT_KEY", "search_context", "check_context"]

CONTEXT_KEY = "sk_hpo:search_context"


def _describe_scoring(scoring: Any) -> Any:
    if scoring is None or isinstance(scoring, str):
        return scoring
    if isinstance(scoring, (list, tuple, set)):
        return sorted(str(s) for s in scoring)
    if isinstance(scoring, dict):
        return {str(k): readable_label(v) for k, v in sorted(scoring.items())}
    return readable_label(scoring)


def _describe_estimator(estimator: Any) -> dict[str, Any]:
    cls = type(estimator)
    params = {k: readable_label(v) for k, v in sorted(estimator.get_params(deep=True).items())}
    return {"class": f"{cls.__module__}.{cls.__qualname__}", "params": params}


def _splits_digest(splits: Sequence[tuple[np.ndarray, np.ndarray]]) -> str:
    digest = hashlib.sha256()
    for train, test in splits:
        digest.update(np.asarray(train, dtype=np.int64).tobytes())
        digest.update(b"|")
        digest.update(np.asarray(test, dtype=np.int64).tobytes())
        digest.update(b"#")
    return digest.hexdigest()


def search_context(
    estimator: Any,
    space: SearchSpace,
    scoring: Any,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    X: Any,
    y: Any,
) -> dict[str, Any]:
    """The JSON context of a search (see the module docstring)."""
    return {
        "estimator": _describe_estimator(estimator),
        "param_distributions": space.describe(),
        "scoring": _describe_scoring(scoring),
        "n_splits": len(splits),
        "splits": _splits_digest(splits),
        "data": joblib.hash((X, y)),
    }


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _only_failed(trials: Sequence[Any]) -> bool:
    """Whether the study's trials (at least one) all FAILed: nothing scored, nothing running."""
    return bool(trials) and all(t.state == TrialState.FAIL for t in trials)


def check_context(study: Study, context: dict[str, Any], n_trials: int) -> None:
    """Claim a new study for the search ``context``, or raise ValueError when the study's
    recorded search differs.

    A study with trials but no recorded context was not made by HPOSearchCV and is refused
    too. A study whose trials all failed is claimed again by ``context`` (a corrected
    search). ``n_trials`` is ignored (kept for callers): the trials are read here, between
    the storage's atomic compare-and-set attempts.
    """
    storage, study_id = study._storage, study._study_id
    canonical = json.loads(json.dumps(context))  # as the storage gives it back
    while True:  # each pass either returns, raises, or lost a race that changed the study
        stored = storage.get_study_system_attrs(study_id).get(CONTEXT_KEY)
        trials = storage.get_all_trials(study_id, deepcopy=False)
        if stored is None:
            if trials:
                raise ValueError(
                    f"The study {study.study_name!r} already holds {len(trials)} trials that "
                    "HPOSearchCV did not make; give HPOSearchCV a study_name of its own."
                )
        elif stored == canonical:
            return
        elif not _only_failed(trials):
            differences = [
                f"{field}: stored {_short(stored.get(field))}, now {_short(canonical[field])}"
                for field in canonical
                if stored.get(field) != canonical[field]
            ]
            raise ValueError(
                f"The study {study.study_name!r} was made by a different search, so its "
                "scores cannot be pooled with this one's. Differences:\n  - "
                + "\n  - ".join(differences)
                + "\nUse another study_name, or delete the study (sk_hpo.delete_study) to "
                "start over."
            )
        if storage.compare_and_set_study_system_attr(study_id, CONTEXT_KEY, stored, canonical):
            if stored is not None:  # what the failed search held is for this one to evaluate
                for trial in trials:
                    storage.release_trial_claims(trial._trial_id)
            return
