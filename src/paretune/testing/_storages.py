"""The storage contract: what every :class:`~paretune.storages.BaseStorage` must do."""

from __future__ import annotations

import time
from typing import Any

import pytest

from paretune.constraints import Constraint
from paretune.distributions import CategoricalDistribution
from paretune.distributions import FloatDistribution
from paretune.exceptions import DuplicatedStudyError
from paretune.exceptions import StudyNotFoundError
from paretune.exceptions import UpdateFinishedTrialError
from paretune.objectives import Direction
from paretune.objectives import Objective
from paretune.storages import BaseStorage
from paretune.trial import FailKind
from paretune.trial import TrialRecord
from paretune.trial import TrialState

__all__ = ["StorageContract"]

OBJECTIVES = (Objective("accuracy", Direction.MAXIMIZE), Objective("eo_diff", Direction.MINIMIZE))
CONSTRAINTS = (Constraint("latency_p99_ms", "<=", 20.0),)


def _new_trial(
    storage: BaseStorage, study_id: int, state: TrialState = TrialState.RUNNING
) -> TrialRecord:
    return storage.create_trial(
        study_id, state=state, seed_for=lambda n: 1000 + n, environment={"pid": 1}, now=time.time()
    )


class StorageContract:
    """Tests every storage passes. Subclass it in a test module and give it a ``storage``
    fixture that yields a fresh, empty storage (and closes it afterwards)::

        class TestMyStorage(StorageContract):
            @pytest.fixture
            def storage(self, tmp_path):
                backend = MyStorage(tmp_path / "db")
                yield backend
                backend.close()
    """

    def test_study_lifecycle(self, storage: BaseStorage) -> None:
        info = storage.create_study(
            "a", OBJECTIVES, CONSTRAINTS, seed=3, user_attrs={"team": "risk"}
        )
        storage.create_study("b", OBJECTIVES[:1], (), seed=None)
        loaded = storage.get_study("a")
        assert loaded.objectives == OBJECTIVES
        assert loaded.constraints == CONSTRAINTS
        assert loaded.seed == 3
        assert loaded.user_attrs == {"team": "risk"}
        assert loaded.study_id == info.study_id
        with pytest.raises(DuplicatedStudyError, match="load_if_exists"):
            storage.create_study("a", OBJECTIVES, CONSTRAINTS, seed=None)
        _new_trial(storage, info.study_id)
        summaries = {s.info.name: s for s in storage.list_studies()}
        assert set(summaries) == {"a", "b"}
        assert summaries["a"].counts == {TrialState.RUNNING: 1}
        assert summaries["b"].n_trials == 0
        storage.delete_study("a")
        with pytest.raises(StudyNotFoundError, match="existing studies: b"):
            storage.get_study("a")
        with pytest.raises(StudyNotFoundError):
            storage.delete_study("a")
        assert [s.info.name for s in storage.list_studies()] == ["b"]

    def test_trial_numbers_are_per_study_and_gap_free(self, storage: BaseStorage) -> None:
        a = storage.create_study("a", OBJECTIVES, (), seed=None).study_id
        b = storage.create_study("b", OBJECTIVES, (), seed=None).study_id
        numbers_a = [_new_trial(storage, a).number for _ in range(5)]
        numbers_b = [_new_trial(storage, b).number for _ in range(3)]
        assert numbers_a == [0, 1, 2, 3, 4]
        assert numbers_b == [0, 1, 2]
        assert [t.seed for t in storage.get_all_trials(a)] == [1000, 1001, 1002, 1003, 1004]

    def test_trial_round_trip(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, CONSTRAINTS, seed=None).study_id
        trial = _new_trial(storage, study_id)
        dist = FloatDistribution(1e-4, 1e-1, log=True)
        storage.set_trial_param(trial.trial_id, "lr", 0.01, dist)
        storage.set_trial_param(
            trial.trial_id, "model", None, CategoricalDistribution(("hgb", None))
        )
        storage.set_trial_user_attr(trial.trial_id, "checkpoint", "/tmp/ckpt")
        storage.report_intermediate(trial.trial_id, 1, {"accuracy": 0.5}, time.time())
        storage.report_intermediate(trial.trial_id, 1, {"accuracy": 0.6}, time.time())  # overwrite
        storage.report_intermediate(trial.trial_id, 3, {"accuracy": 0.7}, time.time())
        running = storage.get_trial(trial.trial_id)
        assert running.state is TrialState.RUNNING
        assert running.params == {"lr": 0.01, "model": None}
        finished = storage.finish_trial(
            trial.trial_id,
            state=TrialState.COMPLETE,
            metrics={"accuracy": 0.9, "eo_diff": 0.02, "latency_p99_ms": 25.0},
            constraints={"latency_p99_ms": 5.0},
            fail_reason=None,
            traceback=None,
            now=time.time(),
        )
        for record in (finished, storage.get_all_trials(study_id)[0]):
            assert record.state is TrialState.COMPLETE
            assert record.params == {"lr": 0.01, "model": None}
            assert record.distributions["lr"] == dist
            assert record.metrics["accuracy"] == 0.9
            assert record.constraints == {"latency_p99_ms": 5.0}
            assert not record.feasible
            assert record.intermediate == {1: {"accuracy": 0.6}, 3: {"accuracy": 0.7}}
            assert record.user_attrs == {"checkpoint": "/tmp/ckpt"}
            assert record.environment == {"pid": 1}
            assert record.duration is not None and record.duration >= 0

    def test_finished_trials_are_immutable(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
        trial = _new_trial(storage, study_id)
        storage.finish_trial(
            trial.trial_id,
            state=TrialState.FAILED,
            metrics=None,
            constraints=None,
            fail_reason="boom",
            traceback=None,
            now=time.time(),
        )
        dist = FloatDistribution(0.0, 1.0)
        with pytest.raises(UpdateFinishedTrialError):
            storage.set_trial_param(trial.trial_id, "x", 0.5, dist)
        with pytest.raises(UpdateFinishedTrialError):
            storage.report_intermediate(trial.trial_id, 0, {"a": 1.0}, time.time())
        with pytest.raises(UpdateFinishedTrialError):
            storage.set_trial_user_attr(trial.trial_id, "k", 1)
        with pytest.raises(UpdateFinishedTrialError):
            storage.finish_trial(
                trial.trial_id,
                state=TrialState.COMPLETE,
                metrics={},
                constraints={},
                fail_reason=None,
                traceback=None,
                now=time.time(),
            )
        record = storage.get_trial(trial.trial_id)
        assert record.state is TrialState.FAILED and record.fail_reason == "boom"
        with pytest.raises(TypeError):
            record.params["x"] = 1  # type: ignore[index]

    def test_waiting_trials_are_claimed_once_in_order(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
        first = storage.create_trial(
            study_id,
            state=TrialState.WAITING,
            seed_for=lambda n: n,
            enqueued_params={"x": 1},
            now=time.time(),
        )
        storage.create_trial(
            study_id,
            state=TrialState.WAITING,
            seed_for=lambda n: n,
            enqueued_params={"x": 2},
            now=time.time(),
        )
        claimed = [
            storage.claim_waiting_trial(study_id, environment={}, now=time.time()) for _ in range(3)
        ]
        assert [c.enqueued_params["x"] if c else None for c in claimed] == [1, 2, None]
        assert claimed[0] is not None and claimed[0].number == first.number
        assert all(t.state is TrialState.RUNNING for t in storage.get_all_trials(study_id))

    def test_get_all_trials_sees_changes_after_caching(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
        t0, t1 = _new_trial(storage, study_id), _new_trial(storage, study_id)
        finish: dict[str, Any] = dict(
            metrics={"accuracy": 1.0, "eo_diff": 0.0},
            constraints={},
            fail_reason=None,
            traceback=None,
        )
        storage.finish_trial(t1.trial_id, state=TrialState.COMPLETE, now=time.time(), **finish)
        assert [t.state for t in storage.get_all_trials(study_id)] == [
            TrialState.RUNNING,
            TrialState.COMPLETE,
        ]
        storage.finish_trial(t0.trial_id, state=TrialState.COMPLETE, now=time.time(), **finish)
        _new_trial(storage, study_id)
        states = [t.state for t in storage.get_all_trials(study_id)]
        assert states == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.RUNNING]
        assert len(storage.get_all_trials(study_id, states=(TrialState.COMPLETE,))) == 2

    def test_study_user_attrs(self, storage: BaseStorage) -> None:
        info = storage.create_study("s", OBJECTIVES, (), seed=None)
        storage.set_study_user_attr(info.study_id, "owner", {"name": "ana"})
        assert storage.get_study("s").user_attrs == {"owner": {"name": "ana"}}
        with pytest.raises(TypeError, match="JSON"):
            storage.set_study_user_attr(info.study_id, "bad", float("nan"))

    def test_names_are_checked_the_same_in_every_backend(self, storage: BaseStorage) -> None:
        longest = "n" * 512  # the limit itself is fine
        info = storage.create_study(longest, OBJECTIVES, (), seed=None)
        assert storage.get_study(longest).study_id == info.study_id
        with pytest.raises(
            ValueError, match=r"study_name must be at most 512 characters \(got 513\)"
        ):
            storage.create_study("n" * 513, OBJECTIVES, (), seed=None)
        with pytest.raises(ValueError, match=r"metric name must be at most 512 characters"):
            storage.create_study("m", (Objective("m" * 513, Direction.MINIMIZE),), (), seed=None)
        for bad, problem in (("a\x00b", "NUL"), ("a\ud800", "lone surrogate")):
            with pytest.raises(ValueError, match=problem):
                storage.create_study(bad, OBJECTIVES, (), seed=None)
            with pytest.raises(ValueError, match=problem):
                storage.get_study(bad)
            with pytest.raises(ValueError, match=problem):
                storage.delete_study(bad)
            with pytest.raises(ValueError, match=problem):
                storage.create_study("m", (Objective(bad, Direction.MINIMIZE),), (), seed=None)
            with pytest.raises(ValueError, match=problem):
                storage.create_study("m", OBJECTIVES, (Constraint(bad, "<=", 1.0),), seed=None)
            with pytest.raises(ValueError, match=problem):
                storage.create_study("m", OBJECTIVES, (), seed=None, user_attrs={"k": [bad]})
        assert [s.info.name for s in storage.list_studies()] == [longest]  # nothing else made

    def test_trial_names_and_values_are_checked_before_writing(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
        trial_id = _new_trial(storage, study_id).trial_id
        dist = FloatDistribution(0.0, 1.0)
        storage.set_trial_param(trial_id, "p" * 512, 0.5, dist)
        too_long = r"must be at most 512 characters \(got 513\)"
        for bad, problem in (("p" * 513, too_long), ("x\x00", "NUL"), ("x\udfff", "surrogate")):
            with pytest.raises(ValueError, match=problem):
                storage.set_trial_param(trial_id, bad, 0.5, dist)
            with pytest.raises(ValueError, match=problem):
                storage.set_trial_user_attr(trial_id, bad, 1)
            with pytest.raises(ValueError, match=problem):
                storage.set_study_user_attr(study_id, bad, 1)
            with pytest.raises(ValueError, match=problem):
                storage.report_intermediate(trial_id, 0, {bad: 1.0}, time.time())
            with pytest.raises(ValueError, match=problem):
                storage.finish_trial(
                    trial_id,
                    state=TrialState.COMPLETE,
                    metrics={"accuracy": 1.0, "eo_diff": 0.0, bad: 1.0},
                    constraints={},
                    fail_reason=None,
                    traceback=None,
                    now=time.time(),
                )
        choice = CategoricalDistribution(("a", "b\x00"))
        with pytest.raises(ValueError, match="NUL"):
            storage.set_trial_param(trial_id, "c", "b\x00", choice)
        with pytest.raises(ValueError, match="lone surrogate"):
            storage.set_trial_user_attr(trial_id, "note", {"k": ["ok", "\ud800"]})
        with pytest.raises(ValueError, match="NUL"):
            storage.set_study_user_attr(study_id, "note", {"a\x00": 1})
        with pytest.raises(ValueError, match="NUL"):
            storage.create_trial(
                study_id,
                state=TrialState.WAITING,
                seed_for=lambda n: n,
                enqueued_params={"x": "a\x00"},
                now=time.time(),
            )
        with pytest.raises(ValueError, match="at most 256 characters"):
            storage.create_trial_once(
                study_id, "k" * 257, state=TrialState.WAITING, seed_for=lambda n: n, now=0.0
            )
        record = storage.get_trial(trial_id)  # every refused write left the trial as it was
        assert record.state is TrialState.RUNNING and dict(record.params) == {"p" * 512: 0.5}
        assert dict(record.user_attrs) == {} and dict(record.intermediate) == {}
        assert len(storage.get_all_trials(study_id)) == 1
        assert dict(storage.get_study("s").user_attrs) == {}

    def test_failure_text_is_escaped_not_refused(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
        trial_id = _new_trial(storage, study_id).trial_id
        finished = storage.finish_trial(
            trial_id,
            state=TrialState.FAILED,
            metrics=None,
            constraints=None,
            fail_reason="bad byte \x00 and \ud800",
            traceback="Traceback: \x00",
            now=time.time(),
        )
        for record in (finished, storage.get_trial(trial_id)):
            assert record.fail_reason == "bad byte \\x00 and \\ud800"
            assert record.traceback == "Traceback: \\x00"

    def test_failure_kinds_round_trip(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
        failed, complete = _new_trial(storage, study_id), _new_trial(storage, study_id)
        storage.finish_trial(
            failed.trial_id,
            state=TrialState.FAILED,
            metrics=None,
            constraints=None,
            fail_reason="worker process 7 ended",
            traceback=None,
            now=time.time(),
            fail_kind=FailKind.WORKER_LOST,
        )
        storage.finish_trial(
            complete.trial_id,
            state=TrialState.COMPLETE,
            metrics={"accuracy": 1.0, "eo_diff": 0.0},
            constraints={},
            fail_reason=None,
            traceback=None,
            now=time.time(),
            fail_kind=FailKind.ERROR,  # ignored: only failed trials keep a kind
        )
        kinds = [t.fail_kind for t in storage.get_all_trials(study_id)]
        assert kinds == [FailKind.WORKER_LOST, None]

    def test_repeats_are_claimed_once_and_kept_beside_the_trial(self, storage: BaseStorage) -> None:
        study_id = storage.create_study("s", OBJECTIVES, (), seed=None).study_id
        other = storage.create_study("t", OBJECTIVES, (), seed=None).study_id
        trial = _new_trial(storage, study_id)
        metrics = {"accuracy": 0.8, "eo_diff": 0.1}
        storage.finish_trial(
            trial.trial_id,
            state=TrialState.COMPLETE,
            metrics=metrics,
            constraints={},
            fail_reason=None,
            traceback=None,
            now=time.time(),
        )
        first = storage.claim_repeat(
            study_id, trial.trial_id, 0, seed=11, environment={"pid": 2}, now=time.time()
        )
        assert first is not None and first.state is TrialState.RUNNING and first.seed == 11
        again = storage.claim_repeat(
            study_id, trial.trial_id, 0, seed=12, environment={}, now=time.time()
        )
        assert again is None
        done = storage.finish_repeat(
            trial.trial_id, 0, metrics={"accuracy": 0.7}, fail_reason=None, now=time.time()
        )
        assert done.state is TrialState.COMPLETE and done.metrics == {"accuracy": 0.7}
        with pytest.raises(UpdateFinishedTrialError):
            storage.finish_repeat(
                trial.trial_id, 0, metrics={"accuracy": 0.1}, fail_reason=None, now=time.time()
            )
        storage.claim_repeat(study_id, trial.trial_id, 1, seed=13, environment={}, now=time.time())
        storage.finish_repeat(trial.trial_id, 1, metrics=None, fail_reason="boom", now=time.time())
        repeats = storage.get_repeats(study_id)
        assert [(r.trial_number, r.index, r.state) for r in repeats] == [
            (0, 0, TrialState.COMPLETE),
            (0, 1, TrialState.FAILED),
        ]
        assert repeats[1].fail_reason == "boom" and dict(repeats[1].metrics) == {}
        assert storage.get_repeats(other) == []
        assert dict(storage.get_trial(trial.trial_id).metrics) == metrics  # never overwritten
        storage.delete_study("s")
        assert storage.get_repeats(study_id) == []

    def test_leases_are_renewed_and_expire_atomically(self, storage: BaseStorage) -> None:
        study_id = storage.create_study(
            "s", OBJECTIVES, (), seed=None, settings={"lease": {"grace": 1.0}}
        ).study_id
        assert dict(storage.get_study("s").settings) == {"lease": {"grace": 1.0}}
        trial = _new_trial(storage, study_id)
        assert storage.get_trial(trial.trial_id).heartbeat_at_ts is None
        started = storage.get_trial(trial.trial_id).started_at_ts
        assert started is not None
        recent = storage.expire_trial(
            trial.trial_id, stale_before=started, fail_reason="x", now=1.0
        )
        assert recent is None  # never renewed, but started after the cut-off
        storage.renew_leases([trial.trial_id], 100.0)
        assert storage.get_trial(trial.trial_id).heartbeat_at_ts == 100.0
        fresh = storage.expire_trial(trial.trial_id, stale_before=50.0, fail_reason="x", now=101.0)
        assert fresh is None  # renewed after the cut-off
        expired = storage.expire_trial(
            trial.trial_id, stale_before=150.0, fail_reason="worker lost", now=200.0
        )
        assert expired is not None and expired.state is TrialState.FAILED
        assert expired.fail_kind is FailKind.WORKER_LOST and expired.fail_reason == "worker lost"
        again = storage.expire_trial(trial.trial_id, stale_before=1e12, fail_reason="y", now=300.0)
        assert again is None  # one worker wins
        storage.renew_leases([trial.trial_id], 400.0)  # finished: left alone
        assert storage.get_trial(trial.trial_id).heartbeat_at_ts == 100.0
        never = _new_trial(storage, study_id)  # its worker died before the first renewal
        assert never.started_at_ts is not None
        lost = storage.expire_trial(
            never.trial_id, stale_before=never.started_at_ts + 1.0, fail_reason="z", now=500.0
        )
        assert lost is not None and lost.fail_kind is FailKind.WORKER_LOST

    def test_costs_round_trip(self, storage: BaseStorage) -> None:
        study_id = storage.create_study(
            "s", OBJECTIVES, (), seed=None, settings={"cost_unit": "gpu_h"}
        ).study_id
        assert storage.get_study("s").settings["cost_unit"] == "gpu_h"
        trial = _new_trial(storage, study_id)
        storage.report_intermediate(trial.trial_id, 1, {"accuracy": 0.5}, time.time(), cost=0.25)
        storage.report_intermediate(trial.trial_id, 2, {"accuracy": 0.6}, time.time())
        storage.report_intermediate(trial.trial_id, 3, {"accuracy": 0.6}, time.time(), cost=9.0)
        storage.report_intermediate(trial.trial_id, 3, {"accuracy": 0.7}, time.time(), cost=0.75)
        running = storage.get_trial(trial.trial_id)
        assert dict(running.report_costs) == {1: 0.25, 3: 0.75}  # a later report wins
        assert running.cost is None and running.cost_at(2) is None
        finished = storage.finish_trial(
            trial.trial_id,
            state=TrialState.COMPLETE,
            metrics={"accuracy": 0.9, "eo_diff": 0.02},
            constraints={},
            fail_reason=None,
            traceback=None,
            now=time.time(),
            cost=1.5,
        )
        untold = _new_trial(storage, study_id)
        storage.finish_trial(
            untold.trial_id,
            state=TrialState.FAILED,
            metrics=None,
            constraints=None,
            fail_reason="boom",
            traceback=None,
            now=time.time(),
        )
        for record in (finished, storage.get_all_trials(study_id)[0]):
            assert record.cost == 1.5 and record.cost_at(1) == 0.25
            assert dict(record.report_costs) == {1: 0.25, 3: 0.75}
        assert storage.get_all_trials(study_id)[1].cost is None
