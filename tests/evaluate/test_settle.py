"""The latency protocol's settle step: timing starts once the process's other threads idle."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import paretune as pt
from paretune.evaluate import _latency
from paretune.evaluate._latency import others_running
from paretune.evaluate._latency import settle
from paretune.exceptions import BusyTimingWarning

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="thread states come from /proc/self/task"
)


@pytest.fixture
def busy_thread() -> Iterator[threading.Thread]:
    """A thread hashing in OpenSSL with the GIL released (on a CPU for about two seconds)."""
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 400_000)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join()


@linux_only
def test_a_thread_computing_beside_this_one_is_seen_running(busy_thread: threading.Thread) -> None:
    assert any(others_running() for _ in range(200))


@linux_only
def test_settling_gives_up_at_the_cap_while_another_thread_computes(
    busy_thread: threading.Thread,
) -> None:
    assert settle(0.05) is False


@linux_only
def test_settling_succeeds_once_the_other_threads_are_idle() -> None:
    assert settle(2.0) is True  # thread pools of earlier tests stop spinning well within 2 s
    assert others_running() is False


@linux_only
def test_a_measurement_beside_a_busy_thread_warns_that_it_includes_contention(
    busy_thread: threading.Thread,
) -> None:
    X = np.random.default_rng(0).normal(size=(50, 3))
    model = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
    protocol = pt.evaluate.LatencyProtocol(single_repeats=10, settle_seconds=0.05)
    with pytest.warns(BusyTimingWarning, match="contention"):
        report = pt.evaluate.measure_latency(model, X, protocol, only=["latency_p99_ms"])
    assert report["latency_p99_ms"] > 0  # measured all the same


def test_zero_seconds_skips_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_latency, "others_running", lambda: pytest.fail("thread states read"))
    assert settle(0.0) is True


def test_without_thread_states_it_waits_the_whole_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_latency, "_TASKS", "/nonexistent/task")
    assert others_running() is None
    start = time.perf_counter()
    assert settle(0.05) is True
    assert time.perf_counter() - start >= 0.05  # the loop ends only at the cap


def test_a_negative_settle_time_is_refused() -> None:
    with pytest.raises(ValueError, match="settle_seconds"):
        pt.evaluate.LatencyProtocol(settle_seconds=-1.0)
