"""plot_parallel_coordinate: axes per parameter (log, categorical), the colour target."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

import paretune as pt
from paretune.visualization import plot_parallel_coordinate
from tests.visualization._helpers import complete
from tests.visualization._helpers import message_of


def test_axes_encode_each_kind_of_parameter(constrained: pt.Study) -> None:
    fig = plot_parallel_coordinate(constrained)
    (trace,) = fig.data
    assert isinstance(trace, go.Parcoords)
    done = complete(constrained)
    dims = {d.label: d for d in trace.dimensions}
    assert list(dims) == ["x", "lr (log)", "kind", "depth", "error (minimize)"]
    assert list(dims["x"].values) == [r.params["x"] for r in done]
    assert list(dims["lr (log)"].values) == pytest.approx(
        [math.log10(r.params["lr"]) for r in done]
    )
    assert list(dims["lr (log)"].ticktext) == ["0.0001", "0.001", "0.01", "0.1"]
    assert list(dims["kind"].ticktext) == ["a", "b", "c"]
    assert list(dims["kind"].values) == ["abc".index(r.params["kind"]) for r in done]
    assert list(dims["depth"].values) == [r.params["depth"] for r in done]
    assert list(trace.line.color) == [r.metrics["error"] for r in done]
    assert trace.line.reversescale is True  # minimised: small values darkest


def test_a_maximised_target_and_an_unknown_one(constrained: pt.Study) -> None:
    fig = plot_parallel_coordinate(constrained, target="accuracy")
    (trace,) = fig.data
    assert trace.dimensions[-1].label == "accuracy (maximize)"
    assert trace.line.reversescale is False
    assert "coloured by accuracy" in fig.layout.title.text
    fig = plot_parallel_coordinate(constrained, target="latency_ms")  # a constrained metric
    assert fig.data[0].dimensions[-1].label == "latency_ms"
    with pytest.raises(ValueError, match="'speed' is not an objective"):
        plot_parallel_coordinate(constrained, target="speed")


def test_conditional_parameters_are_left_out_and_named() -> None:
    study = pt.create_study(study_name="conditional", objectives={"loss": "minimize"}, seed=0)

    def objective(trial: pt.Trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        if x > 0:
            return x + trial.suggest_float("y", 0.0, 1.0)
        return -x

    study.optimize(objective, n_trials=12)
    fig = plot_parallel_coordinate(study)
    assert [d.label for d in fig.data[0].dimensions] == ["x", "loss (minimize)"]
    assert "left out: y" in fig.layout.title.text


def test_empty_study_says_why(empty: pt.Study) -> None:
    assert (
        message_of(plot_parallel_coordinate(empty)) == "Study 'empty' has no complete trials yet."
    )
