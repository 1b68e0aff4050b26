"""Objectives for the isolation and interrupt tests, importable by a trial's child process."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

import paretune as pt

RELEASE = threading.Event()
"""Set to let abandoned in-thread objectives return (they spin until then)."""


def release_spinners() -> None:
    """End the spinning objectives that timed-out trials left on threads, and wait for them."""
    RELEASE.set()
    for thread in threading.enumerate():
        if thread.name.startswith("paretune-trial-"):
            thread.join(10)
    RELEASE.clear()


def quadratic(trial: pt.Trial) -> dict[str, float]:
    """Every forwarded trial call, then a two-parameter loss."""
    x = trial.suggest_float("x", -1.0, 1.0)
    n = trial.suggest_int("n", 1, 4)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    trial.report({"loss": x * x}, step=0, cost=1.5)
    if trial.should_stop():  # no scheduler: never
        raise pt.TrialStopped()
    trial.set_user_attr("pid", os.getpid())
    assert trial.params == {"x": x, "n": n, "kind": kind}
    assert trial.reported_cost == 1.5 and trial.previous_trial is None
    assert trial.record.number == trial.number and trial.record.seed == trial.seed
    assert trial.trial_id >= 0 and trial.budget is None and trial.config == trial.number
    return {"loss": x * x + n + (kind == "b")}


def misbehave(how: str, trial: pt.Trial) -> dict[str, float]:
    """Trial 0 misbehaves as ``how`` says (after suggesting ``x``); the others are fine."""
    if trial.number != 0:
        return quadratic(trial)
    trial.suggest_float("x", -1.0, 1.0)
    if how == "segfault":
        ctypes.string_at(0)
    elif how == "exit":
        os._exit(3)
    elif how == "sigkill":  # what the out-of-memory killer does
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == "hang":
        while True:
            time.sleep(0.05)
    elif how == "spin":  # a pure-Python endless loop (in a thread: until RELEASE)
        while not RELEASE.is_set():
            pass
    elif how == "value_error":
        raise ValueError("bad input")
    elif how == "unrelated":
        try:
            raise ConnectionError("lost the data server")
        except ConnectionError as exc:
            raise pt.UnrelatedFailure() from exc
    elif how == "interrupt":
        raise KeyboardInterrupt
    elif how == "study":
        trial.study  # noqa: B018 - not available in a child process
    raise AssertionError(f"unknown misbehaviour {how!r}")


def spin_forever(trial: pt.Trial) -> dict[str, float]:
    """A pure-Python endless loop (in a thread: until ``RELEASE``)."""
    trial.suggest_float("x", 0.0, 1.0)
    while not RELEASE.is_set():
        pass
    return {"loss": 0.0}


def announce_then_sleep(trial: pt.Trial) -> dict[str, float]:
    """Say ``started <number>`` on standard output, then sleep long (to be interrupted)."""
    trial.suggest_float("x", 0.0, 1.0)
    trial.set_user_attr("pid", os.getpid())
    sys.stdout.write(f"started {trial.number}\n")  # one write: workers print at once
    sys.stdout.flush()
    time.sleep(60)
    return {"loss": 0.0}


class BreaksWhenLoaded:
    """An objective whose unpickling (in the child) exits with code 5, or raises."""

    def __init__(self, how: str) -> None:
        self.how = how

    def __call__(self, trial: pt.Trial) -> dict[str, float]:
        return quadratic(trial)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (os._exit, (5,)) if self.how == "exit" else (_fail_to_load, ())


def _fail_to_load() -> None:
    raise ImportError("No module named 'gone'")
