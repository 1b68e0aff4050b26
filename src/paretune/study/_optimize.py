"""The sequential optimisation loop behind ``Study.optimize``."""

from __future__ import annotations

import collections
import time
import traceback as tb
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from paretune._logging import get_logger
from paretune._warnings import warn
from paretune.exceptions import FailedTrialsWarning
from paretune.exceptions import TrialStopped
from paretune.trial import Trial
from paretune.trial import TrialRecord
from paretune.trial import TrialState

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
) -> None:
    """Run trials one after another; see :meth:`Study.optimize` for the arguments."""
    _check_limits(n_trials, timeout)
    if not callable(objective):
        raise TypeError(f"`objective` must be callable, got {type(objective).__name__}.")
    caught = catch if isinstance(catch, tuple) else (catch,)
    callback_list = list(callbacks or ())
    study._stop_requested = False
    study._in_optimize = True
    try:
        _loop(study, objective, n_trials, timeout, caught, callback_list)
    finally:
        study._in_optimize = False


def _loop(
    study: Study,
    objective: ObjectiveFunction,
    n_trials: int | None,
    timeout: float | None,
    caught: tuple[type[BaseException], ...],
    callback_list: list[Callable[[Study, TrialRecord], None]],
) -> None:
    study.fail_orphaned_trials()
    started = time.monotonic()
    failures: collections.Counter[str] = collections.Counter()
    first_failure: dict[str, str] = {}
    done = 0
    while not study._stop_requested:
        if n_trials is not None and done >= n_trials:
            break
        if timeout is not None and time.monotonic() - started >= timeout:
            break
        trial = study.ask()
        record = _run_one(study, objective, trial, caught)
        done += 1
        if record.state is TrialState.FAILED:
            kind = (record.fail_reason or "unknown").split(":")[0]
            failures[kind] += 1
            first_failure.setdefault(kind, record.fail_reason or "")
        for callback in callback_list:
            callback(study, record)
    if failures:
        total = sum(failures.values())
        lines = "; ".join(
            f"{n} x {kind} (first: {first_failure[kind]})" for kind, n in failures.most_common()
        )
        warn(
            f"{total} of {done} trials of study {study.name!r} failed: {lines}. Their reasons "
            "and tracebacks are stored with the trials (study.trials_dataframe()).",
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
        return study.tell(
            trial, state="stopped", fail_reason=str(exc) or "stopped by the objective"
        )
    except caught as exc:
        return study.tell(
            trial, state="failed", fail_reason=_describe(exc), traceback=tb.format_exc()
        )
    except BaseException as exc:
        study.tell(trial, state="failed", fail_reason=_describe(exc), traceback=tb.format_exc())
        raise
    if result is None:
        return study.tell(
            trial,
            state="failed",
            fail_reason="invalid metrics: the objective returned None; return a dict of metrics",
        )
    return study.tell(trial, result)
