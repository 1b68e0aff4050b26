"""MLflowCallback against a real local MLflow tracking store (SQLite), read back with
MlflowClient: one run per trial under one parent run per study."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import paretune as pt

# MLflow's own SQLAlchemy models and dependencies emit deprecation notices on import and
# first use; they are not paretune's to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning:mlflow"),
]


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One SQLite tracking store for the module (creating its tables takes seconds)."""
    pytest.importorskip("mlflow", reason="MLflow is not installed: pip install 'paretune[mlflow]'")
    path = tmp_path_factory.mktemp("mlflow") / "mlflow.db"
    yield f"sqlite:///{path}"


def _client(uri: str) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri)


def _objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    if trial.number == 2:
        raise ValueError("diverged")
    if trial.number == 3:
        raise pt.TrialStopped("plateau")
    trial.report({"accuracy": x / 2}, step=1)
    return {"accuracy": x, "eo_diff": 0.1 if kind == "a" else 0.2, "latency_ms": 30 * x}


def _runs(uri: str, experiment: str) -> tuple[list[Any], list[Any]]:
    client = _client(uri)
    found = client.get_experiment_by_name(experiment)
    runs = client.search_runs([found.experiment_id], max_results=1000)
    parents = [r for r in runs if r.data.tags.get("paretune.role") == "study"]
    trials = [r for r in runs if r.data.tags.get("paretune.role") == "trial"]
    return parents, sorted(trials, key=lambda r: int(r.data.tags["paretune.trial_number"]))


def _study(name: str, storage: str | None = None) -> pt.Study:
    return pt.create_study(
        study_name=name,
        objectives={"accuracy": "maximize", "eo_diff": "minimize"},
        constraints={"latency_ms": ("<=", 20.0)},
        storage=storage,
        load_if_exists=True,
        seed=0,
    )


def test_each_trial_is_a_child_run_equal_to_its_record(tracking_uri: str) -> None:
    study = _study("logged")
    callback = pt.integrations.MLflowCallback(tracking_uri, experiment_name="exp-records")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(_objective, n_trials=6, callbacks=[callback])

    parents, runs = _runs(tracking_uri, "exp-records")
    assert len(parents) == 1 and parents[0].info.run_name == "logged"
    assert parents[0].data.tags["paretune.objectives"] == "accuracy=maximize, eo_diff=minimize"
    assert len(runs) == len(study.trials) == 6
    status = {"complete": "FINISHED", "stopped": "KILLED", "failed": "FAILED"}
    for run, record in zip(runs, study.trials, strict=True):
        tags = run.data.tags
        assert tags["mlflow.parentRunId"] == parents[0].info.run_id
        assert tags["paretune.study"] == "logged"
        assert run.info.run_name == f"trial-{record.number}"
        assert tags["paretune.state"] == record.state.value
        assert run.info.status == status[record.state.value]
        assert run.data.params == {k: str(v) for k, v in record.params.items()}
        expected = {
            **record.metrics,
            **{f"violation.{k}": v for k, v in record.constraints.items()},
        }
        if record.intermediate:
            expected["intermediate.accuracy"] = record.intermediate[1]["accuracy"]
        assert run.data.metrics == pytest.approx(expected)
        assert float(tags["paretune.duration_s"]) == pytest.approx(record.duration, abs=1e-3)
        assert run.info.start_time == round(record.started_at_ts * 1000)
        assert run.info.end_time == round(record.finished_at_ts * 1000)
        if record.state is pt.TrialState.COMPLETE:
            assert tags["paretune.feasible"] == str(record.feasible).lower()
    failed = runs[2].data.tags
    assert failed["paretune.fail_kind"] == "error"
    assert failed["paretune.fail_reason"] == "ValueError: diverged"
    assert runs[3].data.tags["paretune.fail_reason"] == "plateau"


def test_a_resumed_study_adds_to_the_same_parent(tracking_uri: str, tmp_path: pathlib.Path) -> None:
    storage = f"sqlite:///{tmp_path}/study.db"
    first = pt.integrations.MLflowCallback(tracking_uri, experiment_name="exp-resume")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        _study("resumed", storage).optimize(_objective, n_trials=2, callbacks=[first])
        # A new callback and a new Study object: as a second process would.
        again = pt.integrations.MLflowCallback(tracking_uri, experiment_name="exp-resume")
        loaded = pt.load_study(study_name="resumed", storage=storage)
        loaded.optimize(_objective, n_trials=3, callbacks=[again])

    parents, runs = _runs(tracking_uri, "exp-resume")
    assert len(parents) == 1
    assert [int(r.data.tags["paretune.trial_number"]) for r in runs] == [0, 1, 2, 3, 4]
    assert {r.data.tags["mlflow.parentRunId"] for r in runs} == {parents[0].info.run_id}
    assert again.parent_run_id(loaded) == first.parent_run_id(loaded)


def test_flat_runs_and_fidelity_tags(tracking_uri: str) -> None:
    study = pt.create_study(
        study_name="budgets",
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        seed=0,
    )
    callback = pt.integrations.MLflowCallback(tracking_uri, nested=False)
    study.optimize(
        lambda t: {"loss": t.suggest_float("x", 0, 1) / t.budget}, n_trials=12, callbacks=[callback]
    )

    parents, runs = _runs(tracking_uri, "budgets")  # the experiment is named after the study
    assert parents == [] and len(runs) == 12
    assert all("mlflow.parentRunId" not in r.data.tags for r in runs)
    for run, record in zip(runs, study.trials, strict=True):
        assert float(run.data.tags["paretune.budget"]) == record.budget
        assert int(run.data.tags["paretune.config"]) == record.config
        previous = record.placement.previous_trial if record.placement else None
        assert run.data.tags.get("paretune.previous_trial") == (
            None if previous is None else str(previous)
        )
    assert any("paretune.previous_trial" in r.data.tags for r in runs)  # some were promoted


def test_mlflow_is_imported_only_when_a_callback_is_made() -> None:
    code = "import sys, paretune, paretune.integrations; print('mlflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_mlflow_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)  # makes `import mlflow` fail
    with pytest.raises(ImportError, match=r"pip install 'paretune\[mlflow\]'"):
        pt.integrations.MLflowCallback()
