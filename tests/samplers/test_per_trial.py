"""The per-trial memo samplers share between the calls that sample one trial."""

from __future__ import annotations

import threading

import paretune as pt
from paretune.samplers._per_trial import PerTrial


def test_value_is_computed_once_per_trial_and_again_after_forget() -> None:
    study = pt.create_study(objectives={"loss": "minimize"})
    first, second = study.ask(), study.ask()
    calls: list[int] = []
    memo: PerTrial[int] = PerTrial()

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert memo.get(study, first.record, compute) == 1
    assert memo.get(study, first.record, compute) == 1  # kept
    assert memo.get(study, second.record, compute) == 2  # its own value
    memo.forget(study, first.record)
    assert memo.get(study, first.record, compute) == 3  # computed afresh
    assert len(calls) == 3


def test_threads_computing_at_once_share_the_first_stored_value() -> None:
    study = pt.create_study(objectives={"loss": "minimize"})
    record = study.ask().record
    memo: PerTrial[object] = PerTrial()
    inside = threading.Barrier(4)  # every thread is computing before any stores
    seen: list[object] = []

    def compute() -> object:
        inside.wait(timeout=10)
        return object()

    def worker() -> None:
        seen.append(memo.get(study, record, compute))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4
    assert all(value is seen[0] for value in seen)
