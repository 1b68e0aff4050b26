"""The sequential optimisation loop behind ``Study.optimize``."""

from __future__ import annotations

import collections
import os
import threading
import time
import traceback as tb
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from typing import Any

from paretune._costs import CostMeter
from paretune._logging import get_logger
from paretune._values import FailKind
from paretune.exceptions import TrialStopped
from paretune.exceptions import UnrelatedFailure
from paretune.study._fail_fast import FailFast
from paretune.study._failures import UNRELATED
from paretune.study._failures import warn_failed_trials
from paretune.study._isolation import TrialAborted
from paretune.study._isolation import check_isolation
from paretune.study._isolation import interrupt_reason
from paretune.study._isolation import isolate
from paretune.study._isolation import wait_for_workers
from paretune.study._limits import limit_reached
from paretune.study._progress import ProgressBar
from paretune.trial import Trial
from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.trial._failures import failure_label

if TYPE_CHECKING:
    from paretune.executors import BaseExecutor
    from paretune.study._study import Study

logger = get_logger(__name__)

ObjectiveFunction = Callable[[Trial], Mapping[str, float] | float | None]
"""What ``optimize`` runs: a trial in, metrics out."""

Catch = type[BaseException] | tuple[type[BaseException], ...]
"""Exception types that fail a trial without stopping the study."""


def _check_limits(n_trials: int | None, timeout: float | None) -> None:
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1
    ):
        raise ValueError(f"`n_trials` must be a positive integer or None, got {n_trials!r}.")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise ValueError(
            f"`timeout` must be a positive number of seconds or None, got {timeout!r}."
        )


def _workers(n_workers: int, n_jobs: int | None) -> int:
    """The thread count from ``n_workers`` and its Optuna-style alias ``n_jobs``."""
    if n_jobs is None:
        return n_workers
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != -1):
        raise ValueError(f"`n_jobs` must be a positive integer or -1, got {n_jobs!r}.")
    jobs = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
    if n_workers not in (1, jobs):
        raise ValueError(
            f"`n_jobs` is an alias of `n_workers`; got n_workers={n_workers!r} and "
            f"n_jobs={n_jobs!r}. Pass only n_workers."
        )
    return jobs


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_optimize(
    study: Study,
    objective: ObjectiveFunction,
    n_trials: int | None,
    timeout: float | None,
    catch: Catch,
    callbacks: Iterable[Callable[[Study, TrialRecord], None]] | None,
    n_workers: int = 1,
    max_cost: float | None = None,
    show_progress_bar: bool = False,
    n_jobs: int | None = None,
    executor: BaseExecutor | None = None,
    trial_timeout: float | None = None,
    isolation: str = "thread",
) -> None:
    """Run trials on ``n_workers`` threads; see :meth:`Study.optimize` for the arguments."""
    _check_limits(n_trials, timeout)
    check_isolation(isolation, trial_timeout)
    n_workers = _workers(n_workers, n_jobs)
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"`n_workers` must be a positive integer, got {n_workers!r}.")
    if max_cost is not None and (
        isinstance(max_cost, bool) or not isinstance(max_cost, (int, float)) or max_cost <= 0
    ):
        raise ValueError(
            f"`max_cost` must be a positive number (in the study's cost unit) or None, "
            f"got {max_cost!r}."
        )
    if not callable(objective):
        raise TypeError(f"`objective` must be callable, got {type(objective).__name__}.")
    caught = catch if isinstance(catch, tuple) else (catch,)
    if executor is not None:  # trials run elsewhere: paretune.executors.BaseExecutor
        if n_workers != 1:
            raise ValueError(
                f"`n_workers` counts threads in this process; with an executor, pass "
                f"n_workers=1 (got {n_workers!r}) and set the executor's concurrency."
            )
        if trial_timeout is not None or isolation != "thread":
            raise ValueError(
                "`trial_timeout` and `isolation` apply to trials run by this process; with "
                f"an executor, leave them unset (got {trial_timeout=!r}, {isolation=!r})."
            )
        executor.run(
            study, objective, n_trials=n_trials, timeout=timeout, max_cost=max_cost,
            catch=caught, callbacks=list(callbacks or ()), show_progress_bar=show_progress_bar,
        )  # fmt: skip
        return
    run = _Run(study, objective, n_trials, timeout, max_cost, caught, list(callbacks or ()))
    run.objective = isolate(  # study/_isolation.py: timeouts, child processes, interrupts
        objective,
        isolation=isolation,
        trial_timeout=trial_timeout,
        n_workers=n_workers,
        interrupted=run.interrupted,
    )
    if show_progress_bar:
        run.progress = ProgressBar(study, n_trials=n_trials, timeout=timeout, max_cost=max_cost)
    study._stop_requested = False
    study._in_optimize = True
    try:
        study.reap()
        if n_workers == 1:
            run.work()
        else:
            with ThreadPoolExecutor(n_workers, thread_name_prefix="paretune-worker") as pool:
                wait_for_workers([pool.submit(run.work) for _ in range(n_workers)], run.interrupted)
    finally:
        study._in_optimize = False
        if run.progress is not None:
            run.progress.close()
    run.warn_failures()


class _Run:
    """The state one ``optimize`` call shares between its worker threads."""

    def __init__(
        self,
        study: Study,
        objective: ObjectiveFunction,
        n_trials: int | None,
        timeout: float | None,
        max_cost: float | None,
        caught: tuple[type[BaseException], ...],
        callbacks: list[Callable[[Study, TrialRecord], None]],
    ) -> None:
        self.study = study
        self.objective = objective
        self.n_trials = n_trials
        self.timeout = timeout
        self.max_cost = max_cost
        self.caught = caught
        self.callbacks = callbacks
        self.started = time.monotonic()
        self.reaped_at = self.started
        self.lock = threading.Lock()
        self.claimed = 0  # trials started by this call
        self.done = 0
        self.cost = CostMeter()  # compute of the trials this call finished (_costs.py)
        self.failures: collections.Counter[str] = collections.Counter()
        self.first_failure: dict[str, str] = {}
        self.error: BaseException | None = None
        self.progress: ProgressBar | None = None
        self.fail_fast = FailFast(study, caught)
        self.interrupted = threading.Event()  # Ctrl-C: running trials end, none starts

    def _may_start(self) -> bool:
        with self.lock:
            if self.study._stop_requested or self.error is not None or self.interrupted.is_set():
                return False
            if limit_reached(
                started=self.claimed,
                n_trials=self.n_trials,
                since=self.started,
                timeout=self.timeout,
                spent=self.cost.spent,
                max_cost=self.max_cost,
            ):
                return False
            self.claimed += 1
            return True

    def _reap_when_due(self) -> None:
        """Reap lapsed leases once per heartbeat interval (another worker may have died)."""
        lease = self.study.lease
        if lease is None:
            return
        with self.lock:
            if time.monotonic() - self.reaped_at < lease.heartbeat_interval:
                return
            self.reaped_at = time.monotonic()
        self.study.reap()

    def work(self) -> None:
        """One worker: ask, run, tell, until a limit is reached."""
        while self._may_start():
            self._reap_when_due()
            trial = self.study.ask()
            try:
                record, caught = _run_one(self.study, self.objective, trial, self.caught)
            except BaseException as exc:
                with self.lock:
                    self.error = exc
                if isinstance(exc, KeyboardInterrupt):
                    self.interrupted.set()  # the other workers' trials end as interrupted
                raise
            with self.lock:
                stop = self.fail_fast.observe(record, caught)
                if stop is not None:
                    self.error = stop
                self.done += 1
                self.cost.add(record)
                if record.state is TrialState.FAILED:
                    kind = failure_label(record)
                    self.failures[kind] += 1
                    self.first_failure.setdefault(kind, record.fail_reason or "")
            if self.progress is not None:
                self.progress.update(record)
            for callback in self.callbacks:
                callback(self.study, record)
            if stop is not None:
                raise stop

    def warn_failures(self) -> None:
        """One warning that counts the failed trials by error."""
        warn_failed_trials(self.study.name, self.done, self.failures, self.first_failure)


def _run_one(
    study: Study,
    objective: ObjectiveFunction,
    trial: Trial,
    caught: tuple[type[BaseException], ...],
) -> tuple[TrialRecord, BaseException | None]:
    """Run and tell one trial; also return the exception that failed it, if caught."""
    try:
        result: Any = objective(trial)
    except TrialStopped as exc:
        reason = str(exc) or trial.stop_reason or "stopped by the objective"
        return study.tell(trial, state="stopped", fail_reason=reason), None
    except UnrelatedFailure as exc:
        cause = exc.__cause__
        text = str(exc).strip() or (_describe(cause) if cause else "") or "no reason given"
        told = study.tell(
            trial,
            state="failed",
            fail_reason=UNRELATED + text,
            traceback=tb.format_exc(),
            fail_kind=FailKind.UNRELATED,
        )
        return told, None
    except TrialAborted as exc:  # timed out, crashed, or ended by an interrupt elsewhere
        told = study.tell(
            trial,
            state="failed",
            fail_reason=exc.reason,
            traceback=exc.traceback,
            fail_kind=exc.kind,
        )
        if exc.then_raise is not None:  # its child process could not load the objective
            raise exc.then_raise from None
        return told, None
    except KeyboardInterrupt as exc:  # Ctrl-C: never caught; optimize stops
        study.tell(
            trial,
            state="failed",
            fail_reason=interrupt_reason(exc),
            traceback=tb.format_exc(),
            fail_kind=FailKind.INTERRUPTED,
        )
        raise
    except caught as exc:
        told = study.tell(
            trial,
            state="failed",
            fail_reason=_describe(exc),
            traceback=tb.format_exc(),
            fail_kind=FailKind.ERROR,
        )
        return told, exc
    except BaseException as exc:
        study.tell(
            trial,
            state="failed",
            fail_reason=_describe(exc),
            traceback=tb.format_exc(),
            fail_kind=FailKind.ERROR,
        )
        raise
    if result is None:
        told = study.tell(
            trial,
            state="failed",
            fail_reason="invalid metrics: the objective returned None; return a dict of metrics",
            fail_kind=FailKind.INVALID_METRICS,
        )
        return told, None
    return study.tell(trial, result), None
