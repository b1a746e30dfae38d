"""One record of what a study has tried: the configurations its trials hold or have claimed.

A sampler that must not propose a configuration twice (a grid, TPE or GP in a finite space,
HPOSearchCV's candidates) asks :class:`Claims` (``study.claims``) which configurations are
taken, and claims its proposal there. A claim is atomic in the storage (its
``claim_trial_key``: a unique row in SQL, a lock in memory), so threads and processes sharing
a study never hold one configuration twice; it is released only when its trial was abandoned
unevaluated (interrupted, or failed as stale because its process died).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sk_hpo.distributions import BaseDistribution, distribution_to_json
from sk_hpo.trial._state import TrialState

if TYPE_CHECKING:
    from sk_hpo.study._study import Study
    from sk_hpo.trial import FrozenTrial, Trial

__all__ = ["Claims"]

CONFIG_NAMESPACE = "config"


def _fingerprint(distributions: Mapping[str, BaseDistribution], names: list[str]) -> str:
    payload = json.dumps([[n, distribution_to_json(distributions[n])] for n in names])
    return hashlib.sha1(payload.encode()).hexdigest()[:16]


def _trial_id(trial: Trial | FrozenTrial) -> int:
    return trial._trial_id


class Claims:
    """The configurations claimed in a study, shared by every process using its storage.

    Reach it as ``study.claims``. Keys are strings unique in the study; a key made by
    :meth:`key` names a configuration (internal parameter values) of a search space, so
    :meth:`taken` can list the configurations claimed in that space. Other keys (a grid
    point's number, HPOSearchCV's candidate keys) are opaque: give them a ``prefix`` of
    your own and count or test them with :meth:`claimed`.

    Claim a configuration when proposing it (in ``before_trial`` or ``sample_relative``);
    a lost claim means another trial (of this or another process) took it first: propose
    your next best. Every sampler of the package works this way, so a user's own sampler
    that claims through this service never repeats a configuration of theirs either.

    Parameters
    ----------
    study : Study

    Examples
    --------
    A sampler that proposes each value of a small finite space once, in order, across all
    processes sharing the study:

    >>> import sk_hpo
    >>> from sk_hpo.distributions import IntDistribution
    >>> from sk_hpo.samplers import BaseSampler
    >>> class OnceEach(BaseSampler):
    ...     space = {"x": IntDistribution(0, 2)}
    ...     def infer_relative_search_space(self, study, trial):
    ...         return self.space
    ...     def sample_relative(self, study, trial, search_space):
    ...         taken = study.claims.taken(trial, search_space)
    ...         for x in range(3):
    ...             config = {"x": float(x)}
    ...             if config not in taken and study.claims.claim(
    ...                     trial, study.claims.key(config, search_space)):
    ...                 return {"x": x}
    ...         raise sk_hpo.exceptions.SearchSpaceExhausted("all taken")
    ...     def sample_independent(self, study, trial, name, distribution):
    ...         raise AssertionError("x is always sampled jointly")
    ...     def is_exhausted(self, study):
    ...         return len(study.claims.claimed(prefix="config:")) >= 3
    >>> study = sk_hpo.create_study(sampler=OnceEach())
    >>> study.optimize(lambda t: t.suggest_int("x", 0, 2), n_trials=10)
    >>> [t.params["x"] for t in study.trials]
    [0, 1, 2]
    """

    def __init__(self, study: Study) -> None:
        self._study = study
        self._deferred: set[int] = set()
        self._parsed: dict[str, tuple[str, tuple[str, ...], list]] = {}  # key -> its config
        self._held: set[tuple[int, str]] = set()  # (trial id, key) claimed by this process
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"_study": self._study, "_deferred": set(), "_parsed": {}, "_held": set()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # -- keys ------------------------------------------------------------------------------------

    @staticmethod
    def key(
        config: Mapping[str, float],
        distributions: Mapping[str, BaseDistribution],
        namespace: str = CONFIG_NAMESPACE,
    ) -> str:
        """The claim key of ``config`` (internal values) in ``distributions``.

        The key names the parameters, their distributions and values, so the same
        configuration of a changed space is a new one.

        Examples
        --------
        >>> from sk_hpo.distributions import IntDistribution
        >>> Claims.key({"x": 1.0}, {"x": IntDistribution(0, 3)})[:7]
        'config:'
        """
        names = sorted(config)
        values = json.dumps([[n, float(config[n])] for n in names], separators=(",", ":"))
        return f"{namespace}:{_fingerprint(distributions, names)}:{values}"

    # -- claiming --------------------------------------------------------------------------------

    def claim(self, trial: Trial | FrozenTrial, key: str) -> bool:
        """Atomically claim ``key`` for ``trial``; True if it won, False if already taken.

        Claiming again a key the trial holds is True. Inside :meth:`deferred` for this
        trial, the caller claims: True.
        """
        trial_id = _trial_id(trial)
        if trial_id in self._deferred or (trial_id, key) in self._held:
            return True
        study = self._study
        won = study._storage.claim_trial_key(study._study_id, trial_id, key)
        if won:
            with self._lock:
                self._held.add((trial_id, key))
        return won

    def release(self, trial: Trial | FrozenTrial | int) -> None:
        """Give back what ``trial`` (or a trial id) claimed: it was abandoned, not evaluated."""
        trial_id = trial if isinstance(trial, int) else _trial_id(trial)
        self._study._storage.release_trial_claims(trial_id)
        with self._lock:
            self._held = {(t, k) for t, k in self._held if t != trial_id}

    def claimed(self, prefix: str = "") -> set[str]:
        """The keys claimed in the study (by any process) that start with ``prefix``."""
        study = self._study
        keys = study._storage.get_claimed_keys(study._study_id)
        return {k for k in keys if k.startswith(prefix)} if prefix else keys

    @contextmanager
    def deferred(self, trial: Trial | FrozenTrial) -> Iterator[None]:
        """Within this block, claims for ``trial`` succeed without being stored: a proposer
        wrapping a sampler (HPOSearchCV's) claims the whole candidate itself, once."""
        trial_id = _trial_id(trial)
        with self._lock:
            nested = trial_id in self._deferred
            self._deferred.add(trial_id)
        try:
            yield
        finally:
            if not nested:
                with self._lock:
                    self._deferred.discard(trial_id)

    # -- what is taken ---------------------------------------------------------------------------

    def taken(
        self,
        trial: Trial | FrozenTrial,
        search_space: Mapping[str, BaseDistribution],
        trials: list[FrozenTrial] | None = None,
    ) -> list[dict[str, float]]:
        """Configurations (internal values over ``search_space``) other trials hold.

        Those are: finished trials of any state (their parameters of the space), queued
        trials (their fixed parameters of the space), running trials whose parameters (fixed
        or suggested) cover the whole space, and the configurations claimed with :meth:`key` in this space (by a
        trial of any process that has not stored its parameters yet). A configuration of a
        conditional space may name only part of ``search_space``.

        ``trials``: the study's trials, when the caller has them already.
        """
        study = self._study
        if trials is None:
            trials = study._get_trials(deepcopy=False)
        trial_id = _trial_id(trial)
        out: list[dict[str, float]] = []
        for t in trials:
            if t._trial_id == trial_id:
                continue
            config = {}
            if t.state in (TrialState.WAITING, TrialState.RUNNING):
                for name, value in t.system_attrs.get("fixed_params", {}).items():
                    if name in search_space:
                        try:
                            config[name] = search_space[name].to_internal_repr(value)
                        except (ValueError, TypeError):
                            pass  # outside this space: it will be sampled, not fixed
            config.update((n, v) for n, v in t.internal_params.items() if n in search_space)
            if config and (t.state != TrialState.RUNNING or len(config) == len(search_space)):
                out.append(config)
        out.extend(self._claimed_configs(search_space))
        return out

    def _claimed_configs(
        self, search_space: Mapping[str, BaseDistribution]
    ) -> list[dict[str, float]]:
        prefix = CONFIG_NAMESPACE + ":"
        fingerprints: dict[tuple[str, ...], str | None] = {}
        out = []
        for key in self.claimed(prefix):
            parsed = self._parsed.get(key)
            if parsed is None:
                fp, _, values = key[len(prefix):].partition(":")
                try:
                    pairs = json.loads(values)
                except ValueError:
                    continue
                parsed = self._parsed[key] = (fp, tuple(n for n, _ in pairs), pairs)
            fp, names, pairs = parsed
            if names not in fingerprints:
                fingerprints[names] = (
                    _fingerprint(search_space, list(names))
                    if all(n in search_space for n in names)
                    else None
                )
            if fingerprints[names] == fp:
                out.append({n: float(v) for n, v in pairs})
        return out
