"""A storage that keeps everything in this process's memory (``storage=None``)."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from collections.abc import Container
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from paretune._storable import check_json_text
from paretune._storable import check_metric_names
from paretune._storable import check_name
from paretune._storable import check_new_study
from paretune._storable import check_new_trial
from paretune._storable import check_param
from paretune._storable import storable_text
from paretune.constraints import Constraint
from paretune.distributions import Distribution
from paretune.exceptions import DuplicatedStudyError
from paretune.exceptions import StudyNotFoundError
from paretune.exceptions import UpdateFinishedTrialError
from paretune.fidelity import Fidelity
from paretune.objectives import Objective
from paretune.storages._base import BaseStorage
from paretune.storages._base import StudyInfo
from paretune.storages._base import StudySummary
from paretune.storages._json import check_json_value
from paretune.trial._record import Placement
from paretune.trial._record import TrialRecord
from paretune.trial._repeat import TrialRepeat
from paretune.trial._state import FailKind
from paretune.trial._state import TrialState

__all__ = ["InMemoryStorage"]


class InMemoryStorage(BaseStorage):
    """Keeps studies in a dict; thread-safe, gone when the process ends.

    Use it for quick experiments and tests. Pass a database URL to ``create_study`` to keep
    results, resume after a crash, or share a study between processes.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._studies: dict[int, StudyInfo] = {}
        self._names: dict[str, int] = {}
        self._trials: dict[int, list[TrialRecord]] = {}
        self._trial_index: dict[int, tuple[int, int]] = {}  # trial_id -> (study_id, number)
        self._next_study_id = 0
        self._next_trial_id = 0
        self._keys: dict[int, set[str]] = {}  # study_id -> keys taken by create_trial_once
        self._repeats: dict[tuple[int, int], TrialRepeat] = {}  # (trial_id, index) -> repeat

    # ---- studies -------------------------------------------------------------------------
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
        """See :meth:`BaseStorage.create_study`."""
        check_new_study(name, objectives, constraints, user_attrs)
        with self._lock:
            if name in self._names:
                raise DuplicatedStudyError(
                    f"A study named {name!r} already exists; pass load_if_exists=True to "
                    "continue it or choose another name."
                )
            study_id = self._next_study_id
            self._next_study_id += 1
            info = StudyInfo(
                study_id,
                name,
                objectives,
                constraints,
                seed,
                time.time(),
                dict(user_attrs or {}),
                fidelity,
                dict(settings or {}),
            )
            self._studies[study_id] = info
            self._names[name] = study_id
            self._trials[study_id] = []
            return info

    def get_study(self, name: str) -> StudyInfo:
        """See :meth:`BaseStorage.get_study`."""
        check_name("study_name", name)
        with self._lock:
            if name not in self._names:
                raise StudyNotFoundError(_not_found(name, list(self._names)))
            return self._studies[self._names[name]]

    def list_studies(self) -> list[StudySummary]:
        """See :meth:`BaseStorage.list_studies`."""
        with self._lock:
            out = []
            for study_id, info in self._studies.items():
                counts: dict[TrialState, int] = {}
                for t in self._trials[study_id]:
                    counts[t.state] = counts.get(t.state, 0) + 1
                out.append(StudySummary(info, counts))
            return out

    def delete_study(self, name: str) -> None:
        """See :meth:`BaseStorage.delete_study`."""
        check_name("study_name", name)
        with self._lock:
            info = self.get_study(name)
            for t in self._trials.pop(info.study_id):
                del self._trial_index[t.trial_id]
            del self._studies[info.study_id]
            del self._names[name]
            self._keys.pop(info.study_id, None)
            gone = [key for key, r in self._repeats.items() if key[0] not in self._trial_index]
            for key in gone:
                del self._repeats[key]

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """See :meth:`BaseStorage.set_study_user_attr`."""
        check_json_value(key, value)
        with self._lock:
            info = self._studies[study_id]
            attrs = dict(info.user_attrs)
            attrs[key] = copy.deepcopy(value)
            self._studies[study_id] = replace(info, user_attrs=attrs)

    # ---- trials --------------------------------------------------------------------------
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
        """See :meth:`BaseStorage.create_trial`."""
        check_new_trial(enqueued_params, user_attrs, environment)
        with self._lock:
            trials = self._trials[study_id]
            number = len(trials)
            record = TrialRecord(
                number=number,
                state=state,
                seed=seed_for(number),
                environment=copy.deepcopy(dict(environment or {})),
                enqueued_params=copy.deepcopy(dict(enqueued_params or {})),
                user_attrs=copy.deepcopy(dict(user_attrs or {})),
                started_at_ts=now if state is TrialState.RUNNING else None,
                placement=placement,
                trial_id=self._next_trial_id,
            )
            self._next_trial_id += 1
            trials.append(record)
            self._trial_index[record.trial_id] = (study_id, number)
            return record

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
        """See :meth:`BaseStorage.create_trial_once`."""
        check_new_trial(enqueued_params, None, environment, key=key)
        with self._lock:
            keys = self._keys.setdefault(study_id, set())
            if key in keys:
                return None
            keys.add(key)
            return self.create_trial(
                study_id,
                state=state,
                seed_for=seed_for,
                environment=environment,
                enqueued_params=enqueued_params,
                placement=placement,
                now=now,
            )

    def claim_waiting_trial(
        self, study_id: int, *, environment: Mapping[str, Any], now: float
    ) -> TrialRecord | None:
        """See :meth:`BaseStorage.claim_waiting_trial`."""
        with self._lock:
            for i, t in enumerate(self._trials[study_id]):
                if t.state is TrialState.WAITING:
                    claimed = replace(
                        t,
                        state=TrialState.RUNNING,
                        environment=copy.deepcopy(dict(environment)),
                        started_at_ts=now,
                    )
                    self._trials[study_id][i] = claimed
                    return claimed
            return None

    def _update_running(self, trial_id: int, **changes: Any) -> TrialRecord:
        with self._lock:
            if trial_id not in self._trial_index:
                raise KeyError(f"No trial with id {trial_id}.")
            study_id, number = self._trial_index[trial_id]
            record = self._trials[study_id][number]
            if record.state.is_finished:
                raise UpdateFinishedTrialError(
                    f"Trial {number} is already {record.state.value}; a finished trial "
                    "cannot be changed."
                )
            updated = replace(record, **changes)
            self._trials[study_id][number] = updated
            return updated

    def set_trial_param(
        self, trial_id: int, name: str, value: Any, distribution: Distribution
    ) -> None:
        """See :meth:`BaseStorage.set_trial_param`."""
        check_param(name, value, distribution)
        with self._lock:
            record = self.get_trial(trial_id)
            params = {**record.params, name: value}
            dists = {**record.distributions, name: distribution}
            self._update_running(trial_id, params=params, distributions=dists)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """See :meth:`BaseStorage.set_trial_user_attr`."""
        check_json_value(key, value)
        with self._lock:
            record = self.get_trial(trial_id)
            attrs = {**record.user_attrs, key: copy.deepcopy(value)}
            self._update_running(trial_id, user_attrs=attrs)

    def set_trial_placement(self, trial_id: int, placement: Placement) -> None:
        """See :meth:`BaseStorage.set_trial_placement`."""
        self._update_running(trial_id, placement=placement)

    def report_intermediate(
        self,
        trial_id: int,
        step: int,
        metrics: Mapping[str, float],
        now: float,
        cost: float | None = None,
    ) -> None:
        """See :meth:`BaseStorage.report_intermediate`."""
        check_metric_names(metrics)
        with self._lock:
            record = self.get_trial(trial_id)
            steps = {**record.intermediate, step: dict(metrics)}
            times = {**record.report_times, step: now}
            costs = {k: v for k, v in record.report_costs.items() if k != step}
            if cost is not None:
                costs[step] = cost
            self._update_running(
                trial_id, intermediate=steps, report_times=times, report_costs=costs
            )

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
        """See :meth:`BaseStorage.finish_trial`."""
        check_metric_names(metrics, constraints)
        return self._update_running(
            trial_id,
            state=state,
            cost=cost,
            metrics=dict(metrics or {}),
            constraints=dict(constraints or {}),
            fail_reason=storable_text(fail_reason),
            fail_kind=fail_kind if state is TrialState.FAILED else None,
            traceback=storable_text(traceback),
            finished_at_ts=now,
        )

    def get_trial(self, trial_id: int) -> TrialRecord:
        """See :meth:`BaseStorage.get_trial`."""
        with self._lock:
            if trial_id not in self._trial_index:
                raise KeyError(f"No trial with id {trial_id}.")
            study_id, number = self._trial_index[trial_id]
            return self._trials[study_id][number]

    def get_all_trials(
        self, study_id: int, states: Container[TrialState] | None = None
    ) -> list[TrialRecord]:
        """See :meth:`BaseStorage.get_all_trials`."""
        with self._lock:
            trials = self._trials[study_id]
            if states is None:
                return list(trials)
            return [t for t in trials if t.state in states]

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
        """See :meth:`BaseStorage.claim_repeat`."""
        check_json_text("the worker's environment", environment)
        with self._lock:
            record = self.get_trial(trial_id)
            if (trial_id, index) in self._repeats:
                return None
            repeat = TrialRepeat(
                record.number,
                index,
                seed,
                TrialState.RUNNING,
                started_at_ts=now,
                environment=dict(environment),
            )
            self._repeats[(trial_id, index)] = repeat
            return repeat

    def finish_repeat(
        self,
        trial_id: int,
        index: int,
        *,
        metrics: Mapping[str, float] | None,
        fail_reason: str | None,
        now: float,
    ) -> TrialRepeat:
        """See :meth:`BaseStorage.finish_repeat`."""
        check_metric_names(metrics)
        with self._lock:
            repeat = self._repeats.get((trial_id, index))
            if repeat is None or repeat.state is not TrialState.RUNNING:
                raise UpdateFinishedTrialError(
                    f"Repeat {index} of trial id {trial_id} is not running; claim it first."
                )
            done = replace(
                repeat,
                state=TrialState.FAILED if fail_reason is not None else TrialState.COMPLETE,
                metrics=dict(metrics or {}) if fail_reason is None else {},
                fail_reason=storable_text(fail_reason),
                finished_at_ts=now,
            )
            self._repeats[(trial_id, index)] = done
            return done

    def get_repeats(self, study_id: int) -> list[TrialRepeat]:
        """See :meth:`BaseStorage.get_repeats`."""
        with self._lock:
            found = [
                r for (tid, _), r in self._repeats.items() if self._trial_index[tid][0] == study_id
            ]
        return sorted(found, key=lambda r: (r.trial_number, r.index))

    def renew_leases(self, trial_ids: Sequence[int], now: float) -> None:
        """See :meth:`BaseStorage.renew_leases`."""
        with self._lock:
            for trial_id in trial_ids:
                if self.get_trial(trial_id).state is TrialState.RUNNING:
                    self._update_running(trial_id, heartbeat_at_ts=now)

    def expire_trial(
        self, trial_id: int, *, stale_before: float, fail_reason: str, now: float
    ) -> TrialRecord | None:
        """See :meth:`BaseStorage.expire_trial`."""
        with self._lock:
            record = self.get_trial(trial_id)
            beat = record.heartbeat_at_ts or record.started_at_ts  # never renewed: its start
            if record.state is not TrialState.RUNNING or beat is None or beat >= stale_before:
                return None
            return self._update_running(
                trial_id,
                state=TrialState.FAILED,
                fail_reason=fail_reason,
                fail_kind=FailKind.WORKER_LOST,
                finished_at_ts=now,
            )


def _not_found(name: str, existing: list[str]) -> str:
    hint = f"existing studies: {', '.join(sorted(existing))}" if existing else "it holds none"
    return f"No study named {name!r} in this storage ({hint})."
