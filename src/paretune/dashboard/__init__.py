"""A live, read-only web dashboard of the studies in a storage.

Start it with ``paretune dashboard --storage sqlite:///runs.db`` or, from Python, serve
:func:`create_app`'s application with any ASGI server. It needs the ``dashboard`` extra
(``pip install 'paretune[dashboard]'``): starlette, uvicorn and plotly are imported on
first use, with an install hint when missing.

Examples:
    >>> from paretune.dashboard import allowed_hosts, is_loopback
    >>> is_loopback("127.0.0.1"), is_loopback("0.0.0.0")
    (True, False)
    >>> sorted(allowed_hosts("127.0.0.1", 8080))
    ['127.0.0.1:8080', '[::1]:8080', 'localhost:8080']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paretune.dashboard._imports import INSTALL_HINT as INSTALL_HINT
from paretune.dashboard._security import allowed_hosts as allowed_hosts
from paretune.dashboard._security import is_loopback as is_loopback
from paretune.dashboard._storage import ReadOnlyStorage as ReadOnlyStorage
from paretune.dashboard._storage import open_read_only as open_read_only

if TYPE_CHECKING:
    from paretune.dashboard._app import create_app as create_app
    from paretune.dashboard._server import make_server as make_server
    from paretune.dashboard._server import serve as serve

__all__ = [
    "INSTALL_HINT",
    "ReadOnlyStorage",
    "allowed_hosts",
    "create_app",
    "is_loopback",
    "make_server",
    "open_read_only",
    "serve",
]

_NEEDS_EXTRA = {
    "create_app": "paretune.dashboard._app",
    "make_server": "paretune.dashboard._server",
    "serve": "paretune.dashboard._server",
}


def __getattr__(name: str) -> object:
    # starlette, uvicorn and plotly load only when the application is asked for.
    if name in _NEEDS_EXTRA:
        import importlib

        from paretune.dashboard._imports import check_installed

        check_installed()
        return getattr(importlib.import_module(_NEEDS_EXTRA[name]), name)
    raise AttributeError(f"module 'paretune.dashboard' has no attribute {name!r}")
