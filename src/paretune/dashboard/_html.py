"""The dashboard's HTML pages, rendered on the server from the dicts of ``_data``.

Every text that comes from the storage (study names, parameter names and values, metric
names, constraint texts) passes through :func:`html.escape`. The pages hold no inline
script or style: the browser script, served from ``/static/``, reads the page's
``data-`` attributes, polls the JSON endpoint and re-renders the same elements the same
way (see ``_script.py``).
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from paretune.dashboard._data import value_text
from paretune.trial import TrialState

__all__ = ["index_page", "message_page", "study_page", "study_path"]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def study_path(name: str) -> str:
    """The page's path for the study ``name``, every reserved character percent-encoded."""
    return "/studies/" + urllib.parse.quote(name, safe="")


def _layout(title: str, body: str, *, attrs: Mapping[str, str], plot: bool = False) -> str:
    data = "".join(f' data-{_e(k)}="{_e(v)}"' for k, v in attrs.items())
    plotly = '<script src="/static/plotly.min.js" defer></script>\n' if plot else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} - paretune dashboard</title>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/static/dashboard.css">\n'
        f'{plotly}<script src="/static/dashboard.js" defer></script>\n'
        "</head>\n<body>\n"
        '<header><a class="home" href="/">paretune dashboard</a>'
        '<span id="status" class="status">read-only</span></header>\n'
        f'<main id="dashboard"{data}>\n{body}</main>\n</body>\n</html>\n'
    )


def _table(table_id: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    return (
        f'<table id="{table_id}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody>\n</table>\n"
    )


def states_text(counts: Mapping[str, int]) -> str:
    """``"4 complete, 1 failed"``: the non-zero counts in state order, or ``"none"``."""
    parts = [f"{counts[s.value]} {s.value}" for s in TrialState if counts.get(s.value)]
    return ", ".join(parts) or "none"


def counts_text(study: Mapping[str, Any]) -> str:
    """``"5 trials (4 complete, 1 failed), 3 feasible"``."""
    return (
        f"{study['n_trials']} trials ({states_text(study['counts'])}), "
        f"{study['n_feasible']} feasible"
    )


def _constraints_text(study: Mapping[str, Any]) -> str:
    return ", ".join(c["text"] for c in study["constraints"]) or "none"


def index_page(studies: Sequence[Mapping[str, Any]], *, refresh_ms: int) -> str:
    """The list of studies (``studies_json``), one row each, linked to their pages."""
    rows = [
        [
            f'<a href="{_e(study_path(s["name"]))}">{_e(s["name"])}</a>',
            _e(", ".join(f"{o['name']} ({o['direction'][:3]})" for o in s["objectives"])),
            _e(_constraints_text(s)),
            _e(s["n_trials"]),
            _e(states_text(s["counts"])),
            _e(s["n_feasible"]),
            _e(s["created_at"]),
        ]
        for s in studies
    ]
    header = ["study", "objectives", "constraints", "trials", "states", "feasible", "created"]
    hidden = " hidden" if studies else ""
    empty = f'<p id="no-studies"{hidden}>The storage holds no studies yet.</p>\n'
    body = f"<h1>Studies</h1>\n{empty}" + _table("studies-table", header, rows)
    attrs = {"page": "index", "api": "/api/studies", "refresh-ms": str(refresh_ms)}
    return _layout("Studies", body, attrs=attrs)


def front_header(study: Mapping[str, Any]) -> list[str]:
    """The front table's columns: trial, metrics, parameters."""
    return ["trial", *study["metric_columns"], *study["param_columns"]]


def front_rows(study: Mapping[str, Any]) -> list[list[str]]:
    """The front table's cells as text (not yet escaped), best first."""
    by_number = {t["number"]: t for t in study["trials"]}
    rows = []
    for number in study["front"]:
        trial = by_number[number]
        metrics = [
            value_text(trial["metrics"][m]) if m in trial["metrics"] else ""
            for m in study["metric_columns"]
        ]
        params = [
            value_text(trial["params"][p]) if p in trial["params"] else ""
            for p in study["param_columns"]
        ]
        rows.append([str(number), *metrics, *params])
    return rows


def study_page(study: Mapping[str, Any], *, refresh_ms: int) -> str:
    """One study (``study_json``): set-up, counts, the front's scatter and table."""
    objectives = ", ".join(f"{o['name']} ({o['direction']})" for o in study["objectives"])
    fidelity = study["fidelity"]["text"] if study["fidelity"] else "none"
    setup = (
        '<dl class="setup">\n'
        f"<dt>Objectives</dt><dd>{_e(objectives)}</dd>\n"
        f"<dt>Constraints</dt><dd>{_e(_constraints_text(study))}</dd>\n"
        f"<dt>Fidelity</dt><dd>{_e(fidelity)}</dd>\n"
        f"<dt>Created</dt><dd>{_e(study['created_at'])}</dd>\n"
        "</dl>\n"
    )
    notice = study["front_notice"]
    rows = [[_e(cell) for cell in row] for row in front_rows(study)]
    body = (
        f'<h1 id="study-name">{_e(study["name"])}</h1>\n'
        f"<h2>Set-up</h2>\n{setup}"
        f'<h2>Trials</h2>\n<p id="counts">{_e(counts_text(study))}</p>\n'
        "<h2>Pareto front</h2>\n"
        f'<p id="front-notice"{" hidden" if notice is None else ""}>{_e(notice or "")}</p>\n'
        '<div id="front-plot" class="plot"></div>\n'
        + _table("front-table", front_header(study), rows)
    )
    attrs = {
        "page": "study",
        "api": "/api/studies/" + urllib.parse.quote(study["name"], safe=""),
        "refresh-ms": str(refresh_ms),
    }
    return _layout(study["name"], body, attrs=attrs, plot=True)


def message_page(title: str, message: str) -> str:
    """A page that says what went wrong (unknown study, unreachable storage)."""
    body = f'<h1>{_e(title)}</h1>\n<p>{_e(message)}</p>\n<p><a href="/">All studies</a></p>\n'
    return _layout(title, body, attrs={"page": "message"})
