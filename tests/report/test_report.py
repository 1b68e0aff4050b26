"""The HTML report: sections that apply, numbers as stored, self-contained."""

from __future__ import annotations

import re
import warnings

import pytest
from click.testing import CliRunner

import paretune as pt
from paretune.cli import main

pytest.importorskip("plotly")


def _objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    if kind == "b" and x > 0.8:
        raise ValueError("this corner crashes")
    return {"error": x, "size": (1.0 - x) ** 2 + (0.1 if kind == "b" else 0.0), "lat": 10 * x}


@pytest.fixture
def study(tmp_path) -> pt.Study:
    study = pt.create_study(
        study_name="reported",
        objectives={"error": "minimize", "size": "minimize"},
        constraints={"lat": ("<=", 7.0)},
        storage=f"sqlite:///{tmp_path}/r.db",
        sampler=pt.samplers.RandomSampler(seed=3),
        seed=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.optimize(_objective, n_trials=40, catch=(ValueError,))
    return study


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body is not None, table_id
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.group(1).split("</tr>")[:-1]]


def test_report_holds_the_setup_plots_front_and_failures(study: pt.Study, tmp_path) -> None:
    path = study.report(tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    for anchor in ("setup", "front", "pareto", "hypervolume", "constraints", "parameters",
                   "importance", "timeline", "failures"):  # fmt: skip
        assert f'<section id="{anchor}">' in html, anchor
    assert '<section id="fidelity">' not in html and '<section id="test-split">' not in html
    front = sorted(study.pareto_front(), key=lambda t: t.metrics["error"])
    rows = _cells(html, "front")
    assert [int(r[0]) for r in rows] == [t.number for t in front]
    assert [float(r[1]) for r in rows] == pytest.approx(
        [t.metrics["error"] for t in front], rel=1e-5
    )
    failed = [t for t in study.trials if t.state is pt.TrialState.FAILED]
    assert failed and _cells(html, "failures")[0][:2] == ["ValueError", str(len(failed))]
    # self-contained: plotly.js inline, nothing fetched from the network
    assert "<script src=" not in html and "Plotly.newPlot" in html
    assert len(html) > 3_000_000  # plotly.js itself is ~3.5 MB


def test_report_of_an_empty_study_has_its_setup_and_no_plots(tmp_path) -> None:
    study = pt.create_study(study_name="empty", objectives={"loss": "minimize"})
    html = study.report(tmp_path / "empty.html").read_text(encoding="utf-8")
    assert '<section id="setup">' in html and 'class="plot"' not in html
    assert "No feasible complete trial yet" in html


def test_report_shows_a_stored_test_split_evaluation(study: pt.Study, tmp_path) -> None:
    rows = [
        {
            "trial": 0,
            "params": {},
            "validation": {"error": 0.1},
            "test": {"error": 0.12},
            "intervals": {"error": [0.1, 0.15]},
            "confidence": 0.95,
        }
    ]
    study.set_user_attr(pt.analysis.TEST_EVALUATION_KEY, rows)
    html = study.report(tmp_path / "t.html").read_text(encoding="utf-8")
    assert _cells(html, "test-split") == [["0", "0.1", "0.12", "[0.1, 0.15]"]]


def test_report_escapes_names(tmp_path) -> None:
    study = pt.create_study(study_name="<b>x</b>", objectives={"loss": "minimize"})
    html = study.report(tmp_path / "e.html").read_text(encoding="utf-8")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_cli_writes_the_report(study: pt.Study, tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/r.db"
    out = tmp_path / "cli.html"
    result = CliRunner().invoke(main, ["report", "reported", "-o", str(out), "--storage", url])
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.output and out.exists()
    missing = CliRunner().invoke(main, ["report", "nope", "--storage", url])
    assert missing.exit_code != 0 and "nope" in missing.output
