"""The page around the sections: escaping, tables, the stylesheet and the plot scripts."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["cell", "escape", "figure_div", "page", "table"]

_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1.5rem; color: #1f2933; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #d9e2ec; padding-bottom: 0.2rem;
       margin-top: 2rem; }
.meta { color: #52606d; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d9e2ec; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #f0f4f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f0f4f8; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
.note { color: #52606d; font-size: 0.9rem; }
nav a { margin-right: 0.8rem; }
"""


def escape(value: Any) -> str:
    """HTML-escaped text of ``value``."""
    return html.escape(str(value), quote=True)


def cell(value: Any) -> str:
    """A table cell: numbers right-aligned with 6 significant digits, None empty."""
    if isinstance(value, bool) or value is None:
        return f"<td>{'' if value is None else escape(value)}</td>"
    if isinstance(value, float):
        text = "nan" if math.isnan(value) else f"{value:.6g}"
        return f'<td class="num">{text}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(value)}</td>"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], *, table_id: str = "") -> str:
    """An HTML table with an escaped header and :func:`cell` cells."""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure_div(div_id: str, figure_json: str) -> str:
    """A plot's container and the script that draws it from the figure's JSON."""
    data = json.loads(figure_json)
    payload = json.dumps(
        {"data": data.get("data", []), "layout": data.get("layout", {})}, separators=(",", ":")
    ).replace("</", "<\\/")
    return (
        f'<div id="{escape(div_id)}" class="plot"></div>\n'
        f"<script>(function(){{var f={payload};"
        f"Plotly.newPlot({json.dumps(div_id)},f.data,f.layout,{{responsive:true}});}})();</script>"
    )


def page(
    title: str, subtitle: str, sections: Sequence[tuple[str, str, str]], plotly_js: str
) -> str:
    """The whole document: ``sections`` are ``(anchor, heading, html)``."""
    nav = "".join(f'<a href="#{escape(a)}">{escape(h)}</a>' for a, h, _ in sections)
    body = "".join(
        f'<section id="{escape(a)}"><h2>{escape(h)}</h2>{b}</section>' for a, h, b in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style>"
        f"<script>{plotly_js}</script></head><body>"
        f'<h1>{escape(title)}</h1><p class="meta">{escape(subtitle)}</p>'
        f"<nav>{nav}</nav>{body}</body></html>\n"
    )
