from __future__ import annotations

import copy
import json
import math
import numbers
import uuid
from collections.abc import Container, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sk_hpo._direction import StudyDirection
from sk_hpo._json import from_numpy
from sk_hpo._pareto import is_pareto_front, to_loss
from sk_hpo._validation import (
    INT,
    NONE,
    Constraint,
    InvalidParameterError,
    check_param,
    instance_of,
    validate_params,
)
from sk_hpo._warnings import warn_user
from sk_hpo.distributions import BaseDistribution, check_same_kind
from sk_hpo.exceptions import UpdateFinishedTrialError
from sk_hpo.pruners._base import BasePruner
from sk_hpo.samplers._base import BaseSampler
from sk_hpo.storages import BaseStorage, get_storage
from sk_hpo.storages._heartbeat import HeartbeatThread
from sk_hpo.study._claims import Claims
from sk_hpo.trial._constraints import is_feasible
from sk_hpo.trial._frozen import FrozenTrial
from sk_hpo.trial._state import TrialState
from sk_hpo.trial._trial import Trial

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Study"]

METRIC_NAMES_KEY = "study:metric_names"  # Optuna's system attribute


def _default_sampler(directions: list[StudyDirection]) -> BaseSampler:
    from sk_hpo.samplers import TPESampler

    return TPESampler()


def _default_pruner() -> BasePruner:
    from sk_hpo.pruners import MedianPruner

    return MedianPruner()


class Study:
    """A search: its directions, a sampler, a pruner and the trials held by a storage.

    Create studies with :func:`sk_hpo.create_study` or :func:`sk_hpo.load_study`.

    Parameters
    ----------
    study_name : str
    storage : str, BaseStorage or None
        None keeps the study in memory; ``"sqlite:///path.db"`` persists it.
    sampler : BaseSampler, default=None
        None means :class:`~sk_hpo.samplers.TPESampler`, for one objective or several (as
        in Optuna 5).
    pruner : BasePruner, default=None
        None means :class:`~sk_hpo.pruners.MedianPruner`.

    Examples
    --------
    >>> import sk_hpo
    >>> study = sk_hpo.create_study(direction="maximize")
    >>> trial = study.ask()
    >>> x = trial.suggest_float("x", 0, 1)
    >>> study.tell(trial, 1 - x).state
    TrialState.COMPLETE
    >>> study.best_trial.number
    0
    """

    def __init__(
        self,
        study_name: str,
        storage: str | BaseStorage | None,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        self._storage = get_storage(storage)
        self._study_id = self._storage.get_study_id_from_name(study_name)
        self._study_name = study_name
        self._directions = self._storage.get_study_directions(self._study_id)
        validate_params(
            "Study",
            {"sampler": sampler, "pruner": pruner},
            {
                "sampler": [instance_of(BaseSampler, "an instance of 'BaseSampler'"), NONE],
                "pruner": [instance_of(BasePruner, "an instance of 'BasePruner'"), NONE],
            },
        )
        self.sampler = sampler if sampler is not None else _default_sampler(self._directions)
        self.pruner = pruner if pruner is not None else _default_pruner()
        self._heartbeat = HeartbeatThread(self._storage)
        self._stop_flag = False
        self._param_kinds: dict[str, BaseDistribution] = {}
        self._optimizing_threads: set[int] = set()  # threads running this study's optimize
        self._claims = Claims(self)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_heartbeat"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._heartbeat = HeartbeatThread(self._storage)

    # -- attributes ------------------------------------------------------------------------------

    @property
    def study_name(self) -> str:
        return self._study_name

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study (RuntimeError with several objectives)."""
        if self._is_multi_objective():
            raise RuntimeError(
                "A single direction cannot be retrieved from a multi-objective study; read "
                "study.directions, the list of all directions."
            )
        return self._directions[0]

    @property
    def directions(self) -> list[StudyDirection]:
        """One direction per objective."""
        return list(self._directions)

    def _is_multi_objective(self) -> bool:
        """Whether the study has several objectives (Optuna's private check)."""
        return len(self._directions) > 1

    @property
    def metric_names(self) -> list[str] | None:
        """Names of the objectives given to :meth:`set_metric_names`, or None."""
        return self.system_attrs.get(METRIC_NAMES_KEY)

    def set_metric_names(self, metric_names: list[str]) -> None:
        """Name each objective (used as ``trials_dataframe`` columns instead of ``values_i``).

        Examples
        --------
        >>> import sk_hpo
        >>> study = sk_hpo.create_study(directions=["maximize", "minimize"])
        >>> study.set_metric_names(["accuracy", "latency"])
        >>> study.metric_names
        ['accuracy', 'latency']
        """
        n = len(self._directions)
        check_param(
            "Study.set_metric_names",
            "metric_names",
            metric_names,
            [
                Constraint(
                    lambda v: isinstance(v, (list, tuple))
                    and len(v) == n
                    and all(isinstance(name, str) for name in v),
                    f"a list of {n} str (one per objective)",
                )
            ],
        )
        names = list(metric_names)
        self._storage.set_study_system_attr(self._study_id, METRIC_NAMES_KEY, names)

    @property
    def trials(self) -> list[FrozenTrial]:
        """All trials, ordered by number (deep copies; see :meth:`get_trials`)."""
        return self.get_trials(deepcopy=True)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """Trials ordered by number, optionally only those in ``states``.

        ``deepcopy=False`` is faster and returns objects shared with the storage: do not
        modify them.
        """
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    def _get_trials(
        self, deepcopy: bool = False, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    @property
    def best_trial(self) -> FrozenTrial:
        """The best feasible COMPLETE trial.

        Feasible: every constraint (:meth:`Trial.set_constraint`) is <= 0. Raises
        ``ValueError`` when no trial is complete (or none is feasible) and ``RuntimeError``
        for a study of several objectives (read :attr:`best_trials`).
        """
        if self._is_multi_objective():
            raise RuntimeError(
                "A single best trial cannot be retrieved from a multi-objective study; read "
                "study.best_trials, the Pareto front."
            )
        best = self._storage.get_best_trial(self._study_id)
        if not is_feasible(best):
            feasible = [
                t for t in self._get_trials(states=(TrialState.COMPLETE,)) if is_feasible(t)
            ]
            if not feasible:
                raise ValueError(
                    f"No feasible trial is completed yet in study {self._study_name!r}: every "
                    "COMPLETE trial has a constraint > 0."
                )
            pick = max if self._directions[0] == StudyDirection.MAXIMIZE else min
            best = pick(feasible, key=lambda t: t.values[0])
        return copy.deepcopy(best)

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The Pareto front: feasible COMPLETE trials no other feasible one dominates.

        A trial dominates another when it is at least as good in every objective and better
        in one. Feasible: every constraint is <= 0. Empty when no trial qualifies.

        Examples
        --------
        >>> import sk_hpo
        >>> study = sk_hpo.create_study(directions=["minimize", "minimize"])
        >>> for v in ([1, 2], [2, 1], [2, 2]):
        ...     study.tell(study.ask(), values=v).state
        TrialState.COMPLETE
        TrialState.COMPLETE
        TrialState.COMPLETE
        >>> [t.number for t in study.best_trials]
        [0, 1]
        """
        trials = [t for t in self._get_trials(states=(TrialState.COMPLETE,)) if is_feasible(t)]
        if not trials:
            return []
        mask = is_pareto_front(to_loss([t.values for t in trials], self._directions))
        return [copy.deepcopy(t) for t, keep in zip(trials, mask) if keep]

    @property
    def best_value(self) -> float:
        return self.best_trial.value  # type: ignore[return-value]

    @property
    def best_params(self) -> dict[str, Any]:
        return self.best_trial.params

    @property
    def user_attrs(self) -> dict[str, Any]:
        return self._storage.get_study_user_attrs(self._study_id)

    @property
    def system_attrs(self) -> dict[str, Any]:
        return self._storage.get_study_system_attrs(self._study_id)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serializable ``value`` to the study under ``key``."""
        self._storage.set_study_user_attr(self._study_id, key, value)

    def set_system_attr(self, key: str, value: Any) -> None:
        """Attach library-internal data to the study (used by HPOSearchCV)."""
        self._storage.set_study_system_attr(self._study_id, key, value)

    def _check_param_kind(self, name: str, distribution: BaseDistribution) -> None:
        """Raise when an earlier trial suggested ``name`` with another kind or scale.

        Bounds may change between trials (a dynamic space); a float becoming an int or a
        categorical would leave samplers comparing unlike values. The first distribution seen
        for each name is cached on this object.
        """
        known = self._param_kinds.get(name)
        if known is None:  # one pass learns every name the stored trials hold
            for t in self._get_trials(deepcopy=False):
                for other, dist in t.distributions.items():
                    self._param_kinds.setdefault(other, dist)
            known = self._param_kinds.get(name)
            self._param_kinds.setdefault(name, distribution)
        if known is not None:
            check_same_kind(known, distribution)

    @property
    def claims(self) -> Claims:
        """The configurations claimed in this study (see :class:`~sk_hpo.study.Claims`)."""
        return self._claims

    # -- ask and tell ----------------------------------------------------------------------------

    def ask(self, fixed_distributions: dict[str, Any] | None = None) -> Trial:
        """Start a trial (an enqueued one first) and return it.

        The trial may be told later by number, from any process sharing the study: it has no
        heartbeat and stays RUNNING until told (trials run by :meth:`optimize` have
        heartbeats, and are marked FAIL when their process dies).

        Parameters
        ----------
        fixed_distributions : dict of str to BaseDistribution, default=None
            Parameters to suggest right away (define-and-run style).
        """
        return self._ask(fixed_distributions, heartbeat=False)

    def _ask(self, fixed_distributions: dict[str, Any] | None, *, heartbeat: bool) -> Trial:
        """:meth:`ask`; with ``heartbeat``, this process beats for the trial until it is told."""
        _check_fixed_distributions(fixed_distributions)
        self._storage.fail_stale_trials(self._study_id)
        frozen = self._storage.pop_waiting_trial(self._study_id, heartbeat=heartbeat)
        if frozen is None:
            frozen = self._storage._create_new_trial(self._study_id, heartbeat=heartbeat)
        if heartbeat:
            self._heartbeat.add(frozen._trial_id)
        try:
            self.sampler.before_trial(self, frozen)
            trial = Trial(self, frozen)
            for name, dist in (fixed_distributions or {}).items():
                trial._suggest(name, dist)
        except BaseException:
            self._fail_quietly(frozen._trial_id)
            raise
        return trial

    def _fail_quietly(self, trial_id: int) -> None:
        try:
            self._storage.set_trial_state_values(trial_id, TrialState.FAIL)
        except UpdateFinishedTrialError:
            pass
        finally:
            self._heartbeat.discard(trial_id)

    def tell(
        self,
        trial: Trial | int,
        value: float | Sequence[float] | None = None,
        state: TrialState | None = None,
        skip_if_finished: bool = False,
        *,
        values: float | Sequence[float] | None = None,
    ) -> FrozenTrial:
        """Finish a trial started by :meth:`ask` (or a RUNNING trial given by number).

        Parameters
        ----------
        trial : Trial or int
        value : float or sequence of float, default=None
            Objective value, or one value per objective for a study of several
            objectives. ``values=`` (Optuna's keyword) is the same argument.
        state : TrialState, default=None
            None: COMPLETE when ``value`` is a number (a sequence of one number per objective),
            else FAIL with a warning (NaN, None, a non-number or the wrong number of values),
            as for a value returned by an objective. COMPLETE needs a number;
            PRUNED keeps the last reported value; PRUNED and FAIL take no ``value``.
        skip_if_finished : bool, default=False
            Return quietly when the trial is already finished instead of raising
            ``ValueError``.

        Returns
        -------
        FrozenTrial
            The finished trial.
        """
        if values is not None:
            if value is not None:
                raise TypeError(
                    f"tell takes the objective value once: got value={value!r} and "
                    f"values={values!r}; pass one of them."
                )
            value = values
        return self._tell(trial, value, state, skip_if_finished)

    def _tell(
        self,
        trial: Trial | int,
        value: Any,
        state: TrialState | None,
        skip_if_finished: bool = False,
    ) -> FrozenTrial:
        trial_id = self._resolve_trial_id(trial)
        frozen = self._storage.get_trial(trial_id)
        if frozen.state.is_finished():
            if skip_if_finished:
                return copy.deepcopy(frozen)
            raise UpdateFinishedTrialError(
                f"Trial #{frozen.number} is already finished with state {frozen.state.name}; "
                "tell can be called once per trial (pass skip_if_finished=True to ignore)."
            )
        if frozen.state != TrialState.RUNNING:
            raise ValueError(
                f"Trial #{frozen.number} is {frozen.state.name}; only a RUNNING trial (from "
                "ask) can be told."
            )
        state, values = _checked_outcome(frozen, value, state, len(self._directions))
        try:
            shown = values if values is None or len(values) > 1 else values[0]
            self.sampler.after_trial(self, frozen, state, shown)
        finally:
            self._storage.set_trial_state_values(trial_id, state, values)
            self._heartbeat.discard(trial_id)
        return copy.deepcopy(self._storage.get_trial(trial_id))

    def _resolve_trial_id(self, trial: Trial | int) -> int:
        check_param("Study.tell", "trial", trial, [instance_of(Trial, "a Trial"), INT])
        if isinstance(trial, Trial):
            theirs = trial.study
            if (theirs._storage._identity(), theirs._study_id) != (
                self._storage._identity(), self._study_id
            ):
                where = "" if theirs.study_name != self._study_name else " in another storage"
                raise ValueError(
                    f"Trial #{trial.number} belongs to study {theirs.study_name!r}{where}, "
                    f"not to this study {self._study_name!r}; tell it to its own study."
                )
            return trial._trial_id
        try:
            return self._storage.get_trial_id_from_study_id_trial_number(
                self._study_id, int(trial)
            )
        except KeyError:
            raise ValueError(f"Study {self._study_name!r} has no trial number {trial!r}.") from None

    def enqueue_trial(
        self,
        params: dict[str, Any],
        user_attrs: dict[str, Any] | None = None,
        skip_if_exists: bool = False,
    ) -> None:
        """Queue a trial with fixed parameter values; :meth:`ask` runs queued trials first.

        Values must be JSON-serializable. Parameters not in ``params`` are sampled as usual.

        Examples
        --------
        >>> import sk_hpo
        >>> study = sk_hpo.create_study()
        >>> study.enqueue_trial({"x": 0.25})
        >>> study.ask().suggest_float("x", 0, 1)
        0.25
        """
        if not _json_dict.check(params):  # stored as JSON by the storage
            raise InvalidParameterError(
                f"The 'params' parameter of Study.enqueue_trial must be {_json_dict.text}. "
                f"Got {params!r} instead. Enqueue categorical objects by a name and map it in "
                "the objective."
            )
        if skip_if_exists and self._params_exist(params):
            return
        template = FrozenTrial(
            number=-1,
            state=TrialState.WAITING,
            value=None,
            datetime_start=None,
            datetime_complete=None,
            params={},
            distributions={},
            user_attrs=dict(user_attrs or {}),
            system_attrs={"fixed_params": dict(params)},
            intermediate_values={},
            trial_id=-1,
        )
        self._storage.create_new_trial(self._study_id, template_trial=template)

    def add_trial(self, trial: FrozenTrial) -> None:
        """Add a finished trial made by :func:`~sk_hpo.trial.create_trial` (a warm start).

        The study numbers it after its existing trials; samplers and pruners then use it like
        any trial of the study.

        Examples
        --------
        >>> import sk_hpo
        >>> from sk_hpo.distributions import IntDistribution
        >>> study = sk_hpo.create_study(direction="maximize")
        >>> study.add_trial(sk_hpo.trial.create_trial(
        ...     params={"n": 3}, distributions={"n": IntDistribution(1, 5)}, value=0.9))
        >>> study.trials[0].number, study.best_value
        (0, 0.9)
        """
        if not isinstance(trial, FrozenTrial):
            raise InvalidParameterError(
                f"The 'trial' parameter of Study.add_trial must be an instance of "
                f"'FrozenTrial'. Got {trial!r} instead. Build one with sk_hpo.trial.create_trial."
            )
        if not trial.state.is_finished():
            raise InvalidParameterError(
                "The 'trial' parameter of Study.add_trial must be a finished trial (COMPLETE, "
                f"PRUNED or FAIL). Got a trial in state {trial.state.name} instead. Use "
                "enqueue_trial to run a configuration."
            )
        n = len(self._directions)
        if trial.values is not None and len(trial.values) != n:
            raise ValueError(
                f"The trial has {len(trial.values)} values, but study {self._study_name!r} has "
                f"{n} objectives; create_trial(values=[...]) needs one value per direction."
            )
        self._storage.create_new_trial(self._study_id, template_trial=trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """Add several finished trials, in order (see :meth:`add_trial`)."""
        for trial in trials:
            self.add_trial(trial)

    def _params_exist(self, params: dict[str, Any]) -> bool:
        """Whether a trial has (or is queued with) exactly these parameters, NaN matching NaN.

        A trial with other parameter names does not count: enqueuing ``{"x": 1}`` after a
        trial of ``{"x": 1, "y": 2}`` queues a trial whose ``y`` is sampled.
        """
        for t in self._get_trials(deepcopy=False):
            existing = t.system_attrs.get("fixed_params", t.params)
            if existing.keys() == params.keys() and all(
                _same_param_value(existing[k], v) for k, v in params.items()
            ):
                return True
        return False

    # -- running ---------------------------------------------------------------------------------

    def optimize(
        self,
        func: Any,
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int = 1,
        catch: Iterable[type[Exception]] | type[Exception] = (),
        callbacks: list[Any] | None = None,
        gc_after_trial: bool = False,
        show_progress_bar: bool = False,
    ) -> None:
        """Run ``func(trial)`` for ``n_trials`` trials or until ``timeout`` seconds.

        Parameters
        ----------
        func : callable
            The objective: takes a :class:`~sk_hpo.trial.Trial`, returns a float (a sequence
            of one float per direction in a study of several objectives).
        n_trials : int, default=None
            Number of trials; None runs until ``timeout``, :meth:`stop` or the sampler's end.
        timeout : float, default=None
            Stop starting trials after this many seconds.
        n_jobs : int, default=1
            Threads running trials at once; -1 means one per CPU.
        catch : exception class or tuple of them, default=()
            Exceptions that make a trial FAIL without stopping the study. Other exceptions
            (and Ctrl-C) mark the running trial FAIL and propagate.
        callbacks : list of callable, default=None
            Each is called as ``callback(study, frozen_trial)`` after each trial.
        gc_after_trial : bool, default=False
            Run the garbage collector after each trial.
        show_progress_bar : bool, default=False
            Show Optuna's tqdm line on stderr (best trial and value, trials done /
            ``n_trials`` or elapsed / ``timeout``, elapsed and remaining time, rate): a live
            bar on a terminal, about ten plain lines elsewhere. Unlike Optuna, it also works
            with only a timeout and ``n_jobs != 1``, and counts trials without any budget.

        Examples
        --------
        >>> import sk_hpo
        >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=1))
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=20)
        >>> study.best_value < 0.1
        True
        """
        from sk_hpo.study._optimize import run_optimize

        run_optimize(
            self,
            func,
            n_trials=n_trials,
            timeout=timeout,
            n_jobs=n_jobs,
            catch=catch,
            callbacks=callbacks,
            gc_after_trial=gc_after_trial,
            show_progress_bar=show_progress_bar,
        )

    def stop(self) -> None:
        """Stop :meth:`optimize` after the running trials finish (call from a callback)."""
        self._stop_flag = True

    def trials_dataframe(
        self, attrs: tuple[str, ...] | None = None, multi_index: bool = False
    ) -> pd.DataFrame:
        """The trials as a :class:`pandas.DataFrame`, one row per trial.

        Columns, as Optuna's: ``number, value, datetime_start, datetime_complete, duration,
        params_<name>, user_attrs_<key>, system_attrs_<key>, state`` (``attrs`` selects
        others, e.g. ``intermediate_values``, ``distributions`` or ``trial_id``). A study of
        several objectives has ``values_0, values_1, ...`` instead of ``value`` (or
        ``values_<name>`` after :meth:`set_metric_names`). sk_hpo's own
        bookkeeping attribute (the worker that ran a trial) is left out.

        Examples
        --------
        >>> import sk_hpo
        >>> study = sk_hpo.create_study(sampler=sk_hpo.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_int("n", 0, 3), n_trials=3)
        >>> list(study.trials_dataframe().columns)
        ['number', 'value', 'datetime_start', 'datetime_complete', 'duration', 'params_n', 'state']
        """
        from sk_hpo.study._dataframe import trials_dataframe

        return trials_dataframe(self, attrs=attrs, multi_index=multi_index)

    def __repr__(self) -> str:
        if self._is_multi_objective():
            shown = f"directions={[d.value for d in self._directions]!r}"
        else:
            shown = f"direction={self._directions[0].value!r}"
        return f"Study(study_name={self._study_name!r}, {shown})"


def _is_json_dict(v: Any) -> bool:
    if not isinstance(v, dict):
        return False
    try:
        json.dumps(v, default=from_numpy)
    except (TypeError, ValueError):
        return False
    return True


_json_dict = Constraint(_is_json_dict, "a JSON-serializable dict")
_finished_state = Constraint(
    lambda s: s in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL),
    "TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL",
)


def _checked_outcome(
    frozen: FrozenTrial, value: Any, state: TrialState | None, n_objectives: int = 1
) -> tuple[TrialState, list[float] | None]:
    """The state and values to store, by Optuna's rules for ``tell``."""
    check_param("Study.tell", "state", state, [_finished_state, NONE])
    if state in (TrialState.PRUNED, TrialState.FAIL):
        if value is not None:
            raise ValueError(
                f"The 'values' parameter of Study.tell must be None when state is "
                f"{state!r}. Got {value!r} instead. A {state.name} trial keeps its last "
                "reported value (PRUNED) or none (FAIL)."
            )
        if state == TrialState.FAIL or frozen.last_step is None or n_objectives > 1:
            return state, None
        last = frozen.intermediate_values[frozen.last_step]
        return state, (None if _why_not_a_value(last) else [float(last)])
    if value is None and state == TrialState.COMPLETE:
        raise ValueError(
            f"tell(state=COMPLETE) needs the objective value of trial #{frozen.number}: "
            "pass value=<objective value> (the trial is still RUNNING)."
        )
    problem = _why_not_values(value, n_objectives)
    if problem is None:
        items = value if _is_sequence(value) else [value]
        return TrialState.COMPLETE, [float(v) for v in items]
    if state == TrialState.COMPLETE:
        raise ValueError(f"tell(state=COMPLETE) for trial #{frozen.number}: {problem}.")
    wanted = (
        "a float (or a sequence of one float)" if n_objectives == 1
        else f"a sequence of {n_objectives} floats, one per direction of the study"
    )
    warn_user(
        f"Trial #{frozen.number} failed because {problem}; an objective must return {wanted}, "
        "not NaN, None or a non-number."
    )
    return TrialState.FAIL, None


def _same_param_value(a: Any, b: Any) -> bool:
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def _is_sequence(value: Any) -> bool:
    return (isinstance(value, Sequence) and not isinstance(value, str)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )


def _why_not_values(value: Any, n_objectives: int) -> str | None:
    """None when ``value`` holds ``n_objectives`` valid numbers (a lone number counts as one)."""
    if _is_sequence(value):
        if len(value) != n_objectives:
            return (
                f"the number of the values {len(value)} did not match the number of the "
                f"objectives {n_objectives}"
            )
        for item in value:
            problem = _why_not_a_value(item)
            if problem is not None:
                return problem
        return None
    if n_objectives != 1:
        return (
            f"the value {value!r} is not a sequence of {n_objectives} values (the number of "
            "the objectives)"
        )
    return _why_not_a_value(value)


def _why_not_a_value(value: Any) -> str | None:
    """None when ``value`` (one number) is a valid objective value."""
    if isinstance(value, bool):
        return f"the value {value!r} could not be cast to float"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"the value {value!r} could not be cast to float"
    if math.isnan(number):
        return f"the value {value!r} is not acceptable"
    return None


def new_study_name() -> str:
    return f"no-name-{uuid.uuid4()}"


def _check_fixed_distributions(fixed: Any) -> None:
    if fixed is None:
        return
    check_param(
        "Study.ask",
        "fixed_distributions",
        fixed,
        [instance_of(dict, "a dict of parameter names to distributions"), NONE],
    )
    for name, dist in fixed.items():
        check_param(
            "Study.ask",
            f"fixed_distributions[{name!r}]",
            dist,
            [
                instance_of(
                    BaseDistribution,
                    "a distribution such as sk_hpo.distributions.FloatDistribution(low, high)",
                )
            ],
        )
