"""The storage contract every backend implements.

A storage keeps studies and their trials. The :class:`~paretune.study.Study` is the only
caller; samplers and users see the immutable records it returns.

Contract, for every backend:

* **Thread and process safety.** Every method may be called from several threads; SQL
  backends may also be shared by several processes. ``create_trial`` gives each study's
  trials the numbers 0, 1, 2, ... with no gaps and no duplicates under any concurrency.
* **Immutability.** Returned :class:`TrialRecord` objects are never mutated. A trial in a
  finished state (complete, stopped, failed) is never written again: writes to it raise
  :class:`~paretune.exceptions.UpdateFinishedTrialError`, so records of finished trials may
  be cached forever.
* **JSON only.** Parameter values, metrics and attributes are stored as JSON; nothing is
  pickled.
* **The same names and text everywhere.** Study, parameter and metric names and attribute
  keys are non-empty strings of at most 512 characters, and no stored string (a name, or
  one inside a JSON value) holds NUL or a lone surrogate. Methods (``get_study`` too)
  refuse other input with ``ValueError`` before they write anything (the checks are in
  ``paretune._storable``); failure reasons and tracebacks are stored with those characters
  escaped instead.
* **Errors.** Backends raise :class:`~paretune.exceptions.StorageError` (or a subclass) when
  the database cannot be reached, and the narrow errors documented per method otherwise.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from collections.abc import Container
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from paretune.constraints import Constraint
from paretune.distributions import Distribution
from paretune.fidelity import Fidelity
from paretune.objectives import Objective
from paretune.trial._record import Placement
from paretune.trial._record import TrialRecord
from paretune.trial._repeat import TrialRepeat
from paretune.trial._state import FailKind
from paretune.trial._state import TrialState

__all__ = ["BaseStorage", "StudyInfo", "StudySummary"]


@dataclass(frozen=True)
class StudyInfo:
    """What a storage knows about a study besides its trials.

    Attributes:
        study_id: The storage's identifier.
        name: The study's unique name.
        objectives: Its objectives, in order.
        constraints: Its hard constraints on metrics.
        seed: The seed the study was created with, or None.
        created_at_ts: Creation time, seconds since the epoch (UTC).
        user_attrs: JSON values attached to the study.
        fidelity: The training budget of a multi-fidelity study, or None.
        settings: Study-level settings stored with it (JSON), e.g. its lease:
            ``{"heartbeat_interval": 10.0, "grace": 60.0, "max_retries": 0}``.
    """

    study_id: int
    name: str
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...]
    seed: int | None
    created_at_ts: float
    user_attrs: Mapping[str, Any] = field(default_factory=dict)
    fidelity: Fidelity | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StudySummary:
    """A study with its trial counts by state, as listed by ``list_studies``.

    Attributes:
        info: The study's :class:`StudyInfo`.
        counts: Number of trials per state (states with none are omitted).
    """

    info: StudyInfo
    counts: Mapping[TrialState, int]

    @property
    def n_trials(self) -> int:
        """Total number of trials in the study."""
        return sum(self.counts.values())


class BaseStorage(abc.ABC):
    """Abstract storage of studies and trials; see the module docstring for the contract."""

    # ---- studies -------------------------------------------------------------------------
    @abc.abstractmethod
    def create_study(
        self,
        name: str,
        objectives: tuple[Objective, ...],
        constraints: tuple[Constraint, ...],
        seed: int | None,
        user_attrs: Mapping[str, Any] | None = None,
        fidelity: Fidelity | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> StudyInfo:
        """Create a study.

        Raises:
            DuplicatedStudyError: If a study of that name exists.
        """

    @abc.abstractmethod
    def get_study(self, name: str) -> StudyInfo:
        """Return the study called ``name``.

        Raises:
            StudyNotFoundError: If there is none.
        """

    @abc.abstractmethod
    def list_studies(self) -> list[StudySummary]:
        """Return every study with its trial counts, oldest first."""

    @abc.abstractmethod
    def delete_study(self, name: str) -> None:
        """Delete a study and all its trials.

        Raises:
            StudyNotFoundError: If there is none.
        """

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """Attach a JSON value to a study under ``key``."""

    # ---- trials --------------------------------------------------------------------------
    @abc.abstractmethod
    def create_trial(
        self,
        study_id: int,
        *,
        state: TrialState,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any] | None = None,
        enqueued_params: Mapping[str, Any] | None = None,
        user_attrs: Mapping[str, Any] | None = None,
        placement: Placement | None = None,
        now: float,
    ) -> TrialRecord:
        """Create a ``RUNNING`` or ``WAITING`` trial with the study's next number.

        Args:
            study_id: The study.
            state: ``TrialState.RUNNING`` (a worker starts it now) or
                ``TrialState.WAITING`` (enqueued).
            seed_for: Maps the assigned trial number to the trial's seed.
            environment: The worker's environment (running trials only).
            enqueued_params: Parameters fixed in advance.
            user_attrs: Initial user attributes.
            placement: Its budget and configuration in a multi-fidelity study.
            now: The start time (running trials), seconds since the epoch.

        Returns:
            The new trial's record.
        """

    @abc.abstractmethod
    def create_trial_once(
        self,
        study_id: int,
        key: str,
        *,
        state: TrialState,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any] | None = None,
        enqueued_params: Mapping[str, Any] | None = None,
        placement: Placement | None = None,
        now: float,
    ) -> TrialRecord | None:
        """Create a trial as :meth:`create_trial` does, unless ``key`` was used before.

        Taking the key and creating the trial happen atomically, so of several workers
        (threads or processes) that decide the same thing at once (e.g. promoting one
        configuration to the next budget), exactly one creates the trial.

        Args:
            study_id: The study.
            key: A key unique within the study, e.g. ``"promote:12:2"``.
            state: As for :meth:`create_trial`.
            seed_for: As for :meth:`create_trial`.
            environment: As for :meth:`create_trial`.
            enqueued_params: As for :meth:`create_trial`.
            placement: As for :meth:`create_trial`.
            now: As for :meth:`create_trial`.

        Returns:
            The new trial, or None when the key was already taken.
        """

    @abc.abstractmethod
    def claim_waiting_trial(
        self, study_id: int, *, environment: Mapping[str, Any], now: float
    ) -> TrialRecord | None:
        """Atomically move the lowest-numbered ``WAITING`` trial to ``RUNNING``.

        Returns:
            The claimed trial, or None when no trial waits. Two callers never claim the same.
        """

    def start_trial(
        self,
        study_id: int,
        *,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any],
        now: float,
    ) -> TrialRecord:
        """Claim the lowest-numbered waiting trial, or create a new running one.

        Backends may override this to do both in one transaction; the default calls
        :meth:`claim_waiting_trial`, then :meth:`create_trial`.

        Returns:
            The running trial's record.
        """
        claimed = self.claim_waiting_trial(study_id, environment=environment, now=now)
        if claimed is not None:
            return claimed
        return self.create_trial(
            study_id, state=TrialState.RUNNING, seed_for=seed_for, environment=environment, now=now
        )

    @abc.abstractmethod
    def set_trial_param(
        self, trial_id: int, name: str, value: Any, distribution: Distribution
    ) -> None:
        """Record a parameter of a running trial.

        Raises:
            UpdateFinishedTrialError: If the trial is finished.
        """

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Attach a JSON value to a running trial.

        Raises:
            UpdateFinishedTrialError: If the trial is finished.
        """

    @abc.abstractmethod
    def set_trial_placement(self, trial_id: int, placement: Placement) -> None:
        """Record a running trial's budget and configuration.

        Raises:
            UpdateFinishedTrialError: If the trial is finished.
        """

    @abc.abstractmethod
    def report_intermediate(
        self,
        trial_id: int,
        step: int,
        metrics: Mapping[str, float],
        now: float,
        cost: float | None = None,
    ) -> None:
        """Record intermediate metrics of a running trial at ``step`` (a later report wins),
        with the cumulative ``cost`` of its training up to that step when told (a finite
        number ``>= 0``, validated by the caller; :attr:`TrialRecord.report_costs`).

        Raises:
            UpdateFinishedTrialError: If the trial is finished.
        """

    @abc.abstractmethod
    def finish_trial(
        self,
        trial_id: int,
        *,
        state: TrialState,
        metrics: Mapping[str, float] | None,
        constraints: Mapping[str, float] | None,
        fail_reason: str | None,
        traceback: str | None,
        now: float,
        fail_kind: FailKind | None = None,
        cost: float | None = None,
    ) -> TrialRecord:
        """Move a running trial to a finished state and store its outcome, atomically.

        ``fail_kind`` is stored for failed trials only (None for the others); ``cost`` (the
        told compute, validated by the caller) for any state (:attr:`TrialRecord.cost`).

        Returns:
            The finished trial's record.

        Raises:
            UpdateFinishedTrialError: If the trial is already finished.
        """

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> TrialRecord:
        """Return one trial's record.

        Raises:
            KeyError: If no trial has that id.
        """

    @abc.abstractmethod
    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[TrialRecord]:
        """Return the study's trials ordered by number, optionally only those in ``states``."""

    @abc.abstractmethod
    def claim_repeat(
        self,
        study_id: int,
        trial_id: int,
        index: int,
        *,
        seed: int,
        environment: Mapping[str, Any],
        now: float,
    ) -> TrialRepeat | None:
        """Claim repeat ``index`` of a finished trial for this worker, atomically.

        Returns:
            The running repeat, or None when another worker claimed it first (each repeat
            runs once, whatever the number of workers).

        Raises:
            KeyError: If no trial has that id.
        """

    @abc.abstractmethod
    def finish_repeat(
        self,
        trial_id: int,
        index: int,
        *,
        metrics: Mapping[str, float] | None,
        fail_reason: str | None,
        now: float,
    ) -> TrialRepeat:
        """Store a claimed repeat's metrics (complete) or, with ``fail_reason``, its failure.

        Raises:
            UpdateFinishedTrialError: If the repeat is not running (finished or never claimed).
        """

    @abc.abstractmethod
    def get_repeats(self, study_id: int) -> list[TrialRepeat]:
        """Every repeat of the study's trials, ordered by trial number, then index."""

    @abc.abstractmethod
    def renew_leases(self, trial_ids: Sequence[int], now: float) -> None:
        """Set the heartbeat time of those trials that are still running to ``now``."""

    @abc.abstractmethod
    def expire_trial(
        self, trial_id: int, *, stale_before: float, fail_reason: str, now: float
    ) -> TrialRecord | None:
        """Fail a running trial whose last heartbeat (its start time when it was never
        renewed: its worker died right after starting it) is older than ``stale_before``,
        atomically (kind :attr:`FailKind.WORKER_LOST`).

        Returns:
            The failed record, or None when the trial is not running, or its heartbeat (or
            start) is recent (another worker renewed or reaped it).
        """

    def close(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Release connections. The storage must not be used afterwards."""
