"""How much paretune logs: one line per finished trial at INFO, warnings at WARNING.

paretune logs under the ``paretune`` logger and configures nothing at import. By default
only warnings reach the console (through Python's last-resort handler).
:func:`set_verbosity` sets the level and adds one console handler, so that
``pt.logging.set_verbosity(pt.logging.INFO)`` shows a line per finished trial.

Examples:
    >>> import paretune as pt
    >>> pt.logging.set_verbosity(pt.logging.WARNING)
    >>> pt.logging.get_verbosity() == pt.logging.WARNING
    True
"""

from __future__ import annotations

import logging as _logging
import sys

__all__ = [
    "DEBUG",
    "ERROR",
    "INFO",
    "WARNING",
    "disable_default_handler",
    "get_verbosity",
    "set_verbosity",
]

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARNING = _logging.WARNING
ERROR = _logging.ERROR

_ROOT = _logging.getLogger("paretune")
_handler: _logging.Handler | None = None


class _StderrHandler(_logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record arrives (it may be replaced)."""

    def emit(self, record: _logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def set_verbosity(level: int) -> None:
    """Log paretune's messages from ``level`` up (``INFO``: a line per finished trial), to
    standard error through one handler that this module adds once.

    Raises:
        ValueError: If ``level`` is not a logging level number.
    """
    global _handler
    if isinstance(level, bool) or not isinstance(level, int) or level < 0:
        raise ValueError(f"`level` must be a logging level such as pt.logging.INFO, got {level!r}.")
    _ROOT.setLevel(level)
    if _handler is None:
        _handler = _StderrHandler(sys.stderr)
        _handler.setFormatter(_logging.Formatter("[%(levelname)s %(asctime)s] %(message)s"))
        _ROOT.addHandler(_handler)


def get_verbosity() -> int:
    """The level paretune's messages are logged from."""
    return _ROOT.getEffectiveLevel()


def disable_default_handler() -> None:
    """Remove the handler :func:`set_verbosity` added (the application logs instead)."""
    global _handler
    if _handler is not None:
        _ROOT.removeHandler(_handler)
        _handler = None
