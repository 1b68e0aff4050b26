"""The deferred plotly import, and the figure pieces every plot shares.

plotly is imported inside functions only, so ``import paretune.visualization`` stays cheap
and works without the ``plot`` extra; calling a plot without plotly raises an
``ImportError`` that says how to install it.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = [
    "DEFAULT_HEIGHT",
    "INSTALL_HINT",
    "graph_objects",
    "message_figure",
    "subplots",
    "titled",
]

INSTALL_HINT = "pip install 'paretune[plot]'"
DEFAULT_HEIGHT = 500
"""Height in pixels of a single-panel figure; figures with subplots grow with them."""


def graph_objects() -> Any:
    """``plotly.graph_objects``, imported on first use.

    Raises:
        ImportError: If plotly is not installed; the message gives the install command.
    """
    try:
        import plotly.graph_objects as go
    except ImportError as exc:
        raise ImportError(
            f"paretune.visualization needs plotly, which is not installed: {INSTALL_HINT}"
        ) from exc
    return go


def subplots() -> Any:
    """``plotly.subplots``, imported on first use (see :func:`graph_objects`)."""
    graph_objects()
    import plotly.subplots

    return plotly.subplots


def titled(title: str, note: str | None = None) -> str:
    """A figure title with an optional smaller second line, both plain text (escaped)."""
    if not note:
        return _esc(title)
    return f"{_esc(title)}<br><sup>{_esc(note)}</sup>"


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def message_figure(title: str, message: str, *, height: int = DEFAULT_HEIGHT) -> Any:
    """A figure with no data that says, in its centre, why there is nothing to plot.

    Args:
        title: The plot's usual title.
        message: Why it is empty and, where known, what to do about it.
        height: Figure height in pixels.

    Returns:
        A ``plotly.graph_objects.Figure`` with hidden axes and ``message`` as its only
        annotation.
    """
    go = graph_objects()
    fig = go.Figure()
    fig.update_layout(
        title_text=_esc(title),
        height=height,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": _esc(message),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 15},
            }
        ],
        meta={"empty": True, "message": message},
    )
    return fig
