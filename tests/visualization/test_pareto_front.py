"""plot_pareto_front: which trial lands in which trace, hover, axes, and dimensions."""

from __future__ import annotations

import warnings

import plotly.graph_objects as go
import pytest

import paretune as pt
from paretune.trial import TrialState
from paretune.visualization import plot_pareto_front
from tests.visualization._helpers import by_name
from tests.visualization._helpers import complete
from tests.visualization._helpers import message_of


def test_two_objectives_split_into_front_dominated_and_infeasible(constrained: pt.Study) -> None:
    fig = plot_pareto_front(constrained)
    traces = by_name(fig)
    assert set(traces) == {"Pareto front", "dominated", "infeasible"}
    assert all(isinstance(t, go.Scatter) for t in fig.data)
    done = complete(constrained)
    front = [r.number for r in constrained.pareto_front()]
    infeasible = [r.number for r in done if not r.feasible]
    dominated = [r.number for r in done if r.feasible and r.number not in front]
    assert 0 < len(front) and 0 < len(infeasible) and 0 < len(dominated)
    assert list(traces["Pareto front"].customdata) == front
    assert list(traces["dominated"].customdata) == dominated
    assert list(traces["infeasible"].customdata) == infeasible
    assert traces["Pareto front"].name == f"Pareto front ({len(front)})"
    records = {r.number: r for r in done}
    for trace in fig.data:
        assert len(trace.x) == len(trace.y) == len(trace.customdata) == len(trace.text)
        for number, x, y, text in zip(trace.customdata, trace.x, trace.y, trace.text, strict=True):
            assert (x, y) == (records[number].metrics["error"], records[number].metrics["accuracy"])
            assert f"Trial {number}</b>" in text
            for name in ("error", "accuracy", "latency_ms", "x", "lr", "kind", "depth"):
                assert f"{name}: " in text
    assert fig.layout.xaxis.title.text == "error (minimize)"
    assert fig.layout.yaxis.title.text == "accuracy (maximize)"
    assert "Pareto front of study 'constrained'" in fig.layout.title.text
    assert fig.layout.height > 0


def test_front_alone_and_a_chosen_axis_order(constrained: pt.Study) -> None:
    fig = plot_pareto_front(constrained, objectives=["accuracy", "error"], include_dominated=False)
    assert [t.name.rsplit(" (", 1)[0] for t in fig.data] == ["Pareto front"]
    assert list(fig.data[0].customdata) == [r.number for r in constrained.pareto_front()]
    assert fig.layout.xaxis.title.text == "accuracy (maximize)"
    with pytest.raises(ValueError, match="no objective"):
        plot_pareto_front(constrained, objectives=["error", "speed"])
    with pytest.raises(ValueError, match="at least two"):
        plot_pareto_front(constrained, objectives=["error"])
    with pytest.raises(ValueError, match="twice"):
        plot_pareto_front(constrained, objectives=["error", "error"])


def test_failed_trials_are_counted_in_the_title(failing: pt.Study) -> None:
    failed = failing.get_trials(states=(TrialState.FAILED,))
    kinds = {r.fail_kind for r in failed}
    assert kinds == {pt.FailKind.ERROR, pt.FailKind.INVALID_METRICS}
    fig = plot_pareto_front(failing)
    placed = sorted(n for trace in fig.data for n in trace.customdata)
    assert placed == [r.number for r in complete(failing)]
    title = fig.layout.title.text
    assert f"{len(failed)} failed, not shown (no metrics): " in title
    assert f"#{failed[0].number}" in title
    assert "infeasible (0)" in [t.name for t in fig.data]


def test_three_objectives_give_a_3d_scatter(three: pt.Study) -> None:
    fig = plot_pareto_front(three)
    assert all(isinstance(t, go.Scatter3d) for t in fig.data)
    traces = by_name(fig)
    assert list(traces["Pareto front"].customdata) == [r.number for r in three.pareto_front()]
    assert sum(len(t.x) for t in fig.data) == len(complete(three))
    assert fig.layout.scene.zaxis.title.text == "f2 (maximize)"


def test_four_objectives_give_parallel_coordinates(four: pt.Study) -> None:
    fig = plot_pareto_front(four)
    (trace,) = fig.data
    assert isinstance(trace, go.Parcoords)
    labels = [d.label for d in trace.dimensions]
    assert labels == ["trial", "f0 (minimize)", "f1 (minimize)", "f2 (minimize)", "f3 (maximize)"]
    numbers = list(trace.dimensions[0].values)
    assert sorted(numbers) == [r.number for r in complete(four)]
    front = {r.number for r in four.pareto_front()}
    colours = dict(zip(numbers, trace.line.color, strict=True))
    assert {n for n, c in colours.items() if c == trace.line.cmax} == front


def test_budgeted_study_shows_the_full_budget_only(budgeted: pt.Study) -> None:
    fig = plot_pareto_front(budgeted)
    traces = by_name(fig)
    assert list(traces["Pareto front"].customdata) == [r.number for r in budgeted.pareto_front()]
    top = [r.number for r in complete(budgeted) if r.budget == 27]
    assert sorted(n for t in fig.data for n in t.customdata) == top
    lower = len(complete(budgeted)) - len(top)
    assert f"{lower} complete below the full budget, not shown" in fig.layout.title.text
    assert "epochs: 27" in traces["Pareto front"].text[0]


def test_no_feasible_trial_gives_an_empty_front_without_a_warning() -> None:
    study = pt.create_study(
        objectives={"a": "minimize", "b": "minimize"}, constraints={"a": ("<=", -1.0)}
    )
    for value in (0.0, 1.0):
        study.tell(study.ask(), {"a": value, "b": 1.0 - value})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_pareto_front(study)
    assert [len(t.x) for t in fig.data] == [2, 0, 0]  # infeasible, dominated, front


def test_empty_and_single_objective_studies_say_why(empty: pt.Study) -> None:
    assert message_of(plot_pareto_front(empty)) == "Study 'empty' has no complete trials yet."
    single = pt.create_study(study_name="one", objectives={"loss": "minimize"})
    assert "single objective" in message_of(plot_pareto_front(single))
