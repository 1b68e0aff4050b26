"""Running each trial as a Ray task on a cluster, with per-trial resources."""

from __future__ import annotations

import importlib
import math
import pathlib
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from paretune._logging import get_logger
from paretune.executors._base import BaseExecutor
from paretune.executors._remote import RunSpec
from paretune.executors._remote import dumps
from paretune.executors._remote import run_trial
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.executors._ledger import TrialLedger
    from paretune.study import Study
    from paretune.study._optimize import ObjectiveFunction

__all__ = ["RayExecutor"]

logger = get_logger(__name__)

NEEDS_SHARED_STORAGE = (
    "RayExecutor needs a storage every Ray worker can reach: pass "
    "storage='postgresql+psycopg://...' or a SQLite file on this machine "
    "(storage='sqlite:///runs.db')"
)


def _import_ray() -> Any:
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise ImportError(
            "RayExecutor needs Ray: pip install 'paretune[ray]' (or pip install 'ray[default]')."
        ) from exc


def _check_resource(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"`{name}` must be a non-negative number, got {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value!r}.")


def storage_url(study: Study) -> tuple[str, bool]:
    """The URL Ray workers open ``study``'s storage with, and whether it is SQLite.

    A relative SQLite path is made absolute (workers may start elsewhere).

    Raises:
        ValueError: If the study is in memory (or in an in-memory SQLite database, or a
            storage object that is not SQL).
    """
    from paretune.storages._sql import SQLStorage
    from paretune.storages._sql._engine import is_memory_sqlite
    from paretune.storages._sql._engine import is_sqlite

    storage = study.storage
    if not isinstance(storage, SQLStorage) or is_memory_sqlite(storage.url):
        kind = type(storage).__name__
        raise ValueError(f"{NEEDS_SHARED_STORAGE}; study {study.name!r} is in a {kind}.")
    url = storage.url
    if is_sqlite(url):
        url = url.set(database=str(pathlib.Path(url.database or "").resolve()))
        return url.render_as_string(hide_password=False), True
    return url.render_as_string(hide_password=False), False


class RayExecutor(BaseExecutor):
    """Runs each trial as a Ray task: ``study.optimize(objective, n_trials=100,
    executor=pt.executors.RayExecutor())``.

    The driver (the process calling ``optimize``) dispatches one task per trial and keeps
    the call's limits, callbacks and failure counts. Each task opens the study from its
    storage by name, asks a trial (sampling with a copy of the study's sampler and
    scheduler), runs the objective and tells the result, as a local worker process does; so
    numbering, leases, multi-fidelity promotions and retries behave as with local workers.
    The study must therefore live in a storage every Ray worker reaches: PostgreSQL, or an
    SQLite file when every Ray node is this machine.

    Call :meth:`Study.stop` from a callback (callbacks run in the driver), not from the
    objective (which runs in a worker). When a worker dies with its trial (killed, out of
    memory, its node lost), the driver counts the trial as lost, carries on, and before
    returning waits until the trial's lease lapsed (at most ``grace`` seconds after the
    death) and reaps it as ``worker_lost``. A study without a lease
    (``heartbeat_interval=None``) leaves such a trial running.

    If Ray is already initialised in this process, its connection is used and ``address``
    is ignored; otherwise the first call runs ``ray.init(address=address)`` and leaves Ray
    running for later calls.

    Args:
        address: The cluster: None for ``ray.init()``'s default (``RAY_ADDRESS``, else a
            new local Ray), ``"auto"``, or ``"ray://host:10001"`` (Ray Client).
        num_cpus: CPUs Ray reserves for each trial's task.
        num_gpus: GPUs Ray reserves for each trial's task (fractions share a GPU).
        max_concurrent: Trials running at once; None: as many as the cluster's resources
            fit when the call starts (at least one).

    Raises:
        ValueError: On a negative resource or a ``max_concurrent`` below 1.
        ImportError: If Ray is not installed (``pip install 'paretune[ray]'``).
    """

    def __init__(
        self,
        *,
        address: str | None = None,
        num_cpus: float = 1,
        num_gpus: float = 0,
        max_concurrent: int | None = None,
    ) -> None:
        _check_resource("num_cpus", num_cpus)
        _check_resource("num_gpus", num_gpus)
        if max_concurrent is not None and (
            isinstance(max_concurrent, bool)
            or not isinstance(max_concurrent, int)
            or max_concurrent < 1
        ):
            raise ValueError(
                f"`max_concurrent` must be a positive integer or None, got {max_concurrent!r}."
            )
        if address is not None and not isinstance(address, str):
            raise TypeError(f"`address` must be a string or None, got {address!r}.")
        _import_ray()
        self.address = address
        self.num_cpus = num_cpus
        self.num_gpus = num_gpus
        self.max_concurrent = max_concurrent

    def __repr__(self) -> str:
        return (
            f"RayExecutor(address={self.address!r}, num_cpus={self.num_cpus!r}, "
            f"num_gpus={self.num_gpus!r}, max_concurrent={self.max_concurrent!r})"
        )

    def _connect(self) -> Any:
        ray = _import_ray()
        if not ray.is_initialized():
            ray.init(address=self.address)
        return ray

    def concurrency(self, ray: Any) -> int:
        """How many trials run at once: ``max_concurrent``, else what the cluster fits."""
        if self.max_concurrent is not None:
            return self.max_concurrent
        resources = ray.cluster_resources()
        fits = [resources.get("CPU", 0.0) / self.num_cpus] if self.num_cpus > 0 else []
        if self.num_gpus > 0:
            fits.append(resources.get("GPU", 0.0) / self.num_gpus)
        return max(1, int(min(fits) if fits else resources.get("CPU", 1.0)))

    def _execute(self, study: Study, objective: ObjectiveFunction, ledger: TrialLedger) -> None:
        """Dispatch one Ray task per trial (see the class docstring)."""
        url, sqlite = storage_url(study)
        ray = self._connect()
        if sqlite:
            _check_one_machine(ray)
        spec = RunSpec(
            run_id=uuid.uuid4().hex,
            storage_url=url,
            study_name=study.name,
            seed=study.seed,
            objective=objective,
            catch=ledger.catch,
            sampler=study.sampler,
            scheduler=study.scheduler,
            param_constraints=study.param_constraints,
        )
        holder = [ray.put(dumps(spec))]
        task = ray.remote(run_trial).options(
            num_cpus=self.num_cpus,
            num_gpus=self.num_gpus,
            max_retries=0,  # a lost trial is reaped by its lease and retried by the study
            retry_exceptions=False,
            name="paretune-trial",
        )
        _Dispatch(ray, study, ledger, self.concurrency(ray)).run(
            lambda: task.remote(spec.run_id, holder)
        )


def _check_one_machine(ray: Any) -> None:
    """Refuse an SQLite storage when a Ray node runs on another machine."""
    here = {ray.util.get_node_ip_address(), "127.0.0.1", "::1", "localhost"}
    elsewhere = sorted({n["NodeManagerAddress"] for n in ray.nodes() if n.get("Alive")} - here)
    if elsewhere:
        raise ValueError(
            f"{NEEDS_SHARED_STORAGE}; this cluster has nodes on other machines "
            f"({', '.join(elsewhere)}), which cannot open an SQLite file here."
        )


class _Dispatch:
    """The driver's loop: keep ``limit`` tasks running while the ledger allows, read each
    finished trial, reap lapsed leases every heartbeat interval."""

    def __init__(self, ray: Any, study: Study, ledger: TrialLedger, limit: int) -> None:
        self.ray = ray
        self.study = study
        self.ledger = ledger
        self.limit = limit
        lease = study.lease
        self.tick = lease.heartbeat_interval if lease is not None else 1.0
        self.error: BaseException | None = None
        self.lost_at: float | None = None

    def run(self, submit: Callable[[], Any]) -> None:
        """Keep tasks from `submit` running until the ledger stops; raise the first error."""
        ray, pending, reaped_at = self.ray, list[Any](), time.monotonic()
        try:
            while True:
                while self.error is None and len(pending) < self.limit and self.ledger.may_start():
                    pending.append(submit())
                if not pending:
                    break
                done, pending = ray.wait(pending, num_returns=1, timeout=self.tick)
                for ref in done:
                    self._collect(ref)
                if time.monotonic() - reaped_at >= self.tick:  # a worker may have died
                    self.study.reap()
                    reaped_at = time.monotonic()
        except BaseException:
            for ref in pending:
                ray.cancel(ref)
            raise
        if self.lost_at is not None:
            self._settle_lost()
        if self.error is not None:
            raise self.error

    def _collect(self, ref: Any) -> None:
        exceptions = self.ray.exceptions
        try:
            trial_id, caught = self.ray.get(ref)
        except exceptions.RayTaskError as exc:  # raised outside `catch`, or a setup error
            self.error = self.error or exc
            return
        except exceptions.RayError as exc:  # the worker (or its node) died with the trial
            logger.warning(
                "A Ray worker running a trial of study %r died: %s", self.study.name, exc
            )
            self.ledger.worker_lost(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
            self.lost_at = time.monotonic()
            return
        try:
            self.ledger.finished(self.study.storage.get_trial(trial_id), caught)
        except Exception as exc:  # a callback's error, or the fail-fast stop
            self.error = self.error or exc

    def _settle_lost(self) -> None:
        """Wait until the lost workers' leases lapsed (at most ``grace``), reaping them."""
        lease, study = self.study.lease, self.study
        if lease is None:
            logger.warning(
                "Study %r has no lease (heartbeat_interval=None), so the trial of a lost Ray "
                "worker stays running; fail it with study.tell(number, state='failed').",
                study.name,
            )
            return
        assert self.lost_at is not None
        interval = lease.heartbeat_interval
        # Two intervals after the death, a dead trial's beat is older than two intervals
        # and a live one's is not; before that, the two look alike.
        settled = self.lost_at + 2 * interval
        deadline = self.lost_at + lease.grace + interval
        while True:
            study.reap()
            now = time.monotonic()
            if now >= deadline:
                return
            if now >= settled:
                stale_before = time.time() - 2 * interval
                running = study.get_trials(states=(TrialState.RUNNING,))
                if all(
                    (t.heartbeat_at_ts or t.started_at_ts or 0) >= stale_before for t in running
                ):
                    return  # no lapsing lease left (another worker reaped it, or none held)
            time.sleep(interval)
