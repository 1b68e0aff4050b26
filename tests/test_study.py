"""The study API end to end, on every storage backend."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import warnings

import pytest

import paretune as pt
from paretune.exceptions import DuplicatedStudyError
from paretune.exceptions import FailedTrialsWarning
from paretune.exceptions import InvalidDistributionError
from paretune.exceptions import InvalidObjectiveError
from paretune.exceptions import NoFeasibleTrialWarning
from paretune.exceptions import ParameterConflictError
from paretune.exceptions import StorageError
from paretune.exceptions import StudyIncompatibleError
from paretune.exceptions import StudyNotFoundError
from paretune.exceptions import UpdateFinishedTrialError

OBJECTIVES = {"accuracy": "maximize", "eo_diff": "minimize"}
CONSTRAINTS = {"latency_p99_ms": ("<=", 20.0)}


def credit_objective(trial: pt.Trial) -> dict[str, float]:
    """The issue's example objective, with a closed-form stand-in for training."""
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    depth = trial.suggest_int("depth", 2, 12)
    kind = trial.suggest_categorical("model", ["hgb", "logreg"])
    leaves = trial.suggest_int("leaves", 8, 256, log=True) if kind == "hgb" else 0
    acc = 0.7 + 0.02 * math.sqrt(depth) - lr + 0.0001 * leaves
    eo = 0.1 / depth + lr
    return {"accuracy": acc, "eo_diff": eo, "latency_p99_ms": 2.0 * depth + leaves / 32}


def make_study(storage_url: str | None, **kwargs: object) -> pt.Study:
    options: dict[str, object] = dict(
        study_name="credit",
        objectives=OBJECTIVES,
        constraints=CONSTRAINTS,
        storage=storage_url,
        sampler=None,
        scheduler=None,
        seed=0,
        load_if_exists=True,
    )
    options.update(kwargs)
    return pt.create_study(**options)  # type: ignore[arg-type]


def test_issue_snippet_runs_on_every_backend(storage_url: str | None) -> None:
    study = make_study(storage_url)
    study.optimize(credit_objective, n_trials=30, timeout=None)
    front = study.pareto_front()
    df = study.trials_dataframe()
    t = study.ask()
    x = t.suggest_float("x", 0.0, 1.0)
    assert 0.0 <= x <= 1.0
    record = study.tell(t, {"accuracy": 0.9, "eo_diff": 0.02, "latency_p99_ms": 3.0})
    failed = study.tell(study.ask(), state="failed")

    assert record.state is pt.TrialState.COMPLETE and record.feasible
    assert failed.state is pt.TrialState.FAILED
    assert len(df) == 30 and {"params.lr", "metrics.accuracy", "constraints.latency_p99_ms"} <= set(
        df.columns
    )
    assert front and all(r.feasible and r.state is pt.TrialState.COMPLETE for r in front)
    # No front member is dominated by any feasible complete trial.
    complete = [r for r in study.trials if r.state is pt.TrialState.COMPLETE and r.feasible]
    for f in front:
        assert not any(
            r.metrics["accuracy"] >= f.metrics["accuracy"]
            and r.metrics["eo_diff"] <= f.metrics["eo_diff"]
            and (
                r.metrics["accuracy"] > f.metrics["accuracy"]
                or r.metrics["eo_diff"] < f.metrics["eo_diff"]
            )
            for r in complete
        )
    assert [r.number for r in study.trials] == list(range(32))
    hgb = [r for r in study.trials[:30] if r.params["model"] == "hgb"]
    logreg = [r for r in study.trials[:30] if r.params["model"] == "logreg"]
    assert hgb and logreg
    assert all("leaves" in r.params for r in hgb) and not any("leaves" in r.params for r in logreg)


def test_study_written_by_one_process_is_read_by_another(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/runs.db"
    study = make_study(url)
    study.optimize(credit_objective, n_trials=12)
    front = sorted(r.number for r in study.pareto_front())
    code = textwrap.dedent(
        f"""
        import paretune as pt
        study = pt.load_study(study_name="credit", storage={url!r})
        print(len(study.trials), sorted(r.number for r in study.pareto_front()))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"12 {front}"


def test_same_seed_same_sequence_in_a_fresh_process(tmp_path) -> None:
    code = textwrap.dedent(
        """
        import sys, json, paretune as pt
        from tests.test_study import credit_objective
        study = pt.create_study(objectives={"accuracy": "maximize", "eo_diff": "minimize"},
                                constraints={"latency_p99_ms": ("<=", 20.0)}, seed=int(sys.argv[1]))
        study.optimize(credit_objective, n_trials=15)
        print(json.dumps([dict(t.params) for t in study.trials], sort_keys=True))
        """
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, seed],
            capture_output=True,
            text=True,
            check=True,
            cwd=str(__import__("pathlib").Path(__file__).parents[1]),
        ).stdout
        for seed in ("5", "5", "6")
    ]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_bad_declarations_are_refused_with_the_fix() -> None:
    with pytest.raises(InvalidObjectiveError, match="'maximize' or 'minimize'"):
        pt.create_study(objectives={"accuracy": "maximise"})
    with pytest.raises(InvalidObjectiveError, match="at least one objective"):
        pt.create_study(objectives={})
    with pytest.raises(InvalidObjectiveError, match="'<=' or '>='"):
        pt.create_study(objectives=OBJECTIVES, constraints={"latency": ("<", 20.0)})
    with pytest.raises(InvalidObjectiveError, match="pair"):
        pt.create_study(objectives=OBJECTIVES, constraints={"latency": 20.0})  # type: ignore[dict-item]


def test_storage_that_cannot_be_opened(tmp_path) -> None:
    with pytest.raises(StorageError, match="directory exists"):
        pt.create_study(objectives=OBJECTIVES, storage=f"sqlite:///{tmp_path}/missing/dir/x.db")
    with pytest.raises(StorageError, match=r"sqlite:///runs\.db"):
        pt.create_study(objectives=OBJECTIVES, storage="runs.db")
    with pytest.raises(StorageError, match="server is running"):
        pt.create_study(objectives=OBJECTIVES, storage="postgresql://nobody@127.0.0.1:1/none")


def test_load_if_exists_and_duplicates(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/runs.db"
    make_study(url).optimize(credit_objective, n_trials=3)
    with pytest.raises(DuplicatedStudyError, match="load_if_exists"):
        make_study(url, load_if_exists=False)
    again = make_study(url)
    assert len(again.trials) == 3 and again.seed == 0
    with pytest.raises(StudyIncompatibleError, match="objectives"):
        make_study(url, objectives={"accuracy": "minimize", "eo_diff": "minimize"})
    with pytest.raises(StudyIncompatibleError, match="constraints"):
        make_study(url, constraints={"latency_p99_ms": ("<=", 10.0)})
    with pytest.raises(StudyNotFoundError, match="existing studies: credit"):
        pt.load_study(study_name="other", storage=url)
    assert [s.info.name for s in pt.list_studies(storage=url)] == ["credit"]
    pt.delete_study(study_name="credit", storage=url)
    assert pt.list_studies(storage=url) == []


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        ({"accuracy": float("nan"), "eo_diff": 0.1, "latency_p99_ms": 1.0}, "'accuracy' is nan"),
        ({"accuracy": 0.9, "eo_diff": float("inf"), "latency_p99_ms": 1.0}, "'eo_diff' is inf"),
        ({"accuracy": 0.9, "latency_p99_ms": 1.0}, "'eo_diff' missing"),
        ({"accuracy": 0.9, "eo_diff": 0.1}, "'latency_p99_ms' missing"),
        ({"accuracy": "high", "eo_diff": 0.1, "latency_p99_ms": 1.0}, "not a number"),
        (None, "returned None"),
        (0.9, "return a dict of metrics"),
    ],
)
def test_invalid_metrics_fail_the_trial_and_the_study_goes_on(
    returned: object, reason: str
) -> None:
    study = make_study(None)
    calls = []

    def objective(trial: pt.Trial) -> object:
        trial.suggest_float("x", 0.0, 1.0)
        calls.append(trial.number)
        if trial.number == 1:
            return returned
        return {"accuracy": 0.8, "eo_diff": 0.1, "latency_p99_ms": 1.0}

    with pytest.warns(FailedTrialsWarning, match="1 of 4 trials"):
        study.optimize(objective, n_trials=4)
    states = [t.state for t in study.trials]
    assert states.count(pt.TrialState.COMPLETE) == 3
    failed = study.trials[1]
    assert failed.state is pt.TrialState.FAILED and reason in (failed.fail_reason or "")
    assert failed.params.keys() == {"x"}


def test_exceptions_fail_the_trial_and_catch_decides_whether_the_study_stops() -> None:
    study = make_study(None)

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number % 2:
            raise ValueError(f"bad x={x:.2f}")
        return {"accuracy": x, "eo_diff": 0.1, "latency_p99_ms": 1.0}

    with pytest.warns(FailedTrialsWarning, match=r"2 of 4 trials .* 2 x ValueError"):
        study.optimize(objective, n_trials=4)
    failed = study.trials[1]
    assert failed.fail_reason is not None and failed.fail_reason.startswith("ValueError: bad x=")
    assert failed.traceback is not None and "raise ValueError" in failed.traceback

    with pytest.raises(ValueError, match="bad x"):
        study.optimize(objective, n_trials=4, catch=(KeyError,))
    assert [t.state for t in study.trials[4:]] == [pt.TrialState.COMPLETE, pt.TrialState.FAILED]


def test_trial_stopped_and_timeout_and_stop() -> None:
    study = make_study(None)

    def objective(trial: pt.Trial) -> dict[str, float]:
        trial.report({"accuracy": 0.5}, step=0)
        assert not trial.should_stop()
        raise pt.TrialStopped("accuracy plateaued")

    study.optimize(objective, n_trials=2)
    assert all(t.state is pt.TrialState.STOPPED for t in study.trials)
    assert study.trials[0].intermediate == {0: {"accuracy": 0.5}}
    assert study.trials[0].fail_reason == "accuracy plateaued"

    study.optimize(credit_objective, timeout=0.3)
    assert len(study.trials) > 2
    n = len(study.trials)
    study.optimize(credit_objective, n_trials=50, callbacks=[lambda s, r: s.stop()])
    assert len(study.trials) == n + 1
    with pytest.raises(ValueError, match="n_trials"):
        study.optimize(credit_objective, n_trials=0)
    with pytest.raises(ValueError, match="timeout"):
        study.optimize(credit_objective, timeout=-1)


def test_parameter_conflicts_and_bad_ranges() -> None:
    study = make_study(None)
    trial = study.ask()
    assert trial.suggest_int("depth", 2, 12) == trial.suggest_int("depth", 2, 12)
    with pytest.raises(ParameterConflictError, match="already suggested"):
        trial.suggest_int("depth", 2, 20)
    with pytest.raises(InvalidDistributionError, match="low <= high"):
        trial.suggest_float("lr", 1.0, 0.1)
    with pytest.raises(InvalidDistributionError, match="low > 0"):
        trial.suggest_float("lr", 0.0, 0.1, log=True)
    study.tell(trial, {"accuracy": 0.9, "eo_diff": 0.1, "latency_p99_ms": 1.0})
    later = study.ask()
    assert 2 <= later.suggest_int("depth", 2, 30) <= 30  # a new range is fine ...
    with pytest.raises(ParameterConflictError, match="earlier trials"):
        study.ask().suggest_float("depth", 2.0, 12.0)  # ... another type is not
    with pytest.raises(UpdateFinishedTrialError):
        study.tell(trial, {"accuracy": 0.9, "eo_diff": 0.1, "latency_p99_ms": 1.0})
    with pytest.raises(UpdateFinishedTrialError):
        trial.suggest_float("late", 0.0, 1.0)


def test_enqueue_evaluates_given_configurations_first(storage_url: str | None) -> None:
    study = make_study(storage_url)
    study.enqueue({"lr": 0.05, "depth": 3, "model": "logreg"})
    study.enqueue({"lr": 0.001, "depth": 12, "model": "hgb", "leaves": 64})
    study.optimize(credit_objective, n_trials=3)
    first, second, third = study.trials
    assert first.params == {"lr": 0.05, "depth": 3, "model": "logreg"}
    assert second.params == {"lr": 0.001, "depth": 12, "model": "hgb", "leaves": 64}
    assert third.state is pt.TrialState.COMPLETE and not third.enqueued_params


def test_enqueued_value_outside_the_range_fails_that_trial_only() -> None:
    study = make_study(None)
    study.enqueue({"depth": 99})
    with pytest.warns(FailedTrialsWarning):
        study.optimize(credit_objective, n_trials=2)
    assert "outside" in (study.trials[0].fail_reason or "")
    assert study.trials[1].state is pt.TrialState.COMPLETE


def test_pareto_front_warns_when_nothing_is_feasible() -> None:
    study = make_study(None)
    study.tell(study.ask(), {"accuracy": 0.9, "eo_diff": 0.1, "latency_p99_ms": 35.0})
    study.tell(study.ask(), {"accuracy": 0.8, "eo_diff": 0.1, "latency_p99_ms": 25.0})
    with pytest.warns(
        NoFeasibleTrialWarning, match=r"trial 1, violates latency_p99_ms <= 20 \(measured 25\)"
    ):
        assert study.pareto_front() == []
    study.tell(study.ask(), {"accuracy": 0.1, "eo_diff": 0.5, "latency_p99_ms": 5.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [r.number for r in study.pareto_front()] == [2]


def test_hypervolume_of_the_front_in_metric_units() -> None:
    study = pt.create_study(objectives=OBJECTIVES)
    study.tell(study.ask(), {"accuracy": 0.9, "eo_diff": 0.2})
    study.tell(study.ask(), {"accuracy": 0.8, "eo_diff": 0.1})
    study.tell(study.ask(), {"accuracy": 0.7, "eo_diff": 0.3})  # dominated
    # Boxes from (acc >= 0.5, eo <= 0.5): 0.4*0.3 + 0.3*0.4 - 0.3*0.3 overlap
    assert study.hypervolume({"accuracy": 0.5, "eo_diff": 0.5}) == pytest.approx(0.15)


def test_single_objective_accepts_a_bare_number() -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, seed=1)
    study.optimize(lambda t: (t.suggest_float("x", -2, 2) - 1) ** 2, n_trials=13)
    best = study.pareto_front()[0]
    assert best.metrics["loss"] == min(t.metrics["loss"] for t in study.trials)


def test_trial_records_carry_seed_environment_and_times() -> None:
    study = make_study(None)
    study.optimize(credit_objective, n_trials=3)
    seeds = [t.seed for t in study.trials]
    assert len(set(seeds)) == 3
    env = study.trials[0].environment
    assert {"host", "pid", "python", "packages"} <= set(env)
    assert env["packages"]["paretune"] == pt.__version__
    assert all(t.duration is not None and t.duration >= 0 for t in study.trials)
    data = study.trials[0].to_dict()
    assert data["state"] == "complete" and data["feasible"] is True


def test_warnings_point_at_the_callers_code() -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, constraints={"c": ("<=", 0.0)})
    study.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1), "c": 1.0}, n_trials=2)
    with pytest.warns(pt.exceptions.NoFeasibleTrialWarning) as caught:
        study.pareto_front()
    assert caught[0].filename == __file__


def test_progress_bar_counts_trials_feasible_ones_and_hypervolume(capsys) -> None:
    study = pt.create_study(
        objectives={"a": "minimize", "b": "minimize"},
        constraints={"c": ("<=", 0.5)},
        sampler=pt.samplers.RandomSampler(seed=0),
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        return {"a": x, "b": 1.0 - x, "c": x}

    study.optimize(objective, n_trials=20, show_progress_bar=True)
    lines = capsys.readouterr().err.strip().splitlines()
    feasible = sum(t.feasible for t in study.trials)
    assert lines[-1].startswith("[" + "#" * 24 + "] 100% 20/20 trials, ")
    assert f", {feasible} feasible, hypervolume " in lines[-1]
    from paretune.study._progress import normalised_hypervolume

    volume = normalised_hypervolume(study, study.trials)
    assert volume is not None and 0.0 < volume <= 1.1**2
    assert f"hypervolume {volume:.4f}" in lines[-1]
    assert 2 <= len(lines) <= 12  # not a terminal: a line every tenth of the way


def test_progress_bar_follows_the_timeout_without_n_trials(capsys) -> None:
    study = pt.create_study(objectives={"a": "minimize"})
    study.optimize(lambda t: t.suggest_float("x", 0, 1), timeout=0.3, show_progress_bar=True)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "100%" in last and f"{len(study.trials)} trials" in last


def test_logging_verbosity_shows_one_line_per_finished_trial(capsys) -> None:
    pt.logging.set_verbosity(pt.logging.INFO)
    try:
        study = pt.create_study(objectives={"a": "minimize"})
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        err = capsys.readouterr().err
        assert sum("Trial" in line and "complete" in line for line in err.splitlines()) == 3
    finally:
        pt.logging.set_verbosity(pt.logging.WARNING)
        pt.logging.disable_default_handler()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert "Trial" not in capsys.readouterr().err
    with pytest.raises(ValueError, match="logging level"):
        pt.logging.set_verbosity("loud")  # type: ignore[arg-type]
