"""Each rung's measurements against the top budget's, per objective, with Kendall's tau."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from paretune.schedulers._calibration import compare
from paretune.schedulers._calibration import measurements
from paretune.schedulers._rungs import RungScheduler
from paretune.trial import TrialState
from paretune.visualization._data import esc
from paretune.visualization._data import fmt
from paretune.visualization._data import params_text
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import subplots
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["plot_fidelity"]


def plot_fidelity(study: Study) -> Figure:
    """Plot, per rung and objective, each configuration's value there against the top's.

    A grid with one row per rung below the top budget (cheapest first) and one column per
    objective. Each point is a configuration measured both at that rung and at the top
    budget: x is its value at the rung, y at the top. The panel title gives Kendall's tau
    between the two over those configurations and their number, the same figures as
    :func:`paretune.analysis.fidelity_report` (``n/a`` under 2 pairs or with constant
    values); a rung that ranks configurations as the top does shows a rising cloud. Works
    for budgeted studies (one trial per configuration and budget) and training-loop
    studies (reports at the rung steps against the final metrics).

    Args:
        study: A study with a rung-based scheduler (``HyperbandScheduler``,
            ``ASHAScheduler``, ``SuccessiveHalvingScheduler``); a study created with a
            ``pt.Fidelity`` gets one by default.

    Returns:
        A ``plotly.graph_objects.Figure`` with one scatter trace per panel, or one holding
        only a message when the study has no rung-based scheduler, no complete trials, a
        single rung, or no configuration measured at a rung and at the top.

    Raises:
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.visualization import plot_fidelity
        >>> study = pt.create_study(
        ...     objectives={"error": "minimize"}, fidelity=pt.Fidelity("epochs", 1, 9), seed=0
        ... )
        >>> study.optimize(
        ...     lambda t: {"error": t.suggest_float("x", 0, 1) + 1 / t.budget}, n_trials=40
        ... )
        >>> len(plot_fidelity(study).data)  # a panel per rung below the top: 1 and 3 epochs
        2
    """
    go = graph_objects()
    title = f"Cross-fidelity calibration of study {study.name!r}"
    scheduler = study.scheduler
    if not isinstance(scheduler, RungScheduler):
        return message_figure(
            title,
            f"Study {study.name!r} has no fidelity and no rung-based scheduler, so there are "
            "no rungs to compare; create it with fidelity=pt.Fidelity(...) or "
            "scheduler=pt.schedulers.HyperbandScheduler(...).",
        )
    trials = study.get_trials()
    if not any(r.state is TrialState.COMPLETE for r in trials):
        return message_figure(title, f"Study {study.name!r} has no complete trials yet.")
    rungs = scheduler.rungs(study)
    if len(rungs) < 2:
        return message_figure(title, f"Study {study.name!r} has a single rung ({rungs}).")
    by_rung, _ = measurements(study, rungs, trials)
    top = by_rung[-1]
    compared = [compare(study, measured, top) for measured in by_rung[:-1]]
    if not any(pairs for pairs, *_ in compared):
        return message_figure(
            title,
            f"No configuration of study {study.name!r} has been measured at a lower rung and "
            f"at the top budget ({fmt(rungs[-1])}) yet.",
        )
    budget = study.fidelity.name if study.fidelity is not None else "step"
    objectives = study.objectives
    titles = []
    for k, (pairs, _, kendall, _) in enumerate(compared):
        for o in objectives:
            tau = kendall[o.name]
            shown = "n/a" if math.isnan(tau) else f"{tau:+.2f}"
            titles.append(esc(f"{budget}={fmt(rungs[k])} · {o.name} · τ={shown} (n={len(pairs)})"))
    fig = subplots().make_subplots(
        rows=len(compared),
        cols=len(objectives),
        subplot_titles=titles,
        horizontal_spacing=0.08,
        vertical_spacing=min(0.12, 0.35 / len(compared)),
    )
    params = {r.config: r.params for r in trials}
    for k, (pairs, _, _, _) in enumerate(compared):
        where = f"{budget}={fmt(rungs[k])}"
        for j, o in enumerate(objectives, start=1):
            low = [float(by_rung[k][c][o.name]) for c in pairs]
            high = [float(top[c][o.name]) for c in pairs]
            texts = [
                f"<b>configuration {c}</b><br>{esc(o.name)} at {esc(where)}: {fmt(lo)}"
                f"<br>at the top: {fmt(hi)}<br>{params_text(params.get(c, {}))}"
                for c, lo, hi in zip(pairs, low, high, strict=True)
            ]
            fig.add_trace(
                go.Scatter(
                    x=low,
                    y=high,
                    mode="markers",
                    name=esc(f"rung {k}, {o.name}"),
                    showlegend=False,
                    marker={"color": "#08519c", "size": 7},
                    customdata=pairs,
                    text=texts,
                    hovertemplate="%{text}<extra></extra>",
                ),
                row=k + 1,
                col=j,
            )
            fig.update_xaxes(title_text=esc(f"at {where}"), row=k + 1, col=j)
        fig.update_yaxes(title_text=esc(f"at {budget}={fmt(rungs[-1])}"), row=k + 1, col=1)
    note = ", ".join(f"{o.name} ({o.direction.value})" for o in objectives)
    fig.update_layout(
        title_text=titled(title, f"each point a configuration; {note}"),
        height=max(450, 120 + 300 * len(compared)),
    )
    return fig
