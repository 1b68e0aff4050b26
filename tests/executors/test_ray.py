"""RayExecutor: trials as Ray tasks on one local Ray, started once for the module."""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator

import pytest

# Ray binds to the address it would use to reach other machines; on a Linux machine with
# a single node this makes it bind to the loopback interface only. Read when Ray loads.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray")

import paretune as pt  # noqa: E402
from paretune.schedulers import ASHAScheduler  # noqa: E402

pytestmark = pytest.mark.timeout(120)
LEASE = {"heartbeat_interval": 0.2, "grace": 1.0}


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def _study(tmp_path: os.PathLike[str], **options: object) -> pt.Study:
    return pt.create_study(
        study_name="ray",
        objectives={"a": "minimize", "b": "minimize"},
        storage=f"sqlite:///{tmp_path}/ray.db",
        sampler=pt.samplers.TPESampler(seed=0),
        **{**LEASE, **options},  # type: ignore[arg-type]
    )


def _objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    return {"a": x, "b": 1.0 - x + trial.suggest_int("y", 0, 3)}


def test_an_in_memory_study_is_refused() -> None:
    study = pt.create_study(objectives={"a": "minimize"})
    with pytest.raises(ValueError, match="needs a storage every Ray worker can reach"):
        study.optimize(_objective, n_trials=1, executor=pt.executors.RayExecutor())
    with pytest.raises(ValueError, match="max_concurrent"):
        pt.executors.RayExecutor(max_concurrent=0)
    with pytest.raises(ValueError, match="n_workers"):
        study.optimize(_objective, n_trials=1, n_workers=2, executor=pt.executors.RayExecutor())
    with pytest.raises(ValueError, match="trial_timeout"):
        study.optimize(
            _objective, n_trials=1, trial_timeout=5.0, executor=pt.executors.RayExecutor()
        )


def test_trials_run_as_ray_tasks_with_gap_free_numbers(tmp_path) -> None:
    study = _study(tmp_path)
    seen: list[int] = []
    study.optimize(
        _objective,
        n_trials=12,
        executor=pt.executors.RayExecutor(num_cpus=1),
        callbacks=[lambda s, record: seen.append(record.number)],
    )
    trials = study.trials
    assert [t.number for t in trials] == list(range(12))
    assert sorted(seen) == list(range(12))  # callbacks ran in the driver, once per trial
    assert all(t.state is pt.TrialState.COMPLETE for t in trials)
    assert all(t.metrics.keys() == {"a", "b"} and t.params.keys() == {"x", "y"} for t in trials)
    assert all(t.metrics["a"] == t.params["x"] for t in trials)
    assert os.getpid() not in {t.environment["pid"] for t in trials}  # ran in Ray workers
    assert study.get_trials(states=(pt.TrialState.RUNNING,)) == []


def _budgeted(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    return {"a": x + 1.0 / float(trial.budget), "b": 1.0 - x}


def test_a_budgeted_study_promotes_as_with_local_workers(tmp_path) -> None:
    study = pt.create_study(
        study_name="mf",
        objectives={"a": "minimize", "b": "minimize"},
        storage=f"sqlite:///{tmp_path}/mf.db",
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=ASHAScheduler(eta=3),
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
        **LEASE,  # type: ignore[arg-type]
    )
    study.optimize(_budgeted, n_trials=30, executor=pt.executors.RayExecutor())
    trials = study.trials
    assert [t.number for t in trials] == list(range(30))
    placed = collections.Counter((t.config, t.budget) for t in trials)
    assert max(placed.values()) == 1  # each configuration promoted once per budget
    promoted = [t for t in trials if t.budget > 1]
    assert len(promoted) >= 5
    by_number = {t.number: t for t in trials}
    for t in promoted:
        assert t.placement is not None and t.placement.previous_trial is not None
        parent = by_number[t.placement.previous_trial]
        assert t.params == parent.params and t.config == parent.config
        assert parent.budget < t.budget


def test_stop_from_a_callback_starts_no_further_task(tmp_path) -> None:
    study = _study(tmp_path)

    def stop_after_three(s: pt.Study, record: pt.TrialRecord) -> None:
        if len(s.get_trials(states=(pt.TrialState.COMPLETE,))) >= 3:
            s.stop()

    executor = pt.executors.RayExecutor(max_concurrent=2)
    study.optimize(_objective, n_trials=50, executor=executor, callbacks=[stop_after_three])
    assert 3 <= len(study.trials) <= 3 + 2  # those in flight when it stopped finish
    assert all(t.state is pt.TrialState.COMPLETE for t in study.trials)


def _dies_on_trial_two(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    if trial.number == 2:
        os._exit(1)  # the Ray worker dies holding the trial: no tell, no clean-up
    return {"a": x, "b": 1.0 - x}


def test_a_killed_worker_leaves_a_trial_that_is_reaped(tmp_path) -> None:
    study = _study(tmp_path)
    with pytest.warns(pt.exceptions.FailedTrialsWarning, match="1 x worker process ended"):
        study.optimize(_dies_on_trial_two, n_trials=6, executor=pt.executors.RayExecutor())
    trials = study.trials
    assert [t.number for t in trials] == list(range(6))
    lost = trials[2]
    assert lost.state is pt.TrialState.FAILED and lost.fail_kind is pt.FailKind.WORKER_LOST
    assert lost.params.keys() == {"x"}  # what it stored before dying is kept
    assert [t.state for t in trials if t.number != 2] == [pt.TrialState.COMPLETE] * 5
    assert study.get_trials(states=(pt.TrialState.RUNNING,)) == []


def _raises(trial: pt.Trial) -> dict[str, float]:
    trial.suggest_float("x", 0.0, 1.0)
    raise ZeroDivisionError("boom")


def _typo(trial: pt.Trial) -> dict[str, float]:
    trial.suggest_float("x", 0.0, 1.0)
    return {"a": undefined_name}  # type: ignore[name-defined]  # noqa: F821


def test_errors_stop_the_study_as_with_local_workers(tmp_path) -> None:
    study = _study(tmp_path)
    executor = pt.executors.RayExecutor(max_concurrent=1)
    with pytest.raises(ZeroDivisionError, match="boom"):
        study.optimize(_raises, n_trials=5, catch=(), executor=executor)
    assert [t.state for t in study.trials] == [pt.TrialState.FAILED]
    assert "ZeroDivisionError" in (study.trials[0].traceback or "")
    with pytest.raises(NameError, match="all failed with NameError"):
        study.optimize(_typo, n_trials=10, executor=executor)
    assert len(study.trials) == 1 + 3  # fail-fast after three identical programming errors
