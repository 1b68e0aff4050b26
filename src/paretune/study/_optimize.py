"""The sequential optimisation loop behind ``Study.optimize``."""

from __future__ import annotations

import collections
import threading
import time
import traceback as tb
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from typing import Any

from paretune._logging import get_logger
from paretune._values import FailKind
from paretune._warnings import warn
from paretune.exceptions import FailedTrialsWarning
from paretune.exceptions import TrialStopped
from paretune.exceptions import UnrelatedFailure
from paretune.study._failures import UNRELATED
from paretune.study._progress import ProgressBar
from paretune.trial import Trial
from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.trial._failures import failure_label

if TYPE_CHECKING:
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
) -> None:
    """Run trials on ``n_workers`` threads; see :meth:`Study.optimize` for the arguments."""
    _check_limits(n_trials, timeout)
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"`n_workers` must be a positive integer, got {n_workers!r}.")
    if max_cost is not None and (
        isinstance(max_cost, bool) or not isinstance(max_cost, (int, float)) or max_cost <= 0
    ):
        raise ValueError(
            f"`max_cost` must be a positive number of seconds or None, got {max_cost!r}."
        )
    if not callable(objective):
        raise TypeError(f"`objective` must be callable, got {type(objective).__name__}.")
    caught = catch if isinstance(catch, tuple) else (catch,)
    run = _Run(study, objective, n_trials, timeout, max_cost, caught, list(callbacks or ()))
    if show_progress_bar:
        run.progress = ProgressBar(study, n_trials=n_trials, timeout=timeout, max_cost=max_cost)
    study._stop_requested = False
    study._in_optimize = True
    try:
        study.fail_orphaned_trials()
        if n_workers == 1:
            run.work()
        else:
            with ThreadPoolExecutor(n_workers, thread_name_prefix="paretune-worker") as pool:
                for future in [pool.submit(run.work) for _ in range(n_workers)]:
                    future.result()
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
        self.lock = threading.Lock()
        self.claimed = 0  # trials started by this call
        self.done = 0
        self.cost = 0.0  # seconds of compute of the trials this call finished
        self.failures: collections.Counter[str] = collections.Counter()
        self.first_failure: dict[str, str] = {}
        self.error: BaseException | None = None
        self.progress: ProgressBar | None = None

    def _may_start(self) -> bool:
        with self.lock:
            if self.study._stop_requested or self.error is not None:
                return False
            if self.n_trials is not None and self.claimed >= self.n_trials:
                return False
            if self.timeout is not None and time.monotonic() - self.started >= self.timeout:
                return False
            if self.max_cost is not None and self.cost >= self.max_cost:
                return False
            self.claimed += 1
            return True

    def work(self) -> None:
        """One worker: ask, run, tell, until a limit is reached."""
        while self._may_start():
            trial = self.study.ask()
            try:
                record = _run_one(self.study, self.objective, trial, self.caught)
            except BaseException as exc:
                with self.lock:
                    self.error = exc
                raise
            with self.lock:
                self.done += 1
                self.cost += record.duration or 0.0
                if record.state is TrialState.FAILED:
                    kind = failure_label(record)
                    self.failures[kind] += 1
                    self.first_failure.setdefault(kind, record.fail_reason or "")
            if self.progress is not None:
                self.progress.update(record)
            for callback in self.callbacks:
                callback(self.study, record)

    def warn_failures(self) -> None:
        """One warning that counts the failed trials by error."""
        if not self.failures:
            return
        total = sum(self.failures.values())
        lines = "; ".join(
            f"{n} x {kind} (first: {self.first_failure[kind]})"
            for kind, n in self.failures.most_common()
        )
        warn(
            f"{total} of {self.done} trials of study {self.study.name!r} failed: {lines}. Their "
            "reasons are in study.trials_dataframe(), their tracebacks in each record's "
            "`traceback` (and in `paretune export NAME --format json`).",
            FailedTrialsWarning,
        )


def _run_one(
    study: Study,
    objective: ObjectiveFunction,
    trial: Trial,
    caught: tuple[type[BaseException], ...],
) -> TrialRecord:
    try:
        result: Any = objective(trial)
    except TrialStopped as exc:
        reason = str(exc) or trial.stop_reason or "stopped by the objective"
        return study.tell(trial, state="stopped", fail_reason=reason)
    except UnrelatedFailure as exc:
        cause = exc.__cause__
        text = str(exc).strip() or (_describe(cause) if cause else "") or "no reason given"
        return study.tell(
            trial,
            state="failed",
            fail_reason=UNRELATED + text,
            traceback=tb.format_exc(),
            fail_kind=FailKind.UNRELATED,
        )
    except caught as exc:
        return study.tell(
            trial,
            state="failed",
            fail_reason=_describe(exc),
            traceback=tb.format_exc(),
            fail_kind=FailKind.ERROR,
        )
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
        return study.tell(
            trial,
            state="failed",
            fail_reason="invalid metrics: the objective returned None; return a dict of metrics",
            fail_kind=FailKind.INVALID_METRICS,
        )
    return study.tell(trial, result)
