from __future__ import annotations

import abc
import dataclasses
import datetime
from collections.abc import Container, Iterable, Sequence
from typing import Any

from sk_hpo._direction import StudyDirection
from sk_hpo._validation import InvalidParameterError
from sk_hpo.distributions import BaseDistribution
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState

__all__ = ["BaseStorage", "StudySummary", "as_directions", "as_values"]


def as_directions(directions: Any) -> list[StudyDirection]:
    """``directions`` as a non-empty list of StudyDirection (one direction is accepted too).

    Examples
    --------
    >>> as_directions(["maximize", "minimize"])
    [StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE]
    """
    if isinstance(directions, (str, StudyDirection)):
        directions = [directions]
    directions = [StudyDirection._coerce(d, "create_new_study") for d in directions]
    if not directions:
        raise InvalidParameterError(
            "The 'directions' parameter of create_new_study must hold at least one direction. "
            "Got [] instead."
        )
    return directions


def as_values(values: Any) -> list[float] | None:
    """``values`` (one per objective) as a list of floats or None; a lone number is accepted
    as the value of a single objective.

    Examples
    --------
    >>> as_values(0.5), as_values(None), as_values((1, 2))
    ([0.5], None, [1.0, 2.0])
    """
    if values is None:
        return None
    try:
        items = iter(values)
    except TypeError:  # one number
        return [float(values)]
    return [float(v) for v in items]


@dataclasses.dataclass(frozen=True)
class StudySummary:
    """What :func:`sk_hpo.get_all_studies` tells of one study."""

    study_name: str
    study_id: int
    direction: StudyDirection
    n_trials: int
    best_value: float | None
    datetime_start: datetime.datetime | None
    user_attrs: dict[str, Any]
    directions: list[StudyDirection] | None = None  # one per objective


class BaseStorage(abc.ABC):
    """Where studies and their trials live.

    Safety contract: every method is thread-safe. A storage that can be shared by several
    processes (SQLite) is also process-safe: each method is one atomic transaction, trial
    numbers are unique per study, and the state of a finished trial never changes again.

    Trials are written by one owner (the process that created or popped the trial), except
    system attributes that a pruner may set; every reader sees a consistent snapshot.

    Values are held in internal form: parameters as floats with their distribution,
    attributes as JSON-serializable values. No method ever stores or loads a pickle.

    Heartbeats: a storage with ``heartbeat_interval`` not None records, for RUNNING trials,
    when their process last said it was alive (:meth:`record_heartbeat`), with the grace
    period of the process that runs them; :meth:`fail_stale_trials` marks FAIL the RUNNING
    trials whose heartbeat is older than their own grace period (so only the owner's settings
    decide), and :meth:`get_stale_trial_numbers` lists them without changing anything. Only trials started with ``heartbeat=True`` (by ``optimize`` and
    HPOSearchCV, whose process beats for them) have a heartbeat: a trial started by a bare
    ``Study.ask`` may be told by another process much later, so it is never failed as stale.
    A trial's heartbeat counts from when it became RUNNING, so the first explicit beat may
    come one interval later. Several processes may fail the same stale trial at once: exactly
    one of them fails it. Storages without heartbeats inherit no-op versions.
    """

    heartbeat_interval: float | None = None
    grace_period: float | None = None

    # -- studies -------------------------------------------------------------------------------

    @abc.abstractmethod
    def create_new_study(self, study_name: str, directions: Sequence[StudyDirection]) -> int:
        """Create a study with one direction per objective and return its id; raise
        DuplicatedStudyError if the name exists."""

    @abc.abstractmethod
    def delete_study(self, study_id: int) -> None:
        """Delete a study and all its trials; raise StudyNotFoundError if absent."""

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """Raise StudyNotFoundError if no study has that name."""

    @abc.abstractmethod
    def get_study_name_from_id(self, study_id: int) -> str: ...

    @abc.abstractmethod
    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        """One direction per objective of the study."""

    def get_study_direction(self, study_id: int) -> StudyDirection:
        """The direction of a study with one objective; RuntimeError for several."""
        directions = self.get_study_directions(study_id)
        if len(directions) != 1:
            raise RuntimeError(
                f"The study with study_id={study_id!r} has {len(directions)} objectives; "
                "read its directions (get_study_directions), not one direction."
            )
        return directions[0]

    @abc.abstractmethod
    def get_all_studies(self) -> list[StudySummary]: ...

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]: ...

    @abc.abstractmethod
    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]: ...

    def compare_and_set_study_system_attr(
        self, study_id: int, key: str, expected: Any, value: Any
    ) -> bool:
        """Set system attribute ``key`` to ``value`` if it now equals ``expected`` (None:
        absent); return whether it was set.

        Atomic in the storages of this package (several processes racing: one wins). This
        default reads then writes; a storage shared by processes should override it.
        """
        if self.get_study_system_attrs(study_id).get(key) != expected:
            return False
        self.set_study_system_attr(study_id, key, value)
        return True

    # -- trials: writes ------------------------------------------------------------------------

    @abc.abstractmethod
    def create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None, *, heartbeat: bool = False
    ) -> int:
        """Create a trial with the next free number and return its trial id (Optuna's contract).

        Without a template the trial is RUNNING, started now; with ``heartbeat`` its heartbeat
        starts now too (the caller beats for it). A template gives the state, params,
        attributes and values of the new trial (its number is always assigned here).
        """

    def _create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None, *, heartbeat: bool = False
    ) -> FrozenTrial:
        """:meth:`create_new_trial` returning the new trial itself.

        The study calls this one. This default reads the trial back; the storages of this
        package override it to build the trial they just wrote without a second round trip.
        """
        trial_id = self.create_new_trial(study_id, template_trial, heartbeat=heartbeat)
        return self.get_trial(trial_id)

    @abc.abstractmethod
    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        """Raise UpdateFinishedTrialError when the trial is finished."""

    @abc.abstractmethod
    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        """Set the state (and values, one per objective) of a trial atomically.

        Returns False, changing nothing, when ``state`` is RUNNING and the trial is not WAITING
        (someone else took it). Raises UpdateFinishedTrialError when the trial is finished.
        Finishing a trial sets ``datetime_complete``; RUNNING sets ``datetime_start``.
        """

    @abc.abstractmethod
    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None: ...

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def claim_trial_key(self, study_id: int, trial_id: int, key: str) -> bool:
        """Atomically claim ``key`` in the study for ``trial_id``; True if this call won.

        Keys are unique per study: a sampler uses them so that several processes sharing a
        study never evaluate the same configuration twice. A claim is released only when its
        trial was abandoned, not evaluated: failed as stale (:meth:`fail_stale_trials`: its
        process died) or interrupted (:meth:`release_trial_claims`), so that what it held is
        evaluated by another trial.
        """

    @abc.abstractmethod
    def release_trial_claims(self, trial_id: int) -> None:
        """Release the keys ``trial_id`` claimed: its evaluation was abandoned (Ctrl-C, a
        search aborted by another candidate's error), so another trial may claim them."""

    @abc.abstractmethod
    def get_claimed_keys(self, study_id: int) -> set[str]:
        """All keys claimed in the study."""

    # -- trials: reads -------------------------------------------------------------------------

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial: ...

    def get_trial_number_from_id(self, trial_id: int) -> int:
        return self.get_trial(trial_id).number

    def get_trial_params(self, trial_id: int) -> dict[str, Any]:
        return self.get_trial(trial_id).params

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        """The internal (stored) value of a parameter; KeyError when the trial has none."""
        trial = self.get_trial(trial_id)
        return trial.distributions[param_name].to_internal_repr(trial.params[param_name])

    def get_trial_user_attrs(self, trial_id: int) -> dict[str, Any]:
        return self.get_trial(trial_id).user_attrs

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        return self.get_trial(trial_id).system_attrs

    @abc.abstractmethod
    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        """Raise KeyError when the study has no trial of that number."""

    @abc.abstractmethod
    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        """Trials of the study ordered by number; ``deepcopy=False`` returns shared objects."""

    def get_n_trials(self, study_id: int, states: Container[TrialState] | None = None) -> int:
        return len(self.get_all_trials(study_id, deepcopy=False, states=states))

    @abc.abstractmethod
    def pop_waiting_trial(self, study_id: int, *, heartbeat: bool = False) -> FrozenTrial | None:
        """Atomically move the oldest WAITING trial to RUNNING and return it, or None.

        ``heartbeat`` as in :meth:`create_new_trial`."""

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        """The best COMPLETE trial; raise ValueError when there is none."""
        trials = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        if not trials:
            raise ValueError("No trials are completed yet; best_trial needs a COMPLETE trial.")
        direction = self.get_study_direction(study_id)
        pick = max if direction == StudyDirection.MAXIMIZE else min
        return pick(trials, key=lambda t: t.value)

    # -- heartbeats ----------------------------------------------------------------------------

    def record_heartbeat(self, trial_ids: Iterable[int]) -> None:
        """Record that the RUNNING trials ``trial_ids`` are alive (no-op without heartbeats)."""

    def fail_stale_trials(self, study_id: int) -> list[int]:
        """Mark FAIL the RUNNING trials whose heartbeat is stale, release their claims, and
        return their numbers."""
        return []

    def get_stale_trial_numbers(self, study_id: int) -> list[int]:
        """Numbers of the RUNNING trials whose heartbeat is older than their grace period:
        their process died (or hangs), and nobody failed them yet. Changes nothing.

        For listings (``sk-hpo studies``, the HTML report) that must tell such trials from
        live ones.
        """
        return []

    def _identity(self) -> Any:
        """Equal for two storage objects that hold the same studies (the same file)."""
        return id(self)

    def close(self) -> None:
        """Release resources (connections); the storage may be used again afterwards."""
