"""The dashboard's HTTP guard: GET/HEAD only, the Host check, no traversal, the headers."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from paretune.dashboard import allowed_hosts
from paretune.dashboard import create_app
from paretune.dashboard import is_loopback
from tests.dashboard.conftest import PORT
from tests.dashboard.conftest import TestClient

PATHS = ["/", "/studies/credit", "/api/studies", "/api/studies/credit", "/static/dashboard.js"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_only_get_and_head_are_served(client: TestClient, method: str) -> None:
    for path in [*PATHS, "/nope"]:
        response = client.request(method, path, content=b"{}")
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == "GET, HEAD"
        assert response.headers["x-frame-options"] == "DENY"


def test_head_answers_without_a_body(client: TestClient) -> None:
    for path in PATHS:
        response = client.head(path)
        assert response.status_code == 200 and response.content == b"", path


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8080", "127.0.0.1:9999", "127.0.0.1", "", "localhost."]
)
def test_a_foreign_host_header_is_refused(client: TestClient, host: str) -> None:
    for path in PATHS:
        response = client.get(path, headers={"host": host})
        assert response.status_code == 400, (host, path)
        assert "Host" in response.text
        assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST:8080"]
)
def test_loopback_names_of_the_bound_port_are_accepted(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


def _asgi_get(app: Any, headers: list[tuple[bytes, bytes]]) -> int:
    """Run one GET through the application with exactly these headers; its status."""
    messages: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/studies",
        "raw_path": b"/api/studies",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", PORT),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    return int(messages[0]["status"])


def test_a_missing_or_repeated_host_header_is_refused(db_url: str) -> None:
    app = create_app(db_url, port=PORT)
    good = (b"host", b"127.0.0.1:8080")
    assert _asgi_get(app, [good]) == 200
    assert _asgi_get(app, []) == 400
    assert _asgi_get(app, [good, (b"host", b"evil.example")]) == 400


def test_allowed_hosts() -> None:
    assert allowed_hosts("127.0.0.1", 8080) == {"127.0.0.1:8080", "localhost:8080", "[::1]:8080"}
    assert allowed_hosts("::1", 9000) == {"127.0.0.1:9000", "localhost:9000", "[::1]:9000"}
    assert allowed_hosts("10.1.2.3", 8080) == {"10.1.2.3:8080"}
    assert allowed_hosts("10.1.2.3", 80) == {"10.1.2.3:80", "10.1.2.3"}
    wildcard = allowed_hosts("0.0.0.0", 8080, ["Dash.Example.org", "proxy:443"])
    assert {"localhost:8080", "dash.example.org:8080", "proxy:443"} <= wildcard
    assert f"{socket.gethostname().lower()}:8080" in wildcard
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3") and not is_loopback("a.b")


def test_extra_hosts_are_accepted(db_url: str) -> None:
    app = create_app(db_url, port=PORT, extra_hosts=["dash.example.org"])
    with TestClient(app, base_url="http://dash.example.org:8080") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "other.example.org:8080"}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/studies/..%2F..%2Fetc%2Fpasswd",
        "/studies/../../etc/passwd",
        "/studies/%2e%2e%2fcredit",
        "/studies/credit%2F..",
        "/studies/credit/",
        "/api/studies/..%2Fcredit",
        "/api/studies/%2e%2e",
        "/static/../x",
        "/static/..%2Fdashboard.js",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/",
        "/static/_app.py",
        "/etc/passwd",
    ],
)
def test_traversal_finds_nothing(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, path
    assert "root:" not in response.text


def test_security_headers_on_every_response(client: TestClient) -> None:
    responses = [client.get(p) for p in [*PATHS, "/nope", "/studies/nope", "/api/studies/x"]]
    responses.append(client.post("/"))
    for response in responses:
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp
        assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert script_src.strip() == "script-src 'self'"  # no inline script
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
    api = client.get("/api/studies")
    assert api.headers["content-type"] == "application/json"
    assert api.headers["cache-control"] == "no-store"
