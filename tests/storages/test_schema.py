"""Schema versioning: old databases load, newer ones are refused with a clear error."""

from __future__ import annotations

import pathlib
import shutil
import sqlite3

import pytest

import paretune as pt
from paretune.exceptions import SchemaVersionError
from paretune.storages._sql import SCHEMA_VERSION

ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"


def test_a_version_1_database_still_loads(tmp_path) -> None:
    # schema_v1.db was written by paretune 0.1.0 (see tests/assets/README.md).
    db = tmp_path / "v1.db"
    shutil.copy(ASSETS / "schema_v1.db", db)
    study = pt.load_study(study_name="credit", storage=f"sqlite:///{db}")
    assert [o.name for o in study.objectives] == ["accuracy", "eo_diff"]
    assert len(study.trials) == 5
    assert study.trials[0].params.keys() >= {"lr", "depth", "model"}
    assert study.pareto_front()
    study.optimize(lambda t: {"accuracy": 0.5, "eo_diff": 0.5, "latency_p99_ms": 1.0}, n_trials=1)
    assert len(study.trials) == 6
    with sqlite3.connect(db) as conn:  # migrated to the current schema in place
        columns = {row[1] for row in conn.execute("PRAGMA table_info(paretune_trials)")}
        version = conn.execute("SELECT value FROM paretune_meta").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "placement" in columns and int(version) == SCHEMA_VERSION == 6
    assert "cost" in columns
    assert "paretune_trial_repeats" in tables
    assert study.trials[0].placement is None and study.fidelity is None


def test_a_version_2_database_gets_failure_kinds_from_its_reasons(tmp_path) -> None:
    # schema_v2.db: ten trials of study "failures", written by paretune 0.1.0 at e34dfa1.
    db = tmp_path / "v2.db"
    shutil.copy(ASSETS / "schema_v2.db", db)
    study = pt.load_study(study_name="failures", storage=f"sqlite:///{db}")
    kinds = [None if t.fail_kind is None else t.fail_kind.value for t in study.trials]
    assert kinds == [
        None,
        "error",
        "unrelated",
        "invalid_metrics",
        None,
        "error",
        "unrelated",
        "invalid_metrics",
        "told",
        "worker_lost",
    ]
    assert [t.number for t in study.failures_for_sampler()] == [1, 3, 5, 7, 8]


def test_a_version_5_database_gains_cost_columns_and_keeps_its_trials(tmp_path) -> None:
    # schema_v5.db: studies "budgeted" (12 trials at several budgets) and "loop" (3 trials
    # with reports), written by the code just before version 6 (see tests/assets/README.md).
    db = tmp_path / "v5.db"
    shutil.copy(ASSETS / "schema_v5.db", db)
    url = f"sqlite:///{db}"
    budgeted = pt.load_study(study_name="budgeted", storage=url)
    loop = pt.load_study(study_name="loop", storage=url)
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT value FROM paretune_meta").fetchone()[0]
        trials = {row[1] for row in conn.execute("PRAGMA table_info(paretune_trials)")}
        reports = {row[1] for row in conn.execute("PRAGMA table_info(paretune_trial_reports)")}
    assert int(version) == SCHEMA_VERSION == 6
    assert "cost" in trials and "cost" in reports
    assert len(budgeted.trials) == 12 and budgeted.fidelity == pt.Fidelity("epochs", 1, 9)
    assert {t.budget for t in budgeted.trials} > {9}
    assert all(t.cost is None and not t.report_costs for t in budgeted.trials + loop.trials)
    assert budgeted.cost_unit == "s" and budgeted.lease is not None  # no unit stored: seconds
    assert [t.state.value for t in loop.trials] == ["complete", "stopped", "failed"]
    assert all(set(t.intermediate) == {1, 3} for t in loop.trials)
    # New trials tell costs beside the old ones, which keep their durations.
    trial = loop.ask()
    trial.report({"loss": 1.0}, step=1, cost=0.5)
    told = loop.tell(trial, {"loss": trial.suggest_float("x", 0.0, 1.0)}, cost=2.0)
    again = pt.load_study(study_name="loop", storage=url).trials[-1]
    assert told.cost == again.cost == 2.0 and dict(again.report_costs) == {1: 0.5}


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path) -> None:
    db = tmp_path / "future.db"
    url = f"sqlite:///{db}"
    pt.create_study(study_name="s", objectives={"a": "minimize"}, storage=url)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE paretune_meta SET value = ? WHERE key = 'schema_version'",
            (str(SCHEMA_VERSION + 1),),
        )
    with pytest.raises(SchemaVersionError, match="upgrade paretune"):
        pt.load_study(study_name="s", storage=url)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM paretune_studies").fetchone()[0] == 1


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    db = tmp_path / "wal.db"
    pt.create_study(objectives={"a": "minimize"}, storage=f"sqlite:///{db}")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
