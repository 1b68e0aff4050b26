"""When each trial ran, on which worker: a Gantt-like chart."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.visualization._data import esc
from paretune.visualization._data import fmt
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["plot_timeline", "worker_of"]

_COLOURS = {
    TrialState.COMPLETE: "#2ca02c",
    TrialState.STOPPED: "#ff7f0e",
    TrialState.FAILED: "#d62728",
    TrialState.RUNNING: "#1f77b4",
}


def worker_of(record: TrialRecord) -> str:
    """The worker that ran a trial, ``host:pid`` (threads of one process share a row)."""
    host = record.environment.get("host")
    pid = record.environment.get("pid")
    if host is None and pid is None:
        return "unknown worker"
    return f"{host or '?'}:{pid if pid is not None else '?'}"


def _utc(ts: float) -> str:
    """A timestamp as plotly reads dates: UTC, no offset, microseconds."""
    moment = dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="microseconds")


def plot_timeline(study: Study) -> Figure:
    """Plot when each trial ran, one row per worker, one bar per trial coloured by state.

    A worker is a process: the ``host`` and ``pid`` of the trial's
    :attr:`~paretune.trial.TrialRecord.environment` (threads of one process share its
    row); rows are ordered by their first trial's start. A bar spans a trial's
    ``started_at_ts`` to ``finished_at_ts``; a running trial's bar ends at the time of the
    call, so that bar alone changes between calls. Times are UTC. Waiting (enqueued)
    trials have not started and are not drawn.

    Args:
        study: The study to plot.

    Returns:
        A ``plotly.graph_objects.Figure`` with one horizontal bar trace per trial state
        present, or one holding only a message when no trial has started.

    Raises:
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.visualization import plot_timeline
        >>> study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3)
        >>> [trace.name for trace in plot_timeline(study).data]
        ['complete (3)']
    """
    go = graph_objects()
    title = f"Timeline of study {study.name!r}"
    started = [r for r in study.get_trials() if r.started_at_ts is not None]
    if not started:
        return message_figure(title, f"Study {study.name!r} has no started trials yet.")
    now = time.time()
    first: dict[str, float] = {}
    for record in sorted(started, key=lambda r: (r.started_at_ts or 0.0, r.number)):
        first.setdefault(worker_of(record), record.started_at_ts or 0.0)
    workers = sorted(first, key=lambda w: (first[w], w))
    fig = go.Figure()
    for state, colour in _COLOURS.items():
        records = [r for r in started if r.state is state]
        if not records:
            continue
        starts = [r.started_at_ts or 0.0 for r in records]
        ends = [r.finished_at_ts if r.finished_at_ts is not None else now for r in records]
        fig.add_trace(
            go.Bar(
                base=[_utc(s) for s in starts],
                x=[(e - s) * 1000.0 for s, e in zip(starts, ends, strict=True)],
                y=[worker_of(r) for r in records],
                orientation="h",
                name=f"{state.value} ({len(records)})",
                marker={"color": colour},
                customdata=[r.number for r in records],
                text=[_hover(r, s, e) for r, s, e in zip(records, starts, ends, strict=True)],
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.update_layout(
        title_text=titled(title, f"{len(started)} trials on {len(workers)} worker(s)"),
        height=max(350, 160 + 40 * len(workers)),
        barmode="overlay",
        xaxis={"type": "date", "title": {"text": "time (UTC)"}},
        yaxis={
            "title": {"text": "worker (host:pid)"},
            "categoryorder": "array",
            "categoryarray": workers[::-1],  # first worker at the top
        },
    )
    return fig


def _hover(record: TrialRecord, start: float, end: float) -> str:
    lines = [f"<b>Trial {record.number}</b> ({record.state.value})"]
    lines.append(f"worker {esc(worker_of(record))}")
    lines.append(f"{_utc(start)[:-3]} → {_utc(end)[:-3]} UTC ({fmt(end - start)} s)")
    if record.budget is not None:
        lines.append(f"budget {fmt(record.budget)}")
    if record.fail_reason:
        lines.append(esc(record.fail_reason[:200]))
    return "<br>".join(lines)
