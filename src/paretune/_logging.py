"""One library root logger, ``paretune``; modules call :func:`get_logger` with ``__name__``.

paretune never configures handlers or levels at import time: that is the application's job.
"""

from __future__ import annotations

import logging

_ROOT = "paretune"


def get_logger(name: str) -> logging.Logger:
    """Return the logger for a paretune module.

    Args:
        name: The module's ``__name__``; it must lie under the ``paretune`` package.

    Returns:
        A child of the ``paretune`` root logger.
    """
    if name != _ROOT and not name.startswith(_ROOT + "."):
        name = f"{_ROOT}.{name}"
    return logging.getLogger(name)
