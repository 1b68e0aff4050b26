"""What every plot shares: lazy plotly, the install hint, complete and deterministic figures."""

from __future__ import annotations

import html
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import pytest

import paretune as pt
from paretune import visualization

PLOTS: list[Callable[[pt.Study], Any]] = [getattr(visualization, n) for n in visualization.__all__]
STUDIES = ["constrained", "failing", "three", "four", "budgeted", "grouped", "empty"]


def test_plotly_loads_only_when_a_plot_is_drawn() -> None:
    code = """
import sys
import paretune as pt
assert "plotly" not in sys.modules and "paretune.visualization" not in sys.modules
import paretune.visualization
assert "plotly" not in sys.modules, "importing paretune.visualization imported plotly"
sys.modules["plotly"] = None  # plotly not installed
study = pt.create_study(objectives={"a": "minimize", "b": "minimize"})
try:
    pt.visualization.plot_pareto_front(study)
except ImportError as exc:
    print(exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'paretune[plot]'" in out.stdout


def test_the_lazy_attribute_and_the_public_names() -> None:
    assert pt.visualization is visualization
    assert "visualization" in pt.__all__
    assert len(visualization.__all__) == 8
    for name in visualization.__all__:
        function = getattr(visualization, name)
        assert function.__doc__ and "Returns:" in function.__doc__, name


@pytest.mark.parametrize("fixture", STUDIES)
def test_every_plot_returns_a_complete_deterministic_figure(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    study: pt.Study = request.getfixturevalue(fixture)
    for plot in PLOTS:
        fig = plot(study)
        assert isinstance(fig, go.Figure), plot.__name__
        assert f"study {study.name!r}" in fig.layout.title.text, plot.__name__
        assert fig.layout.height >= 300, plot.__name__
        assert fig.to_json() == plot(study).to_json(), plot.__name__
        if not fig.data:  # nothing to plot: the figure says why
            assert fig.layout.meta["empty"] is True, plot.__name__
            text = html.unescape(fig.layout.annotations[0].text)
            assert text == fig.layout.meta["message"], plot.__name__
