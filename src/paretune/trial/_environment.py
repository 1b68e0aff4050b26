"""What produced a trial: host, process, Python and package versions."""

from __future__ import annotations

import functools
import os
import platform
import socket
import sys
from importlib import metadata
from typing import Any

from paretune._version import __version__

# Packages whose versions change results; recorded when installed.
_TRACKED = ("numpy", "scipy", "scikit-learn", "fairlearn", "pandas", "torch", "sqlalchemy")


@functools.lru_cache(maxsize=1)
def _static_environment() -> dict[str, Any]:
    packages = {"paretune": __version__}
    for name in _TRACKED:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "host": socket.gethostname(),
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        "packages": packages,
    }


def current_environment() -> dict[str, Any]:
    """Describe the process that runs a trial.

    Returns:
        A JSON-ready dict with ``host``, ``pid``, ``python``, ``platform`` and ``packages``
        (name -> version for paretune and the numerical libraries that are installed).
    """
    env = dict(_static_environment())
    env["pid"] = os.getpid()
    return env
