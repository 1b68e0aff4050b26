"""The dashboard's HTTP guard: read-only methods, the Host check and security headers.

:class:`SecurityMiddleware` wraps the whole application, so every response passes
through it:

* A request whose ``Host`` header is not one the server answers to is refused with 400
  before anything else happens. A web page on another site cannot then reach the
  dashboard by pointing its own domain name at 127.0.0.1 (DNS rebinding).
* Only GET and HEAD are served; every other method gets 405 with ``Allow: GET, HEAD``.
* Every response carries a Content-Security-Policy that allows scripts, stylesheets and
  requests to this origin only (no inline script, no ``eval``, no framing; ``<style>``
  elements only for plotly.js's run-time rules), plus
  ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and ``no-referrer``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING

from paretune._logging import get_logger

if TYPE_CHECKING:
    from starlette.types import ASGIApp
    from starlette.types import Message
    from starlette.types import Receive
    from starlette.types import Scope
    from starlette.types import Send

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityMiddleware", "allowed_hosts", "is_loopback"]

logger = get_logger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "style-src-elem 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
"""Everything from this origin only: no inline script, no eval, no style attributes, never
inside a frame. The one allowance, ``<style>`` elements, is for plotly.js, which adds its
stylesheet rules through one at run time."""

SAFE_METHODS = frozenset({"GET", "HEAD"})

_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_HEADER_NAMES = {name for name, _ in _HEADERS}
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_WILDCARDS = ("", "0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address to bind) is this machine's loopback only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    host = host.strip("[]").lower()
    return f"[{host}]" if ":" in host else host


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` header values a server bound to ``host:port`` answers to.

    ``host:port`` itself; every loopback name (``127.0.0.1``, ``localhost``, ``[::1]``)
    when ``host`` is a loopback address or a wildcard (``0.0.0.0``, ``::``), and then also
    this machine's host name; and the names in ``extra``. On port 80 each name also
    counts without the port. Compared in lower case.

    Args:
        host: The address the server binds.
        port: Its port.
        extra: More names (``dash.example.org``) or ``name:port`` values to accept.

    Returns:
        The accepted values, lower case.
    """
    names = {_host_name(host)}
    if is_loopback(host) or host in _WILDCARDS:
        names.update(_LOOPBACK_NAMES)
    if host in _WILDCARDS:
        names.add(socket.gethostname().lower())
    values = {f"{name}:{port}" for name in names}
    if port == 80:
        values |= names
    for name in extra:
        name = name.lower()
        values.add(name if name.rsplit(":", 1)[-1].isdigit() else f"{name}:{port}")
    return frozenset(values)


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """ASGI middleware that enforces the module's rules around an application.

    Args:
        app: The application to guard.
        hosts: The accepted ``Host`` values (see :func:`allowed_hosts`).
    """

    def __init__(self, app: ASGIApp, *, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then let the application answer with the headers added."""
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # websockets: nothing here speaks them
            await send({"type": "websocket.close", "code": 1008})
            return
        started = False

        async def send_guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [h for h in message.get("headers", []) if h[0].lower() not in _HEADER_NAMES]
                message = {**message, "headers": [*kept, *_HEADERS]}
            await send(message)

        hosts = [v.decode("latin-1").lower() for k, v in scope.get("headers", []) if k == b"host"]
        if len(hosts) != 1 or hosts[0] not in self.hosts:
            await _plain(
                send_guarded,
                400,
                "Bad Request: this server does not answer to that Host header.",
                [],
            )
            return
        if scope["method"] not in SAFE_METHODS:
            await _plain(
                send_guarded,
                405,
                "Method Not Allowed: the dashboard is read-only (GET and HEAD only).",
                [(b"allow", b"GET, HEAD")],
            )
            return
        try:
            await self.app(scope, receive, send_guarded)
        except Exception:
            logger.exception("The dashboard failed to answer %s %s", scope["method"], scope["path"])
            if not started:
                await _plain(send_guarded, 500, "Internal Server Error", [])
