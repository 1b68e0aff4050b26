"""plot_constraints: one panel per constraint, violations, the boundary, feasibility colours."""

from __future__ import annotations

import pytest

import paretune as pt
from paretune.visualization import plot_constraints
from tests.visualization._helpers import complete
from tests.visualization._helpers import message_of


def test_one_constraint_split_by_feasibility(constrained: pt.Study) -> None:
    fig = plot_constraints(constrained)
    feasible, infeasible = fig.data
    done = complete(constrained)
    assert list(feasible.x) == [r.number for r in done if r.feasible]
    assert list(infeasible.x) == [r.number for r in done if not r.feasible]
    by_number = {r.number: r for r in done}
    for trace in fig.data:
        for number, y, text in zip(trace.x, trace.y, trace.text, strict=True):
            assert y == pytest.approx(by_number[number].metrics["latency_ms"] - 5.0)
            assert f"Trial {number}</b>" in text
    assert all(y <= 0 for y in feasible.y) and all(y > 0 for y in infeasible.y)
    (line,) = fig.layout.shapes
    assert (line.y0, line.y1) == (0, 0)
    assert fig.layout.annotations[0].text == "latency_ms &lt;= 5"
    assert fig.layout.xaxis.title.text == "trial number"


def test_two_constraints_and_a_soft_one() -> None:
    study = pt.create_study(
        study_name="two-constraints",
        objectives={"loss": "minimize"},
        constraints={
            "size": ("<=", 3.0),
            "recall": pt.Constraint("recall", ">=", 0.5, soft=True, weight=0.1),
        },
    )
    for i in range(6):
        study.tell(study.ask(), {"loss": float(i), "size": float(i), "recall": i / 5})
    fig = plot_constraints(study)
    assert len(fig.data) == 4
    assert [len(t.x) for t in fig.data] == [4, 2, 4, 2]
    assert list(fig.data[2].y) == pytest.approx([0.5 - i / 5 for i in range(4)])
    assert [a.text for a in fig.layout.annotations] == [
        "size &lt;= 3",
        "recall &gt;= 0.5 (soft, weight 0.1)",
    ]
    assert len(fig.layout.shapes) == 2
    assert [t.showlegend for t in fig.data] == [True, True, False, False]


def test_empty_and_unconstrained_studies_say_why(empty: pt.Study, three: pt.Study) -> None:
    assert message_of(plot_constraints(empty)) == "Study 'empty' has no complete trials yet."
    assert "has no constraints" in message_of(plot_constraints(three))
