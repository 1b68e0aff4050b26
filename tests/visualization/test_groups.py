"""plot_group_metrics: the stored per-group breakdown of front members (or chosen trials)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

import paretune as pt
from paretune.visualization import plot_group_metrics
from tests.visualization._helpers import message_of


def test_front_members_rates_per_group(grouped: pt.Study) -> None:
    front = grouped.pareto_front()
    fig = plot_group_metrics(grouped)
    assert all(isinstance(t, go.Bar) for t in fig.data)
    table = front[0].user_attrs["evaluation"]["by_group"]
    (feature,) = table
    groups = list(table[feature])
    assert [t.name for t in fig.data] == groups
    assert fig.layout.annotations[0].text == f"by {feature}"
    rates = ["TPR", "FPR", "selection rate", "accuracy"]
    for trace in fig.data:
        outer, inner = (list(level) for level in trace.x)
        assert outer == [rate for rate in rates for _ in front]
        assert inner == [f"trial {r.number}" for _ in rates for r in front]
        stored = {
            (rate, f"trial {r.number}"): r.user_attrs["evaluation"]["by_group"][feature][trace.name]
            for rate in rates
            for r in front
        }
        keys = {
            "TPR": "true_positive_rate",
            "FPR": "false_positive_rate",
            "selection rate": "selection_rate",
            "accuracy": "accuracy",
        }
        for rate, trial, y, text in zip(outer, inner, trace.y, trace.text, strict=True):
            assert y == stored[rate, trial][keys[rate]]
            assert f"<b>{trace.name}</b>" in text and "rows: " in text
    assert fig.layout.barmode == "group"


def test_chosen_trials_and_unknown_ones(grouped: pt.Study) -> None:
    fig = plot_group_metrics(grouped, trials=[3, 0])
    inner = list(fig.data[0].x[1])
    assert inner[:2] == ["trial 3", "trial 0"]
    with pytest.raises(ValueError, match=r"no trial\(s\) \[99\]"):
        plot_group_metrics(grouped, trials=[0, 99])


def test_studies_without_a_breakdown_say_why(constrained: pt.Study, empty: pt.Study) -> None:
    message = message_of(plot_group_metrics(constrained))
    assert "stores a per-group breakdown (user_attrs['evaluation']['by_group'])" in message
    assert message_of(plot_group_metrics(empty)) == "Study 'empty' has no complete trials yet."
