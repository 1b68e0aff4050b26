"""Trial leases: a running trial's worker renews it; a trial whose lease lapsed is reaped.

A worker that dies (killed, out of memory, its machine gone) cannot say so. Each running
trial of a study with leases carries a heartbeat time that its worker renews every
``heartbeat_interval`` seconds from a background thread; once it is older than ``grace``
seconds, any worker (or ``paretune reap``) fails the trial as
:attr:`~paretune.trial.FailKind.WORKER_LOST` and, while ``max_retries`` allows, queues a
retry of the same parameters. Nothing depends on host names or process ids.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from paretune.storages import BaseStorage
from paretune.storages import InMemoryStorage
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["RETRY_OF", "Lease", "LeaseKeeper", "lease_settings", "reap"]

RETRY_OF = "retry_of"
"""User attribute of a retry: the number of the trial whose lease lapsed."""


@dataclass(frozen=True)
class Lease:
    """A study's lease settings (stored with the study).

    Attributes:
        heartbeat_interval: Seconds between renewals.
        grace: Seconds without a renewal after which a running trial is reaped.
        max_retries: Retries queued for a reaped trial's parameters (0: none).
    """

    heartbeat_interval: float
    grace: float
    max_retries: int = 0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Lease | None:
        """The lease stored in a study's settings, or None when it has none."""
        data = settings.get("lease")
        if not data:
            return None
        return cls(
            float(data["heartbeat_interval"]), float(data["grace"]), int(data["max_retries"])
        )


def lease_settings(
    storage: BaseStorage, heartbeat_interval: float | None, grace: float, max_retries: int
) -> dict[str, Any]:
    """The settings to store for a new study: a lease unless the storage is in memory (one
    process, nothing to reap) or ``heartbeat_interval`` is None.

    Raises:
        ValueError: On a non-positive interval, a grace shorter than two intervals, or a
            negative ``max_retries``.
    """
    if heartbeat_interval is None or isinstance(storage, InMemoryStorage):
        return {}
    for name, value in (("heartbeat_interval", heartbeat_interval), ("grace", grace)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"`{name}` must be a positive number of seconds, got {value!r}.")
        if not math.isfinite(value):
            raise ValueError(f"`{name}` must be finite, got {value!r}.")
    if grace < 2 * heartbeat_interval:
        raise ValueError(
            f"`grace` ({grace:g} s) must be at least twice `heartbeat_interval` "
            f"({heartbeat_interval:g} s), or a slow renewal would reap a live trial."
        )
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"`max_retries` must be a non-negative integer, got {max_retries!r}.")
    lease = {"heartbeat_interval": float(heartbeat_interval), "grace": float(grace)}
    return {"lease": {**lease, "max_retries": max_retries}}


class LeaseKeeper:
    """Renews the leases of the running trials one ``Study`` object started, from one daemon
    thread that runs while it holds any."""

    def __init__(self, storage: BaseStorage, interval: float) -> None:
        self._storage = storage
        self._interval = interval
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, trial_id: int) -> None:
        """Renew ``trial_id``'s lease now and then every interval until :meth:`release`."""
        self._storage.renew_leases([trial_id], time.time())
        with self._lock:
            self._held.add(trial_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="paretune-heartbeat", daemon=True
                )
                self._thread.start()

    def release(self, trial_id: int) -> None:
        """Stop renewing ``trial_id`` (it finished)."""
        with self._lock:
            self._held.discard(trial_id)
            if not self._held:
                self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            with self._lock:
                self._wake.clear()
                held = sorted(self._held)
                if not held:
                    self._thread = None
                    return
            try:
                self._storage.renew_leases(held, time.time())
            except Exception:  # a transient storage error: the next beat tries again
                continue


def reap(study: Study, storage: BaseStorage, lease: Lease) -> list[TrialRecord]:
    """Fail the running trials whose lease lapsed and queue their retries.

    Returns:
        The records of the trials this call failed (one another worker reaped first, or
        that renewed in between, is left alone).
    """
    now = time.time()
    stale_before = now - lease.grace
    reaped = []
    for record in study.get_trials(states=(TrialState.RUNNING,)):
        beat = record.heartbeat_at_ts or record.started_at_ts  # never renewed: its start
        if beat is None or beat >= stale_before:
            continue
        failed = storage.expire_trial(
            record.trial_id,
            stale_before=stale_before,
            fail_reason=(
                f"worker lost: no heartbeat for {now - beat:.0f} s (grace {lease.grace:g} s); "
                "its process ended, hung or lost its connection"
            ),
            now=now,
        )
        if failed is None:
            continue
        reaped.append(failed)
        attempts = _attempts(study, failed)
        if attempts <= lease.max_retries:
            study.enqueue(dict(failed.params), user_attrs={RETRY_OF: failed.number})
    return reaped


def _attempts(study: Study, record: TrialRecord) -> int:
    """How many retries already led to ``record`` (0 for an original trial)."""
    by_number = {r.number: r for r in study.get_trials()}
    count, current = 0, record
    while isinstance(current.user_attrs.get(RETRY_OF), int):
        count += 1
        parent = by_number.get(current.user_attrs[RETRY_OF])
        if parent is None:
            break
        current = parent
    return count + 1


LATE_RESULT_OF = "late_result_of"
"""User attribute of a trial that holds a late result: the reaped trial it belongs to."""


def record_late_result(
    study: Study,
    storage: BaseStorage,
    reaped: TrialRecord,
    finish: Mapping[str, Any],
) -> TrialRecord:
    """Keep the result a worker told after its trial was reaped, without touching the reaped
    trial: a new trial with the same parameters and seed is created and finished with it
    (user attribute ``"late_result_of"``); a queued retry still runs.

    ``finish`` holds :meth:`BaseStorage.finish_trial`'s keyword arguments but ``now``.
    """
    from paretune.trial._environment import current_environment

    created = storage.create_trial(
        study._info.study_id,
        state=TrialState.RUNNING,
        seed_for=lambda _: reaped.seed,
        environment=current_environment(),
        enqueued_params=dict(reaped.params),
        user_attrs={LATE_RESULT_OF: reaped.number},
        placement=reaped.placement,
        now=time.time(),
    )
    for name, value in reaped.params.items():
        storage.set_trial_param(created.trial_id, name, value, reaped.distributions[name])
    return storage.finish_trial(created.trial_id, now=time.time(), **finish)
