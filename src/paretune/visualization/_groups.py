"""Per-group rates (TPR, FPR, selection rate, ...) of chosen trials, per sensitive feature."""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune.trial import TrialRecord
from paretune.visualization._data import esc
from paretune.visualization._data import fmt
from paretune.visualization._data import group_trials
from paretune.visualization._data import no_complete_message
from paretune.visualization._data import numbers_note
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import subplots
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["plot_group_metrics"]

_LABELS = {
    "true_positive_rate": "TPR",
    "false_positive_rate": "FPR",
    "selection_rate": "selection rate",
    "accuracy": "accuracy",
}


def plot_group_metrics(study: Study, *, trials: Sequence[int] | None = None) -> Figure:
    """Plot the per-group metrics stored with each trial, one panel per sensitive feature.

    Reads the breakdown :func:`paretune.evaluate.classifier` (or ``regressor``) stores
    when the objective returns its :class:`~paretune.evaluate.Evaluation`:
    ``user_attrs["evaluation"]["by_group"]``, per sensitive feature (and their
    intersection), per group, the rates (true and false positive rate, selection rate,
    accuracy, ...; the row ``count`` shows in the hover). In each panel the x axis holds
    every rate for every trial, and each group is one colour of bars, so a gap between
    bars of one rate and trial is that trial's disparity.

    Args:
        study: The study to plot.
        trials: Numbers of the trials to show, in that order; None shows the members of
            the study's Pareto front.

    Returns:
        A ``plotly.graph_objects.Figure`` with one bar trace per (feature, group), or one
        holding only a message when the study has no complete trials, no front, or none
        of the chosen trials stores a per-group breakdown. The title lists chosen trials
        without one.

    Raises:
        ValueError: If ``trials`` names a trial the study does not have.
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.evaluate import Evaluation
        >>> from paretune.visualization import plot_group_metrics
        >>> study = pt.create_study(objectives={"accuracy": "maximize"})
        >>> rates = {"a": {"true_positive_rate": 0.8}, "b": {"true_positive_rate": 0.9}}
        >>> _ = study.tell(study.ask(), Evaluation({"accuracy": 0.8}, by_group={"sex": rates}))
        >>> [(trace.name, list(trace.y)) for trace in plot_group_metrics(study).data]
        [('a', [0.8]), ('b', [0.9])]
    """
    go = graph_objects()
    title = f"Per-group metrics of study {study.name!r}"
    records = study.get_trials()
    if trials is None:
        groups = group_trials(study, records)
        message = no_complete_message(study, groups)
        if message is not None:
            return message_figure(title, message)
        chosen = groups.front
        if not chosen:
            return message_figure(
                title,
                f"Study {study.name!r} has no feasible trial, so no Pareto front; pass "
                "trials=[...] to choose the trials to show.",
            )
    else:
        by_number = {r.number: r for r in records}
        unknown = [n for n in trials if n not in by_number]
        if unknown:
            raise ValueError(f"Study {study.name!r} has no trial(s) {unknown!r}.")
        chosen = [by_number[n] for n in trials]
    with_groups = [(r, _by_group(r)) for r in chosen]
    stored = [(r, table) for r, table in with_groups if table]
    missing = [r for r, table in with_groups if not table]
    if not stored:
        which = "front members" if trials is None else "chosen trials"
        return message_figure(
            title,
            f"None of the {len(chosen)} {which} of study {study.name!r} stores a per-group "
            "breakdown (user_attrs['evaluation']['by_group']); return the "
            "pt.evaluate.classifier(..., sensitive_features=...) result from the objective "
            "to record one.",
        )
    features: list[str] = []
    for _, table in stored:
        features += [f for f in table if f not in features]
    fig = subplots().make_subplots(
        rows=len(features),
        cols=1,
        subplot_titles=[esc(f"by {f}") for f in features],
        vertical_spacing=min(0.15, 0.35 / len(features)),
    )
    for row, feature in enumerate(features, start=1):
        for trace in _feature_traces(go, feature, stored):
            fig.add_trace(trace, row=row, col=1)
        fig.update_yaxes(title_text="rate", row=row, col=1)
    note = f"trials {numbers_note([r for r, _ in stored], limit=12)}"
    if missing:
        note += f"; without a stored breakdown: {numbers_note(missing)}"
    fig.update_layout(
        title_text=titled(title, note),
        barmode="group",
        height=max(450, 140 + 320 * len(features)),
        legend={"groupclick": "toggleitem"},
    )
    return fig


def _by_group(record: TrialRecord) -> Mapping[str, Any]:
    evaluation = record.user_attrs.get("evaluation")
    if not isinstance(evaluation, Mapping):
        return {}
    table = evaluation.get("by_group")
    return table if isinstance(table, Mapping) else {}


def _feature_traces(
    go: Any, feature: str, stored: list[tuple[TrialRecord, Mapping[str, Any]]]
) -> list[Any]:
    """One bar trace per group of ``feature``, over every (rate, trial) pair."""
    group_names: list[str] = []
    rates: list[str] = []
    for _, table in stored:
        for group, values in table.get(feature, {}).items():
            if group not in group_names:
                group_names.append(group)
            rates += [k for k in values if k != "count" and k not in rates]
    rates.sort(key=lambda k: list(_LABELS).index(k) if k in _LABELS else len(_LABELS))
    traces = []
    for group in group_names:
        outer, inner, ys, texts = [], [], [], []
        for rate in rates:
            for record, table in stored:
                values = table.get(feature, {}).get(group, {})
                value = values.get(rate)
                number = float(value) if isinstance(value, (int, float)) else math.nan
                outer.append(_LABELS.get(rate, rate))
                inner.append(f"trial {record.number}")
                ys.append(None if math.isnan(number) else number)
                texts.append(
                    f"<b>{esc(group)}</b> ({esc(feature)}), "
                    f"trial {record.number}<br>{esc(rate)}: {fmt(number)}"
                    f"<br>rows: {fmt(values.get('count'))}"
                )
        traces.append(
            go.Bar(
                x=[outer, inner],
                y=ys,
                name=esc(group),
                legendgroup=feature,
                legendgrouptitle={"text": esc(feature)},
                text=texts,
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return traces
