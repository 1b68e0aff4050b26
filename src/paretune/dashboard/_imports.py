"""The dashboard's optional dependencies, checked on first use with an install hint."""

from __future__ import annotations

import importlib

__all__ = ["INSTALL_HINT", "check_installed"]

INSTALL_HINT = (
    "The dashboard needs starlette, uvicorn and plotly: pip install 'paretune[dashboard]' "
    "(or, from a checkout, pip install -e '.[dashboard]')."
)

_MODULES = ("starlette", "uvicorn", "plotly")


def check_installed() -> None:
    """Import the dashboard's dependencies, so that a missing one fails with the hint.

    Raises:
        ImportError: If starlette, uvicorn or plotly is not installed; the message says
            how to install them.
    """
    for name in _MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ImportError(f"{INSTALL_HINT} Missing: {name} ({exc}).") from exc
