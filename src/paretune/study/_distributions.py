"""One distribution type and scale per parameter name within a study."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterable

from paretune.distributions import Distribution
from paretune.exceptions import ParameterConflictError
from paretune.trial import TrialRecord

__all__ = ["KnownDistributions"]


class KnownDistributions:
    """The distribution each parameter name was first seen with in a study.

    Ranges and choices may change between trials (the search space can be narrowed);
    changing a parameter from float to int or categorical, or between linear and log scale,
    is almost always a bug and breaks model-based samplers, so :meth:`check` refuses it.
    Thread-safe; finished trials are read once.
    """

    def __init__(self) -> None:
        self._known: dict[str, Distribution] = {}
        self._scanned: set[int] = set()
        self._lock = threading.Lock()

    def remember(self, records: Iterable[TrialRecord]) -> None:
        """Learn the distributions of ``records``."""
        with self._lock:
            for record in records:
                if record.number in self._scanned:
                    continue
                for name, dist in record.distributions.items():
                    self._known.setdefault(name, dist)
                if record.state.is_finished:
                    self._scanned.add(record.number)

    def check(
        self,
        study_name: str,
        name: str,
        distribution: Distribution,
        read_trials: Callable[[], list[TrialRecord]],
    ) -> None:
        """Refuse ``distribution`` for ``name`` if its kind or scale differs from earlier.

        Args:
            study_name: For the message.
            name: The parameter.
            distribution: Its new distribution.
            read_trials: Reads the study's trials, called when ``name`` is new to this
                process (other processes may have used it).

        Raises:
            ParameterConflictError: On another type or scale.
        """
        with self._lock:
            known = self._known.get(name)
        if known is None:  # new to this process: learn what other trials used
            self.remember(read_trials())
            with self._lock:
                known = self._known.setdefault(name, distribution)
        same_kind = type(known) is type(distribution)
        same_scale = getattr(known, "log", False) == getattr(distribution, "log", False)
        if not (same_kind and same_scale):
            raise ParameterConflictError(
                f"Parameter {name!r} is suggested as {distribution}, but earlier trials of study "
                f"{study_name!r} suggested it as {known}; use one distribution type and scale per "
                "name, or give the new one another name."
            )
