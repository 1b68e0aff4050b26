"""Opening a storage so that the dashboard can read it and can write nothing.

Two layers keep the dashboard read-only. The database connection itself refuses writes:
SQLite files are opened with ``mode=ro`` (and never created), PostgreSQL sessions with
``default_transaction_read_only``. Above it, :class:`ReadOnlyStorage` exposes the read
methods of the storage contract and raises on every write method, so no code path of the
dashboard can reach one.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Container
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import NoReturn

from paretune.constraints import Constraint
from paretune.distributions import Distribution
from paretune.exceptions import StorageError
from paretune.fidelity import Fidelity
from paretune.objectives import Objective
from paretune.storages import BaseStorage
from paretune.storages import StudyInfo
from paretune.storages import StudySummary
from paretune.trial import FailKind
from paretune.trial import Placement
from paretune.trial import TrialRecord
from paretune.trial import TrialRepeat
from paretune.trial import TrialState

__all__ = ["ReadOnlyStorage", "open_read_only"]


def open_read_only(url: str) -> ReadOnlyStorage:
    """Open the database at ``url`` for reading only.

    The connection is opened read-only by
    :func:`paretune.storages._open.open_existing`, shared with the command line.

    Args:
        url: ``sqlite:///path.db`` (the file must exist) or
            ``postgresql+psycopg://user@host:5432/db``.

    Returns:
        The storage, wrapped in :class:`ReadOnlyStorage`.

    Raises:
        StorageError: If ``url`` names no existing SQLite file ("no database at PATH"), an
            in-memory database, a database without paretune tables or whose schema needs
            an upgrade, or one that cannot be opened.
    """
    from paretune.storages._open import open_existing

    return ReadOnlyStorage(open_existing(url, read_only=True))


def _refuse(what: str) -> NoReturn:
    raise StorageError(f"The dashboard's storage is read-only: it cannot {what}.")


class ReadOnlyStorage(BaseStorage):
    """A storage that reads through to another and refuses every write.

    Reads (:meth:`get_study`, :meth:`list_studies`, :meth:`get_trial`,
    :meth:`get_all_trials`, :meth:`get_repeats`) return what the wrapped storage returns;
    every write method raises :class:`~paretune.exceptions.StorageError` without calling it.

    Args:
        inner: The storage to read.
    """

    def __init__(self, inner: BaseStorage) -> None:
        self._inner = inner

    # ---- reads ---------------------------------------------------------------------------
    def get_study(self, name: str) -> StudyInfo:
        """See :meth:`BaseStorage.get_study`."""
        return self._inner.get_study(name)

    def list_studies(self) -> list[StudySummary]:
        """See :meth:`BaseStorage.list_studies`."""
        return self._inner.list_studies()

    def get_trial(self, trial_id: int) -> TrialRecord:
        """See :meth:`BaseStorage.get_trial`."""
        return self._inner.get_trial(trial_id)

    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[TrialRecord]:
        """See :meth:`BaseStorage.get_all_trials`."""
        return self._inner.get_all_trials(study_id, states)

    def get_repeats(self, study_id: int) -> list[TrialRepeat]:
        """See :meth:`BaseStorage.get_repeats`."""
        return self._inner.get_repeats(study_id)

    def close(self) -> None:
        """Close the wrapped storage."""
        self._inner.close()

    # ---- writes: all refused -------------------------------------------------------------
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
        """Raises StorageError: the storage is read-only."""
        _refuse("create a study")

    def delete_study(self, name: str) -> None:
        """Raises StorageError: the storage is read-only."""
        _refuse("delete a study")

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """Raises StorageError: the storage is read-only."""
        _refuse("set a study attribute")

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
        """Raises StorageError: the storage is read-only."""
        _refuse("create a trial")

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
        """Raises StorageError: the storage is read-only."""
        _refuse("create a trial")

    def claim_waiting_trial(
        self, study_id: int, *, environment: Mapping[str, Any], now: float
    ) -> TrialRecord | None:
        """Raises StorageError: the storage is read-only."""
        _refuse("claim a trial")

    def start_trial(
        self,
        study_id: int,
        *,
        seed_for: Callable[[int], int],
        environment: Mapping[str, Any],
        now: float,
    ) -> TrialRecord:
        """Raises StorageError: the storage is read-only."""
        _refuse("start a trial")

    def set_trial_param(
        self, trial_id: int, name: str, value: Any, distribution: Distribution
    ) -> None:
        """Raises StorageError: the storage is read-only."""
        _refuse("store a parameter")

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Raises StorageError: the storage is read-only."""
        _refuse("set a trial attribute")

    def set_trial_placement(self, trial_id: int, placement: Placement) -> None:
        """Raises StorageError: the storage is read-only."""
        _refuse("place a trial")

    def report_intermediate(
        self,
        trial_id: int,
        step: int,
        metrics: Mapping[str, float],
        now: float,
        cost: float | None = None,
    ) -> None:
        """Raises StorageError: the storage is read-only."""
        _refuse("store an intermediate report")

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
        """Raises StorageError: the storage is read-only."""
        _refuse("finish a trial")

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
        """Raises StorageError: the storage is read-only."""
        _refuse("claim a repeat")

    def finish_repeat(
        self,
        trial_id: int,
        index: int,
        *,
        metrics: Mapping[str, float] | None,
        fail_reason: str | None,
        now: float,
    ) -> TrialRepeat:
        """Raises StorageError: the storage is read-only."""
        _refuse("finish a repeat")

    def renew_leases(self, trial_ids: Sequence[int], now: float) -> None:
        """Raises StorageError: the storage is read-only."""
        _refuse("renew trial leases")

    def expire_trial(
        self, trial_id: int, *, stale_before: float, fail_reason: str, now: float
    ) -> TrialRecord | None:
        """Raises StorageError: the storage is read-only."""
        _refuse("expire a trial's lease")
