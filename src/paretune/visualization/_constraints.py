"""Each constraint's violation per trial, with the feasible boundary at 0."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paretune.trial import TrialState
from paretune.visualization._data import esc
from paretune.visualization._data import fmt
from paretune.visualization._data import hover_text
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import subplots
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["plot_constraints"]

_FEASIBLE = "#2ca02c"
_INFEASIBLE = "#d62728"


def plot_constraints(study: Study) -> Figure:
    """Plot every constraint's violation for each complete trial, against the trial number.

    One panel per constraint, in the study's order, sharing the trial-number axis. The
    violation is ``value - bound`` for ``<=`` and ``bound - value`` for ``>=``, in the
    metric's units, so points above the dashed line at 0 violate the constraint. Points
    are coloured by the whole trial's feasibility (every hard constraint satisfied), so a
    point below 0 can still be red when the trial breaks another constraint. Soft
    constraints are drawn too (their panels say "soft"); they never make a trial
    infeasible. Every complete trial is drawn, whatever its budget; the hover names it.

    Args:
        study: The study to plot.

    Returns:
        A ``plotly.graph_objects.Figure`` with two traces per constraint (feasible and
        infeasible trials), or one holding only a message when the study has no
        constraints or no complete trials.

    Raises:
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.visualization import plot_constraints
        >>> study = pt.create_study(
        ...     objectives={"error": "minimize"}, constraints={"latency_ms": ("<=", 10.0)}
        ... )
        >>> for latency in (8.0, 12.0):
        ...     _ = study.tell(study.ask(), {"error": 0.1, "latency_ms": latency})
        >>> [(trace.name, list(trace.y)) for trace in plot_constraints(study).data]
        [('feasible trial', [-2.0]), ('infeasible trial', [2.0])]
    """
    go = graph_objects()
    title = f"Constraints of study {study.name!r}"
    constraints = study.constraints
    if not constraints:
        return message_figure(
            title,
            f"Study {study.name!r} has no constraints; declare some with "
            "create_study(constraints={'metric': ('<=', bound)}).",
        )
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    if not complete:
        return message_figure(title, f"Study {study.name!r} has no complete trials yet.")
    budget_name = study.fidelity.name if study.fidelity is not None else None
    texts = {r.number: hover_text(r, budget_name=budget_name) for r in complete}
    fig = subplots().make_subplots(
        rows=len(constraints),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.12, 0.3 / len(constraints)),
        subplot_titles=[esc(c) for c in constraints],
    )
    for row, constraint in enumerate(constraints, start=1):
        measured = [r for r in complete if constraint.metric in r.metrics]
        for feasible, name, colour in ((True, "feasible trial", _FEASIBLE),
                                       (False, "infeasible trial", _INFEASIBLE)):  # fmt: skip
            records = [r for r in measured if r.feasible is feasible]
            violations = [constraint.violation(r.metrics[constraint.metric]) for r in records]
            fig.add_trace(
                go.Scatter(
                    x=[r.number for r in records],
                    y=violations,
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    showlegend=row == 1,
                    marker={"color": colour, "size": 7},
                    customdata=[r.number for r in records],
                    text=[
                        f"violation of {esc(constraint)}: {fmt(v)}<br>{texts[r.number]}"
                        for r, v in zip(records, violations, strict=True)
                    ],
                    hovertemplate="%{text}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        fig.add_hline(y=0, line={"dash": "dash", "color": "#444", "width": 1}, row=row, col=1)
        fig.update_yaxes(title_text=esc(f"{constraint.metric} violation"), row=row, col=1)
    fig.update_xaxes(title_text="trial number", row=len(constraints), col=1)
    n_feasible = sum(r.feasible for r in complete)
    note = f"{n_feasible} of {len(complete)} complete trials feasible; above 0 = violated"
    fig.update_layout(
        title_text=titled(title, note),
        height=max(420, 120 + 260 * len(constraints)),
    )
    return fig
