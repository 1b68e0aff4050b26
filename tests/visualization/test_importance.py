"""plot_importance: paretune.importance's scores as grouped bars, per objective and constraint."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

import paretune as pt
from paretune.importance import importances
from paretune.visualization import plot_importance
from tests.visualization._helpers import message_of


def test_one_bar_trace_per_target(constrained: pt.Study) -> None:
    scores = importances(constrained)
    fig = plot_importance(constrained)
    assert all(isinstance(t, go.Bar) and t.orientation == "h" for t in fig.data)
    assert [t.name for t in reversed(fig.data)] == [
        "error (minimize)",
        "accuracy (maximize)",
        "constraint latency_ms &lt;= 5",
    ]
    for trace, by_param in zip(reversed(fig.data), scores.values(), strict=True):
        assert set(trace.y) == set(by_param) == {"x", "lr", "kind", "depth"}
        assert dict(zip(trace.y, trace.x, strict=True)) == pytest.approx(by_param)
    mean = {p: sum(s[p] for s in scores.values()) / len(scores) for p in fig.data[0].y}
    assert list(fig.data[0].y) == sorted(mean, key=lambda p: (mean[p], p))  # top: most important
    assert fig.layout.barmode == "group"


def test_too_few_trials_say_why(budgeted: pt.Study, empty: pt.Study) -> None:
    message = message_of(plot_importance(budgeted))
    assert "needs at least 5 complete trials" in message and "at epochs=27" in message
    fig = plot_importance(budgeted, budget=1)
    assert {t.name for t in fig.data} == {"error (minimize)", "size (minimize)"}
    assert message_of(plot_importance(empty)) == "Study 'empty' has no complete trials yet."
