"""The files under ``/static/``: the script, the stylesheet, the icon and plotly.js.

plotly.js is read from the installed plotly package (``package_data/plotly.min.js``), so
the dashboard works offline and loads nothing from a CDN. The set of files is fixed:
``/static/`` serves exactly the names in :func:`static_files`, and nothing else.
"""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass

from paretune.dashboard._script import DASHBOARD_JS

__all__ = ["StaticFile", "static_files"]

DASHBOARD_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1f2933; background: #f5f7fa; }
header { display: flex; justify-content: space-between; align-items: center;
  padding: 0.6rem 1.5rem; background: #283593; color: #fff; }
header a.home { color: #fff; font-weight: 600; text-decoration: none; }
.status { font-size: 0.85rem; opacity: 0.9; }
.status.failed { color: #ffcdd2; }
main { padding: 1rem 1.5rem 2rem; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
dl.setup { display: grid; grid-template-columns: max-content auto; gap: 0.25rem 1rem;
  margin: 0; }
dl.setup dt { font-weight: 600; }
dl.setup dd { margin: 0; }
table { border-collapse: collapse; background: #fff; font-size: 0.9rem; }
th, td { border: 1px solid #d9e2ec; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #e4e7eb; }
td { font-variant-numeric: tabular-nums; }
.plot { background: #fff; border: 1px solid #d9e2ec; margin-bottom: 1rem; min-height: 420px; }
"""

FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#283593"/>'
    '<path d="M3 4 L6 9 L9 11 L13 12" stroke="#fff" stroke-width="1.6" fill="none"/></svg>'
)


@dataclass(frozen=True)
class StaticFile:
    """One file under ``/static/``.

    Attributes:
        body: Its bytes.
        media_type: Its Content-Type.
    """

    body: bytes
    media_type: str


@functools.cache
def static_files() -> dict[str, StaticFile]:
    """The files ``/static/`` serves, by name; read once per process.

    Raises:
        FileNotFoundError: If the installed plotly package lacks ``plotly.min.js``.
    """
    plotly_js = importlib.resources.files("plotly") / "package_data" / "plotly.min.js"
    return {
        "dashboard.js": StaticFile(DASHBOARD_JS.encode(), "text/javascript; charset=utf-8"),
        "dashboard.css": StaticFile(DASHBOARD_CSS.encode(), "text/css; charset=utf-8"),
        "favicon.svg": StaticFile(FAVICON_SVG.encode(), "image/svg+xml"),
        "plotly.min.js": StaticFile(plotly_js.read_bytes(), "text/javascript; charset=utf-8"),
    }
