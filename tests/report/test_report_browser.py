"""The HTML report in a real browser: it opens offline, plots draw, numbers are the stored ones.

Set ``PARETUNE_SCREENSHOTS`` to a directory to keep the screenshot there as ``report.png``
(the documentation's image comes from
``PARETUNE_SCREENSHOTS=docs/images python3 -m pytest tests/report/test_report_browser.py``).
"""

from __future__ import annotations

import os
import pathlib
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import paretune as pt
from tests.browser import chromium
from tests.browser import severe_errors
from tests.browser import wait_for

pytest.importorskip("plotly")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def driver(tmp_path: pathlib.Path) -> Iterator[Any]:
    yield from chromium(tmp_path)


def _objective(trial: pt.Trial) -> dict[str, float]:
    model = trial.suggest_categorical("model", ["logreg", "hgb"])
    c = trial.suggest_float("C", 1e-3, 10.0, log=True)
    depth = trial.suggest_int("depth", 2, 8) if model == "hgb" else 1
    if model == "hgb" and depth >= 7 and c > 2:
        raise MemoryError("out of memory at depth 8")
    accuracy = 0.78 + 0.02 * depth**0.5 - 0.01 * abs(c - 1.0) / 10
    eo = 0.02 * depth + 0.05 / (1.0 + c)
    return {"accuracy": accuracy, "eo_diff": eo, "latency_ms": 0.8 * depth}


def test_report_opens_offline_with_every_plot_drawn(driver: Any, tmp_path) -> None:
    study = pt.create_study(
        study_name="credit-report",
        objectives={"accuracy": "maximize", "eo_diff": "minimize"},
        constraints={"latency_ms": ("<=", 5.0)},
        sampler=pt.samplers.TPESampler(seed=0),
        seed=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.optimize(_objective, n_trials=60, catch=(MemoryError,))
    path = study.report(tmp_path / "report.html")
    driver.get(path.as_uri())
    plots = driver.execute_script("return document.querySelectorAll('div.plot').length")
    assert plots >= 6
    wait_for(
        "plotly to draw every plot",
        lambda: (
            driver.execute_script("return document.querySelectorAll('.js-plotly-plot').length")
            == plots
        ),
    )
    assert severe_errors(driver) == []
    rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('#front tbody tr'))"
        ".map(tr => Array.from(tr.cells).map(td => td.textContent));"
    )
    front = sorted(study.pareto_front(), key=lambda t: -t.metrics["accuracy"])
    assert [int(r[0]) for r in rows] == [t.number for t in front]
    for row, trial in zip(rows, front, strict=True):
        assert float(row[1]) == pytest.approx(trial.metrics["accuracy"], rel=1e-5)
        assert float(row[2]) == pytest.approx(trial.metrics["eo_diff"], rel=1e-5)
    # the front plot holds the front's trials: plotly's data, read back from the page
    front_trace = driver.execute_script(
        "var d = document.getElementById('plot-plot_pareto_front').data;"
        "return d.filter(t => t.name.startsWith('Pareto front'))[0].customdata;"
    )
    numbers = sorted(int(c[0]) if isinstance(c, list) else int(c) for c in front_trace)
    assert numbers == sorted(t.number for t in front)

    folder = os.environ.get("PARETUNE_SCREENSHOTS")
    target = pathlib.Path(folder) if folder else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(1200, 1500)
    driver.execute_script("document.getElementById('pareto').scrollIntoView()")
    assert driver.save_screenshot(str(target / "report.png"))
