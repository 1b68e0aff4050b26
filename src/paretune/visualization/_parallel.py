"""Parameters on parallel axes, each line a trial coloured by one objective."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from typing import Any

from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.objectives import Direction
from paretune.trial import TrialRecord
from paretune.visualization._data import esc
from paretune.visualization._data import fmt
from paretune.visualization._data import group_trials
from paretune.visualization._data import no_complete_message
from paretune.visualization._data import objective_label
from paretune.visualization._plotly import DEFAULT_HEIGHT
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["plot_parallel_coordinate"]


def plot_parallel_coordinate(study: Study, *, target: str | None = None) -> Figure:
    """Plot each complete trial's parameters on parallel axes, coloured by ``target``.

    One axis per parameter, in the order the trials suggested them, then one for the
    target. Log-scaled parameters are drawn on a ``log10`` axis whose ticks show the
    values themselves; categorical ones get one tick per choice (in the order of their
    distribution, with any choice seen only in older trials after them). The colour scale
    runs from worst to best, the best values darkest, whichever the target's direction.

    The complete trials are those the front compares (at the full budget in a study with a
    fidelity), feasible or not. Parameters that some of them lack (conditional search
    spaces) are left out, and the title names them.

    Args:
        study: The study to plot.
        target: The objective (or any recorded metric) that colours the lines; None for the
            study's first objective.

    Returns:
        A ``plotly.graph_objects.Figure`` holding one ``Parcoords`` trace, or one holding
        only a message when the study has no complete trials or no parameter that all of
        them share.

    Raises:
        ValueError: If ``target`` is neither an objective nor a metric of every complete
            trial.
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.visualization import plot_parallel_coordinate
        >>> study = pt.create_study(objectives={"error": "minimize"}, seed=0)
        >>> study.optimize(
        ...     lambda t: {"error": t.suggest_float("lr", 1e-4, 1e-1, log=True)}, n_trials=5
        ... )
        >>> [d.label for d in plot_parallel_coordinate(study).data[0].dimensions]
        ['lr (log)', 'error (minimize)']
    """
    go = graph_objects()
    name = study.objectives[0].name if target is None else target
    title = f"Parameters of study {study.name!r}, coloured by {name}"
    groups = group_trials(study, study.get_trials())
    message = no_complete_message(study, groups)
    if message is not None:
        return message_figure(title, message)
    records = groups.shown
    if any(name not in r.metrics for r in records):
        raise ValueError(
            f"`target` {name!r} is not an objective or a metric of every complete trial of "
            f"study {study.name!r}; its objectives are {[o.name for o in study.objectives]!r}."
        )
    params: list[str] = []
    for record in records:
        params += [p for p in record.params if p not in params]
    shared = [p for p in params if all(p in r.params for r in records)]
    if not shared:
        return message_figure(
            title, f"The complete trials of study {study.name!r} share no parameter."
        )
    dimensions = [_dimension(p, records) for p in shared]
    objective = next((o for o in study.objectives if o.name == name), None)
    label = objective_label(objective) if objective is not None else esc(name)
    values = [float(r.metrics[name]) for r in records]
    dimensions.append({"label": label, "values": values})
    maximize = objective is not None and objective.direction is Direction.MAXIMIZE
    line = {
        "color": values,
        "colorscale": "Blues",
        "reversescale": not maximize,  # darkest = best
        "showscale": True,
        "colorbar": {"title": {"text": esc(name)}},
    }
    left_out = [p for p in params if p not in shared]
    note = f"{len(records)} complete trials"
    if left_out:
        note += f"; parameters not in every trial, left out: {', '.join(left_out)}"
    fig = go.Figure(go.Parcoords(dimensions=dimensions, line=line, name="complete trials"))
    fig.update_layout(
        title_text=titled(title, note), height=DEFAULT_HEIGHT, margin={"t": 130, "l": 80}
    )
    return fig


def _distribution(param: str, records: list[TrialRecord]) -> Distribution:
    """The parameter's distribution in the latest trial (ranges may change over a study)."""
    return next(r.distributions[param] for r in reversed(records) if param in r.distributions)


def _dimension(param: str, records: list[TrialRecord]) -> dict[str, Any]:
    values = [r.params[param] for r in records]
    dist = _distribution(param, records)
    if isinstance(dist, CategoricalDistribution):
        order = list(dist.choices)
        for value in values:  # a choice only older trials had
            if not _has(order, value):
                order.append(value)
        codes = [_index(order, v) for v in values]
        return {
            "label": param,
            "values": codes,
            "tickvals": list(range(len(order))),
            "ticktext": [fmt(c) for c in order],
            "range": [-0.5, len(order) - 0.5] if len(order) > 1 else [-1, 1],
        }
    numbers = [float(v) for v in values]
    if dist.log and min(numbers) > 0:
        logs = [math.log10(v) for v in numbers]
        low, high = math.floor(min(logs)), math.ceil(max(logs))
        ticks = list(range(low, high + 1))
        return {
            "label": f"{param} (log)",
            "values": logs,
            "tickvals": ticks,
            "ticktext": [fmt(10.0**t) for t in ticks],
            "range": [min(logs), max(logs)] if max(logs) > min(logs) else [low, high + 1],
        }
    return {"label": param, "values": numbers}


def _has(items: list[Any], value: Any) -> bool:
    return any(type(c) is type(value) and c == value for c in items)


def _index(items: list[Any], value: Any) -> int:
    return next(i for i, c in enumerate(items) if type(c) is type(value) and c == value)
