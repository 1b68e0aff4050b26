"""A single helper that points warnings at the user's code rather than at paretune's."""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Emit ``message`` attributed to the first stack frame outside paretune.

    Args:
        message: The full warning text; say how to avoid or silence the warning.
        category: The warning class.
    """
    if sys.version_info >= (3, 12):
        warnings.warn(message, category, skip_file_prefixes=(_PACKAGE_DIR,))
        return
    level = 2  # stacklevel 2 is warn()'s caller, the frame sys._getframe(1) returns
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)
