"""The paretune command line, run in-process with click's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

import paretune as pt
from paretune.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    study = pt.create_study(
        study_name="credit",
        objectives={"accuracy": "maximize", "eo_diff": "minimize"},
        constraints={"latency_p99_ms": ("<=", 20.0)},
        storage=url,
    )
    study.tell(study.ask(), {"accuracy": 0.9, "eo_diff": 0.20, "latency_p99_ms": 5.0})
    study.tell(study.ask(), {"accuracy": 0.8, "eo_diff": 0.05, "latency_p99_ms": 5.0})
    study.tell(study.ask(), {"accuracy": 0.95, "eo_diff": 0.01, "latency_p99_ms": 50.0})
    study.tell(study.ask(), state="failed")
    return url


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and pt.__version__ in result.output


def test_studies_lists_counts(runner: CliRunner, url: str) -> None:
    result = runner.invoke(main, ["studies", "--storage", url])
    assert result.exit_code == 0, result.output
    assert (
        "credit" in result.output and "3 complete" in result.output and "1 failed" in result.output
    )
    assert "latency_p99_ms <= 20" in result.output


def test_show_prints_the_feasible_front(runner: CliRunner, url: str) -> None:
    result = runner.invoke(main, ["show", "credit", "--storage", url])
    assert result.exit_code == 0, result.output
    assert "Trials: 4 (3 complete, 1 failed)" in result.output
    assert "Failures: 1 x told as failed" in result.output
    assert "Pareto front (2 trials)" in result.output
    lines = result.output.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("trial"))) + 2 :]
    assert [row.split()[0] for row in table] == ["0", "1"]  # trial 2 is infeasible


def test_export_csv_and_json(runner: CliRunner, url: str, tmp_path) -> None:
    result = runner.invoke(main, ["export", "credit", "--format", "csv", "--storage", url])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["state"] for r in rows] == ["complete"] * 3 + ["failed"]
    assert rows[2]["constraints.latency_p99_ms"] == "30.0" and rows[2]["feasible"] == "False"
    out = tmp_path / "trials.json"
    result = runner.invoke(
        main, ["export", "credit", "--format", "json", "-o", str(out), "--storage", url]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["objectives"] == {"accuracy": "maximize", "eo_diff": "minimize"}
    assert len(payload["trials"]) == 4 and payload["trials"][0]["metrics"]["accuracy"] == 0.9


def test_storage_from_environment_and_errors(runner: CliRunner, url: str) -> None:
    result = runner.invoke(main, ["studies"], env={"PARETUNE_STORAGE": url})
    assert result.exit_code == 0 and "credit" in result.output
    result = runner.invoke(main, ["show", "nope", "--storage", url])
    assert result.exit_code == 1 and "No study named 'nope'" in result.output
    result = runner.invoke(main, ["studies", "--storage", "runs.db"])
    assert result.exit_code == 1 and "sqlite:///runs.db" in result.output


def test_delete(runner: CliRunner, url: str) -> None:
    result = runner.invoke(main, ["delete", "credit", "--storage", url], input="n\n")
    assert result.exit_code == 1
    assert runner.invoke(main, ["delete", "credit", "--yes", "--storage", url]).exit_code == 0
    assert "No studies" in runner.invoke(main, ["studies", "--storage", url]).output


def test_demo_tunes_adult_and_evaluates_the_front_on_test(runner: CliRunner, tmp_path) -> None:
    pytest.importorskip("fairlearn")
    url = f"sqlite:///{tmp_path}/demo.db"
    # Generous latency and time limits: the test is about the pipeline, not machine load.
    report = tmp_path / "demo.html"
    args = ["demo", "--trials", "20", "--max-rows", "3000", "--seconds", "600",
            "--max-latency-ms", "1000", "--storage", url, "--report", str(report)]  # fmt: skip
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Pareto front on validation" in out and "held-out test split" in out
    assert f"Report (open it in a browser, no network needed): {report}" in out
    assert report.read_text(encoding="utf-8").count('class="plot"') >= 4
    assert "paretune show demo-adult" in out and out.count("] trial") == 20
    study = pt.load_study(study_name="demo-adult", storage=url)
    assert len(study.trials) == 20
    budgets = {t.budget for t in study.trials}
    # The full-budget bracket comes first, then one starting at a third of the rows; the
    # ninth is reached only if the cost rule keeps it and the trials last that long.
    assert {1 / 3, 1.0} <= budgets <= {1 / 9, 1 / 3, 1.0}
    front = study.pareto_front()
    assert front and all(t.budget == 1.0 and t.feasible for t in front)
    assert all("evaluation" in t.user_attrs for t in front)  # per-group breakdown stored
    tested = study.user_attrs["test_evaluation"]
    # one trial per distinct point of the front (trials with the same figures are one point)
    points = {t.number: (t.metrics["accuracy"], t.metrics["equalized_odds_difference"])
              for t in front}  # fmt: skip
    assert {row["trial"] for row in tested} <= set(points)
    assert {points[row["trial"]] for row in tested} == set(points.values())
    assert len(tested) == len(set(points.values()))
    assert all(0.6 < row["test"]["accuracy"] < 0.95 for row in tested)
    again = runner.invoke(main, [*args[:2], "5", *args[3:]])
    assert again.exit_code == 0, again.output
    assert len(pt.load_study(study_name="demo-adult", storage=url).trials) == 25


def test_demo_says_when_no_trial_meets_the_latency_limit(runner: CliRunner, tmp_path) -> None:
    pytest.importorskip("fairlearn")
    url = f"sqlite:///{tmp_path}/demo.db"
    args = ["demo", "--trials", "3", "--max-rows", "1000", "--max-latency-ms", "1e-6",
            "--storage", url]  # fmt: skip
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "no complete trial met p99 <= 1e-06 ms" in result.output
    assert "--max-latency-ms" in result.output and "held-out test split" not in result.output


def test_fidelity_prints_the_calibration_of_each_rung(runner: CliRunner, tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/mf.db"
    study = pt.create_study(
        study_name="mf",
        objectives={"loss": "minimize"},
        storage=url,
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=pt.schedulers.ASHAScheduler(bias_guard=0.5),
        seed=0,
    )
    study.optimize(lambda t: {"loss": t.suggest_float("q", 0, 1) + 1 / t.budget}, n_trials=40)
    result = runner.invoke(main, ["fidelity", "mf", "--storage", url])
    assert result.exit_code == 0, result.output
    assert "rung" in result.output and "+1.00/+1.00" in result.output
    as_json = json.loads(runner.invoke(main, ["fidelity", "mf", "--json", "--storage", url]).output)
    assert [r["budget"] for r in as_json["rungs"]] == [1, 3]
    assert as_json["rungs"][0]["predictive"] is True
    missing = runner.invoke(main, ["fidelity", "credit", "--storage", url])
    assert missing.exit_code != 0 and "No study named 'credit'" in missing.output


def test_show_counts_failures_by_kind(runner: CliRunner, tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/crashy.db"
    study = pt.create_study(study_name="crashy", objectives={"loss": "minimize"}, storage=url)

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number < 2:
            raise MemoryError("out of memory")
        return {"loss": float("nan") if trial.number == 2 else x}

    with pytest.warns(pt.exceptions.FailedTrialsWarning):
        study.optimize(objective, n_trials=4)
    result = runner.invoke(main, ["show", "crashy", "--storage", url])
    assert result.exit_code == 0, result.output
    assert (
        "Failures: 2 x MemoryError, 1 x invalid metrics "
        "(reasons and tracebacks: paretune export crashy --format json)"
    ) in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["studies"],
        ["show", "credit"],
        ["export", "credit"],
        ["report", "credit"],
        ["fidelity", "credit"],
        ["delete", "credit", "--yes"],
        ["reap", "credit"],
    ],
)
def test_commands_on_a_missing_database_create_no_file(
    runner: CliRunner, tmp_path, monkeypatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PARETUNE_STORAGE", raising=False)
    result = runner.invoke(main, args)  # the default, sqlite:///paretune.db
    assert result.exit_code == 1, result.output
    assert f"There is no database at {tmp_path / 'paretune.db'}" in result.output
    assert "sqlite:///paretune.db is the default" in result.output
    missing = tmp_path / "runs" / "tuning.db"
    result = runner.invoke(main, [*args, "--storage", f"sqlite:///{missing}"])
    assert result.exit_code == 1 and f"no database at {missing}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_read_commands_upgrade_an_older_schema_but_refuse_a_newer_one(
    runner: CliRunner, tmp_path
) -> None:
    import hashlib
    import pathlib
    import shutil
    import sqlite3
    from contextlib import closing

    from paretune.storages._sql import SCHEMA_VERSION

    db = tmp_path / "v1.db"
    shutil.copy(pathlib.Path(__file__).parent / "assets" / "schema_v1.db", db)
    result = runner.invoke(main, ["show", "credit", "--storage", f"sqlite:///{db}"])
    assert result.exit_code == 0 and "Trials: 5 (5 complete)" in result.output
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        assert conn.execute("SELECT value FROM paretune_meta").fetchone()[0] == str(SCHEMA_VERSION)
        conn.execute("UPDATE paretune_meta SET value = ?", (str(SCHEMA_VERSION + 1),))
        conn.execute("PRAGMA journal_mode = DELETE")
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    for args in (["studies"], ["show", "credit"], ["delete", "credit", "--yes"]):
        result = runner.invoke(main, [*args, "--storage", f"sqlite:///{db}"])
        assert result.exit_code == 1 and "upgrade paretune" in result.output
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
