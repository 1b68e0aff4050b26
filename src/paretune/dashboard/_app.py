"""The dashboard's Starlette application: pages, JSON endpoints and static files."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Route

from paretune.dashboard._assets import static_files
from paretune.dashboard._data import studies_json
from paretune.dashboard._data import study_json
from paretune.dashboard._html import index_page
from paretune.dashboard._html import message_page
from paretune.dashboard._html import study_page
from paretune.dashboard._security import SecurityMiddleware
from paretune.dashboard._security import allowed_hosts
from paretune.dashboard._storage import open_read_only
from paretune.exceptions import StorageError

__all__ = ["create_app"]

_NO_STORE = {"cache-control": "no-store"}


def create_app(
    storage_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    refresh_seconds: float = 5.0,
    extra_hosts: Iterable[str] = (),
) -> Starlette:
    """Build the read-only dashboard of the studies in ``storage_url``.

    Routes (GET and HEAD only; any other method gets 405):

    * ``/``: every study with its objectives, trial counts by state and feasible count.
    * ``/studies/{name}``: one study's set-up, counts, Pareto-front scatter and table.
    * ``/api/studies`` and ``/api/studies/{name}``: the same data as JSON, values as stored.
    * ``/static/{file}``: the page script, stylesheet, icon and plotly.js (no CDN).

    The storage is opened read-only (see :func:`~paretune.dashboard.open_read_only`) and
    only read. Requests must carry a ``Host`` header the server answers to (see
    :func:`~paretune.dashboard.allowed_hosts`), else 400. A study is looked up by exact
    name among those the storage lists; any other name gets 404.

    Args:
        storage_url: ``sqlite:///path.db`` (the file must exist) or a PostgreSQL URL.
        host: The address the server binds, for the Host check.
        port: The port the server listens on, for the Host check.
        refresh_seconds: How often the pages poll for new data.
        extra_hosts: More ``Host`` names to accept, e.g. a name behind a proxy.

    Returns:
        The ASGI application.

    Raises:
        StorageError: If there is no database at the URL ("no database at PATH"), or it
            cannot be opened read-only.
        ValueError: If ``refresh_seconds`` is not positive.
    """
    if not refresh_seconds > 0:
        raise ValueError(f"`refresh_seconds` must be positive, got {refresh_seconds!r}.")
    storage = open_read_only(storage_url)
    refresh_ms = max(1, round(refresh_seconds * 1000))
    files = static_files()
    etags = {name: '"' + hashlib.sha256(f.body).hexdigest()[:20] + '"' for name, f in files.items()}

    def index(request: Request) -> Response:
        return HTMLResponse(
            index_page(studies_json(storage), refresh_ms=refresh_ms), 200, _NO_STORE
        )

    def study(request: Request) -> Response:
        data = study_json(storage, request.path_params["name"])
        if data is None:
            page = message_page("Not found", "The storage holds no study of that name.")
            return HTMLResponse(page, 404, _NO_STORE)
        return HTMLResponse(study_page(data, refresh_ms=refresh_ms), 200, _NO_STORE)

    def api_studies(request: Request) -> Response:
        return JSONResponse({"studies": studies_json(storage)}, 200, _NO_STORE)

    def api_study(request: Request) -> Response:
        data = study_json(storage, request.path_params["name"])
        if data is None:
            return JSONResponse({"error": "no study of that name"}, 404, _NO_STORE)
        return JSONResponse(data, 200, _NO_STORE)

    def static(request: Request) -> Response:
        name = request.path_params["file"]
        if name not in files:
            return Response("Not Found", 404, media_type="text/plain")
        headers = {"cache-control": "no-cache", "etag": etags[name]}
        if request.headers.get("if-none-match") == etags[name]:
            return Response(status_code=304, headers=headers)
        return Response(files[name].body, 200, headers, files[name].media_type)

    def storage_error(request: Request, exc: Exception) -> Response:
        message = f"The storage could not be read: {exc}"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, 503, _NO_STORE)
        return HTMLResponse(message_page("Storage unavailable", message), 503, _NO_STORE)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            storage.close()

    routes = [
        Route("/", index),
        Route("/studies/{name:path}", study),
        Route("/api/studies", api_studies),
        Route("/api/studies/{name:path}", api_study),
        Route("/static/{file}", static),
    ]
    hosts = allowed_hosts(host, port, extra_hosts)
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityMiddleware, hosts=hosts)],
        exception_handlers={StorageError: storage_error},
        lifespan=lifespan,
    )
