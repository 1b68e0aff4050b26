"""copy_study and Study.add_trials: trials move between studies with their outcomes."""

from __future__ import annotations

import warnings

import pytest

import paretune as pt
from paretune.distributions import FloatDistribution
from paretune.exceptions import DuplicatedStudyError
from paretune.exceptions import InvalidMetricsError
from paretune.exceptions import ParameterConflictError


def _objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    trial.set_user_attr("kind_note", kind)
    if trial.number == 2:
        raise ValueError("diverged")
    if trial.number == 3:
        raise pt.TrialStopped("plateau")
    trial.report({"loss": x + 0.1}, step=1)
    return {"loss": x, "latency": 10 * x, "extra": 1.0}


def _source(storage: str | pt.storages.BaseStorage | None) -> pt.Study:
    study = pt.create_study(
        study_name="source",
        objectives={"loss": "minimize"},
        constraints={"latency": ("<=", 5.0)},
        storage=storage,
        seed=7,
        user_attrs={"owner": "ml-team"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(_objective, n_trials=6)
    study.enqueue({"x": 0.25}, user_attrs={"why": "a hunch"})
    return study


def _comparable(record: pt.TrialRecord) -> dict[str, object]:
    data = record.to_dict()
    data["enqueued_params"] = dict(record.enqueued_params)
    data["report_times"] = dict(record.report_times)
    return data


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_copy_round_trip(kind: str, tmp_path) -> None:
    if kind == "memory":
        source_storage = target_storage = pt.storages.InMemoryStorage()
    else:
        source_storage, target_storage = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    source = _source(source_storage)
    copy = pt.copy_study("source", "copy", from_storage=source_storage, to_storage=target_storage)
    assert copy.name == "copy"
    assert copy.objectives == source.objectives and copy.constraints == source.constraints
    assert copy.seed == 7 and copy.user_attrs == {"owner": "ml-team"}
    assert [_comparable(t) for t in copy.trials] == [_comparable(t) for t in source.trials]
    assert [t.state.value for t in copy.trials] == [
        "complete",
        "complete",
        "failed",
        "stopped",
        "complete",
        "complete",
        "waiting",
    ]
    assert [t.number for t in copy.pareto_front()] == [t.number for t in source.pareto_front()]
    again = pt.load_study(study_name="copy", storage=target_storage)
    assert len(again.trials) == 7


def test_copy_keeps_repeats_and_turns_running_trials_into_unrelated_failures() -> None:
    storage = pt.storages.InMemoryStorage()
    source = pt.create_study(objectives={"loss": "minimize"}, study_name="s", storage=storage)
    source.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1)}, n_trials=2)
    source.reevaluate(
        lambda params, seed: {"loss": params["x"] + seed % 3 / 100}, top_k=1, repeats=2
    )
    running = source.ask()
    running.suggest_float("x", 0, 1)

    copy = pt.copy_study("s", "c", from_storage=storage, to_storage=storage)
    last = copy.trials[-1]
    assert last.state is pt.TrialState.FAILED and last.fail_kind is pt.FailKind.UNRELATED
    assert last.fail_reason == (
        "unrelated to the configuration: running in study 's' when it was copied"
    )
    assert last.params == running.params
    best = source.pareto_front()[0].number
    assert copy.repeats(best) == source.repeats(best) and len(copy.repeats(best)) == 2


def test_copy_refuses_a_taken_name() -> None:
    storage = pt.storages.InMemoryStorage()
    pt.create_study(objectives={"loss": "minimize"}, study_name="a", storage=storage)
    pt.create_study(objectives={"loss": "minimize"}, study_name="b", storage=storage)
    with pytest.raises(DuplicatedStudyError):
        pt.copy_study("a", "b", from_storage=storage, to_storage=storage)


def test_add_trials_numbers_them_here_and_recomputes_violations() -> None:
    source = _source(None)
    target = pt.create_study(
        objectives={"loss": "minimize"}, constraints={"latency": ("<=", 2.0)}, seed=1
    )
    target.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1), "latency": 1.0}, n_trials=2)
    finished = [t for t in source.trials if t.state.is_finished]
    added = target.add_trials(finished)
    assert [t.number for t in added] == [2, 3, 4, 5, 6, 7]
    for new, old in zip(added, finished, strict=True):
        assert (new.params, new.state, new.user_attrs) == (old.params, old.state, old.user_attrs)
        assert new.seed == old.seed and new.intermediate == old.intermediate
        if old.state is pt.TrialState.COMPLETE:
            assert new.metrics == old.metrics
            assert new.constraints == {"latency": pytest.approx(old.metrics["latency"] - 2.0)}
    assert target.trials[2:] == added


def test_add_trials_validates_before_adding_anything() -> None:
    source = _source(None)
    good = source.trials[0]
    target = pt.create_study(objectives={"loss": "minimize", "size": "minimize"})
    with pytest.raises(InvalidMetricsError, match=r"'size' missing"):
        target.add_trials([good])
    plain = pt.create_study(objectives={"loss": "minimize"})
    with pytest.raises(ValueError, match="is waiting; add_trials takes finished trials"):
        plain.add_trials([good, source.trials[-1]])
    outside = pt.TrialRecord(
        number=0,
        state=pt.TrialState.COMPLETE,
        params={"x": 3.0},
        distributions={"x": FloatDistribution(0.0, 1.0)},
        metrics={"loss": 1.0},
    )
    with pytest.raises(ValueError, match="outside its distribution"):
        plain.add_trials([good, outside])
    with pytest.raises(TypeError, match="TrialRecord"):
        plain.add_trials([{"x": 1.0}])  # type: ignore[list-item]
    plain.optimize(lambda t: {"loss": float(t.suggest_int("x", 0, 3))}, n_trials=1)
    with pytest.raises(ParameterConflictError, match="'x'"):
        plain.add_trials([good])
    assert len(plain.trials) == 1
