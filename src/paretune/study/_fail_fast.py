"""Stop ``optimize`` early when the objective is broken rather than its configurations.

A typo in the objective (``NameError: name 'acc' is not defined``) fails every trial the
same way. Under the default ``catch=(Exception,)`` each failure is caught, so without this
check a study would spend its whole budget recording the same traceback.

Rule: when the first :data:`FAIL_FAST_AFTER` trials that an ``optimize`` call finishes all
fail with the same *programming error* (an instance of one of :data:`PROGRAMMING_ERRORS`,
with the same type and message), and no trial of the study has completed, ``optimize``
starts no further trial and raises an error of that type naming the trials, chained to the
last one (whose traceback shows the line at fault). Any other outcome first (a complete or
stopped trial, another error, invalid metrics) turns the check off for the call, as does
a complete trial in the study when the call starts.

The check applies only to errors caught through a broad ``Exception`` (or
``BaseException``) entry of ``catch``: naming the type, e.g. ``catch=(Exception,
AttributeError)``, says that such failures can depend on the configuration, and the study
goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["FAIL_FAST_AFTER", "PROGRAMMING_ERRORS", "FailFast"]

PROGRAMMING_ERRORS: tuple[type[BaseException], ...] = (
    NameError,
    AttributeError,
    TypeError,
    KeyError,
    ImportError,
    SyntaxError,
)
"""Errors that, repeated identically from the first trial on, point at the objective's
code: ``NameError`` (and ``UnboundLocalError``), ``AttributeError``, ``TypeError``,
``KeyError``, ``ImportError`` (and ``ModuleNotFoundError``), ``SyntaxError`` (and
``IndentationError``)."""

FAIL_FAST_AFTER = 3
"""Identical programming errors, from the first trial of a call on, that stop it."""

_BROAD = (Exception, BaseException)


class FailFast:
    """Watches the outcomes of one ``optimize`` call (see the module docstring).

    Not thread-safe: the caller serialises :meth:`observe`.

    Args:
        study: The study; the check is off when it has a complete trial already.
        caught: The ``catch`` types of the call.
    """

    def __init__(self, study: Study, caught: tuple[type[BaseException], ...]) -> None:
        self._study = study
        self._caught = caught
        self._active = not study.get_trials(states=(TrialState.COMPLETE,))
        self._numbers: list[int] = []
        self._signature: tuple[type[BaseException], str] | None = None

    def _programming(self, exc: BaseException) -> bool:
        if not isinstance(exc, PROGRAMMING_ERRORS):
            return False
        catching = [t for t in self._caught if isinstance(exc, t)]
        return all(t in _BROAD for t in catching)

    def observe(self, record: TrialRecord, exc: BaseException | None) -> BaseException | None:
        """Take one finished trial and the exception that failed it (None if none).

        Returns:
            The error to raise (chained to ``exc``) when the call must stop, else None.
        """
        if not self._active:
            return None
        failed = record.state is TrialState.FAILED and exc is not None
        if failed and exc is not None and self._programming(exc):
            signature = (type(exc), str(exc))
            if self._signature in (None, signature):
                self._signature = signature
                self._numbers.append(record.number)
                if len(self._numbers) >= FAIL_FAST_AFTER:
                    self._active = False
                    return self._error(exc)
                return None
        self._active = False
        return None

    def _error(self, exc: BaseException) -> BaseException:
        numbers = ", ".join(map(str, self._numbers[:-1])) + f" and {self._numbers[-1]}"
        kind = type(exc).__name__
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        message = (
            f"Trials {numbers} of study {self._study.name!r} all failed with {kind}: {first}, "
            "and no trial has completed, so optimize stopped rather than spend its budget "
            "on what looks like a bug in the objective (the traceback above shows where). "
            f"Fix it, or if this error can depend on the configuration, name {kind} in "
            f"catch= (e.g. catch=(Exception, {kind})) to let the study go on."
        )
        try:
            error = type(exc)(message)
        except Exception:  # a subclass with another signature: raise the original
            return exc
        error.__cause__ = exc
        return error
