"""Parameter importance per objective and per constraint, as grouped bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from paretune.trial import TrialState
from paretune.visualization._data import esc
from paretune.visualization._data import fmt
from paretune.visualization._data import objective_label
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["plot_importance"]


def plot_importance(study: Study, *, budget: float | None = None) -> Figure:
    """Plot how much each parameter matters to each objective and constraint.

    The scores come from :func:`paretune.importance.importances`: one bar trace per
    target (objective or constrained metric; the traces in reverse order, so that each
    group of bars reads top-down in the study's order), the parameters on the y axis, the
    most important (by mean score over the targets) at the top.

    Args:
        study: The study to plot.
        budget: In a study with a fidelity, the budget whose trials are scored; None
            scores the full budget's.

    Returns:
        A ``plotly.graph_objects.Figure`` with one horizontal bar trace per target, or one
        holding only a message when the study has fewer complete trials (at that budget)
        than importance needs (:data:`paretune.importance.MIN_TRIALS`) or no parameters.

    Raises:
        ValueError: If ``budget`` is given for a study without a fidelity.
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.visualization import plot_importance
        >>> study = pt.create_study(
        ...     objectives={"error": "minimize"}, sampler=pt.samplers.RandomSampler(seed=0)
        ... )
        >>> study.optimize(
        ...     lambda t: {"error": t.suggest_float("x", 0, 1) + 0 * t.suggest_float("z", 0, 1)},
        ...     n_trials=20,
        ... )
        >>> list(plot_importance(study).data[0].y)  # the most important last: at the top
        ['z', 'x']
    """
    go = graph_objects()
    title = f"Parameter importance in study {study.name!r}"
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    if not complete:
        return message_figure(title, f"Study {study.name!r} has no complete trials yet.")
    from paretune.importance import MIN_TRIALS
    from paretune.importance import importances

    fidelity = study.fidelity
    if fidelity is not None:
        at = fidelity.high if budget is None else float(budget)
        complete = [r for r in complete if r.budget is not None and np.isclose(r.budget, at)]
    if len(complete) < MIN_TRIALS:
        where = "" if fidelity is None else f" at {fidelity.name}={fmt(at)}"
        return message_figure(
            title,
            f"Parameter importance needs at least {MIN_TRIALS} complete trials; study "
            f"{study.name!r} has {len(complete)}{where}."
            + ("" if fidelity is None else " Pass budget= to score a lower budget."),
        )
    scores = importances(study, budget=budget)
    params: list[str] = []
    for by_param in scores.values():
        params += [p for p in by_param if p not in params]
    if not params:
        return message_figure(
            title, f"No parameter importance could be estimated for study {study.name!r}."
        )

    def mean(param: str) -> float:
        return float(sum(s.get(param, 0.0) for s in scores.values())) / len(scores)

    order = sorted(params, key=lambda p: (mean(p), p))  # plotly draws the first at the bottom
    objectives = {o.name: o for o in study.objectives}
    constraints = {c.metric: c for c in study.constraints}
    fig = go.Figure()
    for target, by_param in reversed(scores.items()):  # plotly stacks a group bottom-up
        if target in objectives:
            label = objective_label(objectives[target])
        elif target in constraints:
            label = esc(f"constraint {constraints[target]}")
        else:
            label = esc(target)
        values = [float(by_param.get(p, 0.0)) for p in order]
        fig.add_trace(
            go.Bar(
                x=values,
                y=order,
                orientation="h",
                name=label,
                text=[f"{label}<br>{esc(p)}: {fmt(v)}" for p, v in zip(order, values, strict=True)],
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.update_layout(
        title_text=titled(title, f"{len(params)} parameters, {len(scores)} targets"),
        barmode="group",
        legend={"traceorder": "reversed"},  # the legend in the bars' top-down order
        height=max(400, 160 + len(order) * (14 * len(scores) + 16)),
        xaxis_title_text="importance",
        yaxis_title_text="parameter",
    )
    return fig
