"""The Pareto-front plot: a scatter for 2 objectives, 3-D for 3, parallel axes beyond."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune.objectives import Objective
from paretune.trial import TrialRecord
from paretune.visualization._data import TrialGroups
from paretune.visualization._data import group_trials
from paretune.visualization._data import hover_text
from paretune.visualization._data import no_complete_message
from paretune.visualization._data import numbers_note
from paretune.visualization._data import objective_label
from paretune.visualization._data import pick_objectives
from paretune.visualization._plotly import DEFAULT_HEIGHT
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["plot_pareto_front"]

# (group attribute, legend name, colour, symbol, size); later ones are drawn on top
_STYLES = (
    ("infeasible", "infeasible", "#bdbdbd", "x", 7),
    ("dominated", "dominated", "#9ecae1", "circle", 7),
    ("front", "Pareto front", "#08519c", "diamond", 10),
)


def plot_pareto_front(
    study: Study, *, objectives: Sequence[str] | None = None, include_dominated: bool = True
) -> Figure:
    """Plot the complete trials in objective space, marking the Pareto front.

    Two objectives give a scatter plot, three a 3-D scatter, more a parallel-coordinates
    plot (one axis per objective, after a ``trial`` axis holding the trial numbers). Each
    complete trial falls in one of three traces (groups): *Pareto front* (exactly
    ``study.pareto_front()``), *dominated* (feasible, dominated by a front member) and
    *infeasible* (violates a hard constraint). Hovering a point shows its trial number,
    budget, every metric, which constraints it violates and its parameters; each point's
    ``customdata`` is its trial number. Parallel coordinates cannot hover: the line colour
    gives the group (dark blue: front, light blue: dominated, grey: infeasible).

    Failed trials have no metrics to place: the title's second line counts them and lists
    their numbers, as it counts stopped trials and, in a study with a fidelity, the
    complete trials below the full budget (not comparable with the front, so not shown).

    Args:
        study: The study to plot.
        objectives: Names of the objectives to plot, in axis order; None plots all of
            them. The front is always the study's front over all its objectives, so with
            a subset a front member may look dominated in the projection.
        include_dominated: Also show the dominated and the infeasible trials; False shows
            the front alone.

    Returns:
        A ``plotly.graph_objects.Figure``. When the study has fewer than two objectives or
        no complete trials, the figure holds no data and its annotation says why.

    Raises:
        ValueError: If ``objectives`` names an unknown objective, repeats one, or names
            fewer than two.
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.visualization import plot_pareto_front
        >>> study = pt.create_study(objectives={"error": "minimize", "size": "minimize"})
        >>> for error, size in [(0.1, 0.9), (0.2, 0.8), (0.3, 0.7), (0.3, 0.9)]:
        ...     _ = study.tell(study.ask(), {"error": error, "size": size})
        >>> [trace.name for trace in plot_pareto_front(study).data]
        ['infeasible (0)', 'dominated (1)', 'Pareto front (3)']
    """
    graph_objects()
    title = f"Pareto front of study {study.name!r}"
    if objectives is None and len(study.objectives) < 2:
        return message_figure(
            title,
            f"Study {study.name!r} has a single objective; a Pareto front needs at least two.",
        )
    chosen = pick_objectives(study, objectives)
    if len(chosen) < 2:
        raise ValueError(f"Plot at least two objectives, got {[o.name for o in chosen]!r}.")
    groups = group_trials(study, study.get_trials())
    message = no_complete_message(study, groups)
    if message is not None:
        return message_figure(title, message)
    styles = [s for s in _STYLES if include_dominated or s[0] == "front"]
    budget_name = study.fidelity.name if study.fidelity is not None else None
    if len(chosen) == 2:
        fig = _scatter(chosen, groups, styles, budget_name, three_d=False)
    elif len(chosen) == 3:
        fig = _scatter(chosen, groups, styles, budget_name, three_d=True)
    else:
        fig = _parallel(chosen, groups, styles)
    fig.update_layout(
        title_text=titled(title, _note(groups)),
        height=DEFAULT_HEIGHT if len(chosen) == 2 else 650,
        legend={"title": {"text": "complete trials"}},
    )
    return fig


def _trace_data(records: list[TrialRecord], chosen: list[Objective]) -> list[list[float]]:
    return [[float(r.metrics[o.name]) for r in records] for o in chosen]


def _scatter(
    chosen: list[Objective],
    groups: TrialGroups,
    styles: Sequence[tuple[str, str, str, str, int]],
    budget_name: str | None,
    *,
    three_d: bool,
) -> Any:
    go = graph_objects()
    fig = go.Figure()
    for attr, name, colour, symbol, size in styles:
        records: list[TrialRecord] = getattr(groups, attr)
        values = _trace_data(records, chosen)
        common: dict[str, Any] = {
            "mode": "markers",
            "name": f"{name} ({len(records)})",
            "text": [hover_text(r, budget_name=budget_name) for r in records],
            "hovertemplate": "%{text}<extra></extra>",
            "customdata": [r.number for r in records],
        }
        if three_d:
            marker_symbol = {"x": "x", "diamond": "diamond"}.get(symbol, "circle")
            common["marker"] = {"color": colour, "symbol": marker_symbol, "size": size * 0.6}
            fig.add_trace(go.Scatter3d(x=values[0], y=values[1], z=values[2], **common))
        else:
            common["marker"] = {"color": colour, "symbol": symbol, "size": size}
            fig.add_trace(go.Scatter(x=values[0], y=values[1], **common))
    labels = [objective_label(o) for o in chosen]
    if three_d:
        fig.update_layout(
            scene={
                "xaxis": {"title": {"text": labels[0]}},
                "yaxis": {"title": {"text": labels[1]}},
                "zaxis": {"title": {"text": labels[2]}},
            }
        )
    else:
        fig.update_xaxes(title_text=labels[0])
        fig.update_yaxes(title_text=labels[1])
    return fig


def _parallel(
    chosen: list[Objective],
    groups: TrialGroups,
    styles: Sequence[tuple[str, str, str, str, int]],
) -> Any:
    go = graph_objects()
    records: list[TrialRecord] = []
    codes: list[int] = []
    for code, (attr, *_rest) in enumerate(styles):  # front last: drawn on top
        members: list[TrialRecord] = getattr(groups, attr)
        records += members
        codes += [code] * len(members)
    top = max(len(styles) - 1, 1)
    scale = [[k / top, style[2]] for k, style in enumerate(styles)]
    if len(scale) == 1:
        scale = [[0.0, styles[0][2]], [1.0, styles[0][2]]]
    values = _trace_data(records, chosen)
    dimensions = [{"label": "trial", "values": [r.number for r in records]}]
    dimensions += [
        {"label": objective_label(o), "values": column}
        for o, column in zip(chosen, values, strict=True)
    ]
    line = {"color": codes, "colorscale": scale, "cmin": 0, "cmax": top, "showscale": False}
    fig = go.Figure(go.Parcoords(dimensions=dimensions, line=line, name="complete trials"))
    fig.update_layout(margin={"t": 130, "l": 80})
    return fig


def _note(groups: TrialGroups) -> str:
    parts = [
        f"{len(groups.front)} on the front, {len(groups.dominated)} dominated, "
        f"{len(groups.infeasible)} infeasible"
    ]
    if groups.failed:
        parts.append(
            f"{len(groups.failed)} failed, not shown (no metrics): {numbers_note(groups.failed)}"
        )
    if groups.stopped:
        parts.append(f"{len(groups.stopped)} stopped, not shown")
    if groups.lower_budget:
        parts.append(f"{len(groups.lower_budget)} complete below the full budget, not shown")
    return " · ".join(parts)
