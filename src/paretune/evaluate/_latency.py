"""Prediction latency, throughput, model size and peak memory, with a fixed protocol.

Protocol (:class:`LatencyProtocol`):

0. Native thread pools (OpenMP, BLAS) are limited to ``threads`` (default 1) for the
   whole measurement, through threadpoolctl: one thread per prediction is how a serving
   replica per core runs, and waking a pool of threads for a single row adds jitter that
   dominates the p99 of small models. ``threads=None`` leaves the pools as they are.
1. ``warmup`` untimed calls, single-row and batch, so lazy initialisation and caches are
   not timed.
1b. Settle: before timing, wait until no other thread of the process is on a CPU, for at
   most ``settle_seconds`` (Linux reads thread states from ``/proc/self/task``; elsewhere
   it waits ``settle_seconds``). After a call into a multi-threaded native library
   (training, a batch prediction), its worker threads keep spinning for a while, OpenBLAS
   for about 0.1 s; single-row calls timed during that spin lose the core for a scheduler
   time slice, which inflates the p99 several times over. The wait polls rather than
   sleeps, so the timing core does not idle down before the timed calls. When other
   threads still run at the cap (e.g. ``optimize(n_workers>1)`` training beside the
   timing), a :class:`~paretune.exceptions.BusyTimingWarning` says the figures include
   their contention.
2. Single-row latency: ``predict`` on one row at a time, cycling through up to
   ``single_repeats`` distinct rows sliced beforehand (slicing is not timed), each call
   timed with ``time.perf_counter_ns``; stops early after ``max_seconds``.
3. Batch latency: ``predict`` on the first ``batch_size`` rows, ``batch_repeats`` times.
4. Percentiles p50/p95/p99 of each set of timings (numpy's linear interpolation);
   throughput is ``batch_size`` over the median batch time.
5. Noise: the half-width of a 95% bootstrap interval of the single-row p99, relative to
   the p99 (``latency_p99_noise``; 0.1 means +-10%). Compare trials' p99s only beyond it.
5b. Reference (only when a ``*_relative`` or ``latency_reference_ms`` figure is asked
   for): right before the single-row calls, as many calls of a fixed numpy workload (a
   1 x 100 by 100 x 32 product and a tanh, about what a small MLP does for one row), timed
   alike; ``latency_reference_ms`` is their median, and ``latency_p50_relative`` /
   ``latency_p99_relative`` are the model's p50 / p99 over it. A virtual machine's speed
   drifts between measurements by more than any figure inside one measurement can see;
   the reference drifts with it, so the relative p50 compares trials measured at
   different moments more steadily than milliseconds do. It does not steady the p99's
   tail, which comes from rare slow calls.
6. Size: bytes of the pickled model (protocol 5), a proxy for what serving loads. Peak
   memory (optional): ``tracemalloc`` peak during one batch prediction, which sees
   Python and numpy allocations but not those of native libraries that bypass Python.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import threading
import time
import tracemalloc
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from paretune._threads import native_thread_limit
from paretune._warnings import warn
from paretune.exceptions import BusyTimingWarning

LATENCY_METRICS = (
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_p99_noise",
    "latency_reference_ms",
    "latency_p50_relative",
    "latency_p99_relative",
    "batch_latency_p50_ms",
    "batch_latency_p95_ms",
    "batch_latency_p99_ms",
    "throughput_rows_per_s",
    "model_size_bytes",
    "peak_memory_mb",
)
"""Names of the figures :func:`measure_latency` returns."""

_BOOTSTRAP_RESAMPLES = 200
"""Resamples behind ``latency_p99_noise``, drawn as one array (one percentile call)."""


@dataclass(frozen=True)
class LatencyProtocol:
    """How latency is measured (see the module docstring for the steps).

    Attributes:
        warmup: Untimed calls before timing.
        single_repeats: Timed single-row calls (p99 needs at least 100 to mean anything).
        batch_size: Rows per batch call (capped at the rows given).
        batch_repeats: Timed batch calls.
        max_seconds: Time cap for each of the single-row and batch parts.
        measure_memory: Also measure peak memory of one batch prediction.
        seed: Seed of the bootstrap behind the noise figure.
        threads: Native threads (OpenMP, BLAS) a prediction may use while timed; None
            leaves the process's thread pools as they are.
        settle_seconds: Longest wait, before timing, for the process's other threads to
            go idle (0 skips the step).
    """

    warmup: int = 3
    single_repeats: int = 200
    batch_size: int = 1000
    batch_repeats: int = 10
    max_seconds: float = 1.0
    measure_memory: bool = False
    seed: int = 0
    threads: int | None = 1
    settle_seconds: float = 0.3

    def __post_init__(self) -> None:
        if self.single_repeats < 2 or self.batch_repeats < 1 or self.batch_size < 1:
            raise ValueError(
                "single_repeats must be >= 2 and batch_repeats, batch_size >= 1, but got "
                f"({self.single_repeats}, {self.batch_repeats}, {self.batch_size})."
            )
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1 or None, got {self.threads}.")
        if self.warmup < 0 or self.max_seconds <= 0 or self.settle_seconds < 0:
            raise ValueError(
                "warmup and settle_seconds must be >= 0 and max_seconds > 0, got "
                f"({self.warmup}, {self.settle_seconds}, {self.max_seconds})."
            )


def _rows(X: Any, start: int, stop: int) -> Any:
    return X.iloc[start:stop] if hasattr(X, "iloc") else X[start:stop]


_TASKS = "/proc/self/task"


def others_running() -> bool | None:
    """Whether another thread of this process is on a CPU now (None where unknown).

    Reads each thread's state from ``/proc/self/task/<tid>/stat`` (Linux); ``R`` is running.
    """
    try:
        tids = os.listdir(_TASKS)
    except OSError:
        return None
    me = str(threading.get_native_id())
    for tid in tids:
        if tid == me:
            continue
        try:
            with open(f"{_TASKS}/{tid}/stat", "rb") as stat_file:
                stat = stat_file.read()
        except OSError:  # the thread has ended
            continue
        end = stat.rfind(b")")  # the command name in parentheses may hold spaces
        if stat[end + 2 : end + 3] == b"R":
            return True
    return False


def settle(seconds: float) -> bool:
    """Wait until no other thread of the process runs, at most ``seconds``.

    The wait polls without sleeping, so that this thread's core stays busy: a core left
    idle for a tenth of a second runs the next calls slower.

    Returns:
        False when other threads still ran at the cap; True otherwise (also where thread
        states cannot be read, after ``seconds``).
    """
    if seconds <= 0:
        return True
    deadline = time.perf_counter() + seconds
    while True:
        running = others_running()
        if running is False:
            return True
        if time.perf_counter() >= deadline:
            return running is None


def _settle_or_warn(seconds: float) -> None:
    if not settle(seconds):
        warn(
            f"Other threads of this process were still running {seconds:g} s into the latency "
            "measurement (training in another optimize worker, or a busy native thread pool), "
            "so the latency figures include their contention. Time in a process of its own "
            "(optimize(n_workers=1) or one worker process per core), or raise "
            "LatencyProtocol(settle_seconds=...).",
            BusyTimingWarning,
        )


_REFERENCE_RNG = np.random.default_rng(20261123)
_REFERENCE_ROW = _REFERENCE_RNG.normal(size=(1, 100))
_REFERENCE_WEIGHTS = _REFERENCE_RNG.normal(size=(100, 32))
_REFERENCE = {"latency_reference_ms", "latency_p50_relative", "latency_p99_relative"}


def _reference_call(_: Any) -> float:
    """The fixed workload behind ``latency_reference_ms``: one small dense layer."""
    return float(np.tanh(_REFERENCE_ROW @ _REFERENCE_WEIGHTS).sum())


def _timed(call: Any, inputs: list[Any], max_seconds: float) -> np.ndarray:
    timings = []
    deadline = time.perf_counter() + max_seconds
    collecting = gc.isenabled()
    gc.disable()  # a collection pause would land in one call's timing at random
    try:
        for i, x in enumerate(inputs):
            start = time.perf_counter_ns()
            call(x)
            timings.append((time.perf_counter_ns() - start) / 1e6)
            if i >= 1 and time.perf_counter() > deadline:
                break
    finally:
        if collecting:
            gc.enable()
    return np.asarray(timings)


def measure_latency(
    model: Any,
    X: Any,
    protocol: LatencyProtocol | None = None,
    *,
    only: Collection[str] | None = None,
) -> dict[str, float]:
    """Time ``model.predict`` on rows of ``X`` and measure its size.

    Args:
        model: A fitted model with ``predict`` (a whole pipeline, to time what serving runs).
        X: Rows to predict (array or DataFrame), at least one.
        protocol: The measurement protocol; the default is :class:`LatencyProtocol()`.
        only: Names from :data:`LATENCY_METRICS` that are needed; the parts of the protocol
            nobody asked for (batch timing, size) are skipped. None measures everything.

    Returns:
        The names in :data:`LATENCY_METRICS` that were measured (``peak_memory_mb`` only
        when the protocol asks for it).
    """
    protocol = protocol or LatencyProtocol()
    n = len(X)
    if n < 1:
        raise ValueError("measure_latency needs at least one row.")
    with _thread_limit(protocol.threads):
        return _measure(model, X, protocol, set(LATENCY_METRICS if only is None else only))


def _thread_limit(threads: int | None) -> contextlib.AbstractContextManager[Any]:
    if threads is None:
        return contextlib.nullcontext()
    return native_thread_limit(threads)


def _measure(model: Any, X: Any, protocol: LatencyProtocol, wanted: set[str]) -> dict[str, float]:
    n = len(X)
    single_part = any(k.startswith("latency_") for k in wanted)
    batch_part = any(k.startswith(("batch_", "throughput")) for k in wanted)
    batch = _rows(X, 0, min(protocol.batch_size, n))
    out: dict[str, float] = {}
    if single_part:
        singles = [_rows(X, i % n, i % n + 1) for i in range(protocol.single_repeats)]
        for i in range(protocol.warmup):
            model.predict(singles[i % len(singles)])
        _settle_or_warn(protocol.settle_seconds)
        reference = None
        if wanted & _REFERENCE:
            for _ in range(protocol.warmup):
                _reference_call(None)
            reference = float(
                np.median(_timed(_reference_call, [None] * len(singles), protocol.max_seconds))
            )
        single = _timed(model.predict, singles, protocol.max_seconds)
        p50, p95, p99 = np.percentile(single, [50, 95, 99])
        rng = np.random.default_rng(protocol.seed)
        resamples = rng.choice(single, size=(_BOOTSTRAP_RESAMPLES, len(single)))
        low, high = np.percentile(np.percentile(resamples, 99, axis=1), [2.5, 97.5])
        out |= {
            "latency_p50_ms": float(p50),
            "latency_p95_ms": float(p95),
            "latency_p99_ms": float(p99),
            "latency_p99_noise": float((high - low) / 2 / p99) if p99 > 0 else 0.0,
        }
        if reference is not None:
            scale = reference if reference > 0 else float("nan")
            out |= {
                "latency_reference_ms": reference,
                "latency_p50_relative": float(p50) / scale,
                "latency_p99_relative": float(p99) / scale,
            }
    if batch_part:
        for _ in range(protocol.warmup):
            model.predict(batch)
        _settle_or_warn(protocol.settle_seconds)
        batched = _timed(model.predict, [batch] * protocol.batch_repeats, protocol.max_seconds)
        b50, b95, b99 = np.percentile(batched, [50, 95, 99])
        out |= {
            "batch_latency_p50_ms": float(b50),
            "batch_latency_p95_ms": float(b95),
            "batch_latency_p99_ms": float(b99),
            "throughput_rows_per_s": float(len(batch) / (b50 / 1000.0))
            if b50 > 0
            else float("inf"),
        }
    if "model_size_bytes" in wanted:
        out["model_size_bytes"] = float(len(pickle.dumps(model, protocol=5)))
    if protocol.measure_memory:
        tracemalloc.start()
        try:
            model.predict(batch)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        out["peak_memory_mb"] = peak / 2**20
    return out
