"""A value a sampler computes once per trial and forgets when the trial ends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Generic
from typing import TypeVar

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["PerTrial"]

T = TypeVar("T")


class PerTrial(Generic[T]):
    """Values keyed by study and trial, shared by the calls that sample one trial.

    A sampler is asked for a trial's parameters in several calls (the relative space, then
    each conditional parameter); what they all need (a storage read, a ranking of the
    complete trials) is computed by the first and kept until :meth:`forget`, which the
    sampler calls from ``after_trial``. Safe to share between threads: two threads that
    compute the same trial's value at once keep the first one stored.
    """

    def __init__(self) -> None:
        self._values: dict[tuple[str, int], T] = {}
        self._lock = threading.Lock()

    def get(self, study: Study, trial: TrialRecord, compute: Callable[[], T]) -> T:
        """The trial's value, computed by ``compute()`` on first use."""
        key = (study.name, trial.number)
        with self._lock:
            if key in self._values:
                return self._values[key]
        value = compute()  # outside the lock: it may read storage
        with self._lock:
            return self._values.setdefault(key, value)

    def forget(self, study: Study, trial: TrialRecord) -> None:
        """Drop the trial's value (it has ended)."""
        with self._lock:
            self._values.pop((study.name, trial.number), None)
