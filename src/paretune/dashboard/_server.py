"""Running the dashboard under uvicorn."""

from __future__ import annotations

from collections.abc import Iterable

import uvicorn

from paretune.dashboard._app import create_app

__all__ = ["make_server", "serve"]


def make_server(
    storage_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    refresh_seconds: float = 5.0,
    extra_hosts: Iterable[str] = (),
    log_level: str = "info",
) -> uvicorn.Server:
    """Build a uvicorn server for the dashboard of ``storage_url``, without starting it.

    The storage is opened here, so a bad URL fails before anything binds a port. The
    server speaks HTTP only (no websockets), trusts no proxy headers and sends no
    ``Server`` header.

    Args:
        storage_url: As for :func:`~paretune.dashboard.create_app`.
        host: The address to bind; keep the loopback default unless others must connect.
        port: The port to listen on.
        refresh_seconds: How often the pages poll for new data.
        extra_hosts: More ``Host`` names to accept.
        log_level: uvicorn's log level.

    Returns:
        The server; ``server.run()`` serves until interrupted, and setting
        ``server.should_exit = True`` from another thread stops it.

    Raises:
        StorageError: As :func:`~paretune.dashboard.create_app` does.
    """
    app = create_app(
        storage_url,
        host=host,
        port=port,
        refresh_seconds=refresh_seconds,
        extra_hosts=extra_hosts,
    )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        ws="none",
        lifespan="on",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def serve(
    storage_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    refresh_seconds: float = 5.0,
    extra_hosts: Iterable[str] = (),
) -> None:
    """Serve the dashboard of ``storage_url`` until interrupted (Ctrl+C).

    Args:
        storage_url: As for :func:`~paretune.dashboard.create_app`.
        host: The address to bind.
        port: The port to listen on.
        refresh_seconds: How often the pages poll for new data.
        extra_hosts: More ``Host`` names to accept.

    Raises:
        StorageError: As :func:`~paretune.dashboard.create_app` does.
    """
    make_server(
        storage_url,
        host=host,
        port=port,
        refresh_seconds=refresh_seconds,
        extra_hosts=extra_hosts,
    ).run()
