"""The limits of one ``optimize`` call and what it has finished, kept where trials are
dispatched (the driver), whatever runs them."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paretune._costs import CostMeter
from paretune.study._fail_fast import FailFast
from paretune.study._failures import warn_failed_trials
from paretune.study._limits import limit_reached
from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.trial._failures import failure_label

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.study._progress import ProgressBar

__all__ = ["TrialLedger"]

LOST = "worker process ended"
"""How a trial whose worker died before it could say so is counted."""


class TrialLedger:
    """What one ``optimize`` call may still start, and the bookkeeping of what it finished:
    the limits (``n_trials``, ``timeout``, ``max_cost``, :meth:`Study.stop`), the callbacks,
    the progress bar, the failure counts of the closing warning and the fail-fast check
    (:mod:`paretune.study._fail_fast`).

    Used from one thread, the one that called ``optimize``; not thread-safe.

    Args:
        study: The study (the driver's object: callbacks receive it).
        n_trials: Trials this call may start; None for no limit.
        timeout: Seconds after which no trial starts; None for no limit.
        max_cost: Summed told costs (else seconds) of the finished trials after which no
            trial starts (:mod:`paretune._costs`).
        catch: The exception types that fail a trial without stopping the study.
        callbacks: Called with the study and each finished trial's record.
        progress: The progress bar to update, or None.
    """

    def __init__(
        self,
        study: Study,
        *,
        n_trials: int | None,
        timeout: float | None,
        max_cost: float | None,
        catch: tuple[type[BaseException], ...],
        callbacks: Sequence[Callable[[Study, TrialRecord], None]],
        progress: ProgressBar | None = None,
    ) -> None:
        self.study = study
        self.n_trials = n_trials
        self.timeout = timeout
        self.max_cost = max_cost
        self.catch = catch
        self.callbacks = list(callbacks)
        self.progress = progress
        self.started_at = time.monotonic()
        self.started = 0  # trials this call claimed
        self.done = 0  # trials this call finished (lost ones included)
        self.cost = CostMeter()  # told costs, else durations (paretune._costs)
        self.lost = 0
        self._failures: collections.Counter[str] = collections.Counter()
        self._first: dict[str, str] = {}
        self._fail_fast = FailFast(study, catch)

    def may_start(self) -> bool:
        """Whether another trial may start; if so, count it as started.

        False once ``n_trials`` trials started, ``timeout`` passed, ``max_cost`` was spent
        or :meth:`Study.stop` was called.
        """
        if self.study._stop_requested:
            return False
        if limit_reached(
            started=self.started,
            n_trials=self.n_trials,
            since=self.started_at,
            timeout=self.timeout,
            spent=self.cost.spent,
            max_cost=self.max_cost,
        ):
            return False
        self.started += 1
        return True

    def finished(self, record: TrialRecord, error: BaseException | None = None) -> None:
        """Count a finished trial, update the progress bar and run the callbacks.

        Args:
            record: The trial's record as stored.
            error: The exception (of a ``catch`` type) that failed it, if known.

        Raises:
            Exception: What a callback raised, or the fail-fast error (see
                :mod:`paretune.study._fail_fast`) when the call must stop.
        """
        stop = self._fail_fast.observe(record, error)
        self.done += 1
        self.cost.add(record)
        if record.state is TrialState.FAILED:
            self._count(failure_label(record), record.fail_reason or "")
        if self.progress is not None:
            self.progress.update(record)
        for callback in self.callbacks:
            callback(self.study, record)
        if stop is not None:
            raise stop

    def worker_lost(self, reason: str) -> None:
        """Count a trial whose worker died before it could tell it (its lease is reaped
        later), with what the executor knows of the death."""
        self.done += 1
        self.lost += 1
        self._count(LOST, reason)

    def _count(self, label: str, reason: str) -> None:
        self._failures[label] += 1
        self._first.setdefault(label, reason)

    def warn_failures(self) -> None:
        """One :class:`~paretune.exceptions.FailedTrialsWarning` that counts the failed
        trials by error; nothing when none failed."""
        warn_failed_trials(self.study.name, self.done, self._failures, self._first)
