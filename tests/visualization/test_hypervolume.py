"""plot_hypervolume_history: agrees with Study.hypervolume, by trial and by compute."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import paretune as pt
from paretune.visualization import plot_hypervolume_history
from tests.visualization._helpers import message_of


def _finished(study: pt.Study) -> list[pt.TrialRecord]:
    return [r for r in study.trials if r.state.is_finished]


@pytest.mark.parametrize("fixture", ["constrained", "failing", "three", "four", "budgeted"])
def test_last_value_is_the_studys_hypervolume(fixture: str, request: pytest.FixtureRequest) -> None:
    study: pt.Study = request.getfixturevalue(fixture)
    fig = plot_hypervolume_history(study)
    (trace,) = fig.data
    ref = fig.layout.meta["reference_point"]
    assert set(ref) == {o.name for o in study.objectives}
    assert trace.y[-1] == study.hypervolume(ref) > 0
    assert list(trace.x) == [r.number for r in _finished(study)]
    assert list(trace.customdata) == [r.number for r in _finished(study)]
    assert all(b >= a for a, b in itertools.pairwise(trace.y))
    for name, value in ref.items():
        assert f"{name}=" in fig.layout.title.text
        assert np.isfinite(value)


def test_the_default_reference_point_is_beaten_by_every_feasible_trial(
    constrained: pt.Study,
) -> None:
    ref = plot_hypervolume_history(constrained).layout.meta["reference_point"]
    feasible = [r for r in constrained.trials if r.state is pt.TrialState.COMPLETE and r.feasible]
    assert all(r.metrics["error"] < ref["error"] for r in feasible)
    assert all(r.metrics["accuracy"] > ref["accuracy"] for r in feasible)
    worst_error = max(r.metrics["error"] for r in feasible)
    best_error = min(r.metrics["error"] for r in feasible)
    assert ref["error"] == pytest.approx(worst_error + 0.1 * (worst_error - best_error))


def test_a_given_reference_point_and_compute_on_the_x_axis(constrained: pt.Study) -> None:
    ref = {"error": 2.0, "accuracy": -1.0}
    fig = plot_hypervolume_history(constrained, reference_point=ref, x="compute")
    (trace,) = fig.data
    assert trace.y[-1] == constrained.hypervolume(ref)
    durations = [r.duration or 0.0 for r in _finished(constrained)]
    assert list(trace.x) == pytest.approx(np.cumsum(durations).tolist())
    assert fig.layout.xaxis.title.text == "cumulative compute (s)"
    assert fig.layout.meta["reference_point"] == ref
    with pytest.raises(ValueError, match="'trials' or 'compute'"):
        plot_hypervolume_history(constrained, x="time")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lacks objective"):
        plot_hypervolume_history(constrained, reference_point={"error": 2.0})


def test_budgeted_study_counts_every_trials_compute(budgeted: pt.Study) -> None:
    fig = plot_hypervolume_history(budgeted, x="compute")
    assert len(fig.data[0].x) == len(_finished(budgeted))
    assert fig.data[0].x[-1] == pytest.approx(sum(r.duration or 0.0 for r in _finished(budgeted)))


def test_empty_and_infeasible_studies_say_why(empty: pt.Study) -> None:
    assert (
        message_of(plot_hypervolume_history(empty)) == "Study 'empty' has no complete trials yet."
    )
    empty.tell(empty.ask(), {"loss": 1.0, "gain": 1.0, "size": 2.0})
    assert "satisfies every constraint" in message_of(plot_hypervolume_history(empty))
