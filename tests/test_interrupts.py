"""Ctrl-C: the running trials end as *interrupted* (which samplers ignore) and ``optimize``
re-raises ``KeyboardInterrupt``, whether the objective raises it or the process gets
SIGINT, on one worker, several, or with trials in child processes."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

import paretune as pt
from paretune.storages._sql._migrate import fail_kind_from_reason
from paretune.trial._failures import failure_label
from tests import _isolation_objectives as objectives

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _release_spinners() -> Iterator[None]:
    """Let the endless objectives that a thread timeout abandoned return after each test."""
    yield
    objectives.release_spinners()


def test_only_interrupts_among_the_new_kinds_spare_the_configuration() -> None:
    assert pt.FailKind("interrupted") is pt.FailKind.INTERRUPTED
    assert not pt.FailKind.INTERRUPTED.blames_configuration
    assert pt.FailKind.TIMEOUT.blames_configuration
    assert pt.FailKind.CRASHED.blames_configuration
    record = pt.TrialRecord(number=0, state=pt.TrialState.FAILED, fail_kind=pt.FailKind.INTERRUPTED)
    assert failure_label(record) == "interrupted"
    # a database from before fail kinds stored Ctrl-C as the error's name
    assert fail_kind_from_reason("KeyboardInterrupt") is pt.FailKind.INTERRUPTED


@pytest.mark.parametrize("isolation", ["thread", "process"])
@pytest.mark.parametrize("catch", [(Exception,), (BaseException,)])
@pytest.mark.timeout(20)
def test_a_keyboard_interrupt_in_the_objective_ends_the_trial_and_optimize(
    isolation: str, catch: tuple[type[BaseException], ...]
) -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
    with pytest.raises(KeyboardInterrupt):
        study.optimize(
            functools.partial(objectives.misbehave, "interrupt"),
            n_trials=5,
            catch=catch,
            isolation=isolation,  # type: ignore[arg-type]
        )
    (trial,) = study.trials
    assert trial.state is pt.TrialState.FAILED and trial.fail_kind is pt.FailKind.INTERRUPTED
    assert trial.fail_reason == "interrupted: KeyboardInterrupt"
    assert "KeyboardInterrupt" in (trial.traceback or "")
    assert study.failures_for_sampler() == []


def _sleepy_or_interrupting(trial: pt.Trial) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    if trial.number == 2:
        time.sleep(0.5)  # the other workers' trials are running by now
        raise KeyboardInterrupt
    objectives.RELEASE.wait(30)  # abandoned at the interrupt; released after the test
    return x


@pytest.mark.timeout(20)
def test_an_interrupt_on_one_worker_ends_the_others_trials() -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(_sleepy_or_interrupting, n_trials=10, n_workers=3)
    assert time.monotonic() - started < 10.0  # the sleeping trials were not waited for
    assert [t.fail_kind for t in study.trials] == [pt.FailKind.INTERRUPTED] * 3
    reasons = {t.number: t.fail_reason for t in study.trials}
    assert reasons[2] == "interrupted: KeyboardInterrupt"
    assert reasons[0] == reasons[1] == "interrupted: optimize was interrupted while the trial ran"
    assert study.failures_for_sampler() == []


def test_an_interrupt_while_the_sampler_proposes_leaves_no_running_trial() -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, seed=0)

    def interrupted(*args: object) -> object:
        raise KeyboardInterrupt

    study.sampler.infer_relative_search_space = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        study.ask()
    (trial,) = study.trials
    assert trial.state is pt.TrialState.FAILED and trial.fail_kind is pt.FailKind.INTERRUPTED


SCRIPT = textwrap.dedent(
    """
    import sys

    import paretune as pt
    from tests._isolation_objectives import announce_then_sleep

    if __name__ == "__main__":
        url, workers, isolation, limit = sys.argv[1:]
        study = pt.create_study(study_name="s", objectives={"loss": "minimize"}, storage=url)
        try:
            study.optimize(
                announce_then_sleep,
                n_trials=10,
                n_workers=int(workers),
                isolation=isolation,
                trial_timeout=float(limit) if limit != "none" else None,
            )
        except KeyboardInterrupt:
            print("optimize raised KeyboardInterrupt", flush=True)
            sys.exit(0)
        sys.exit(1)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("workers", "isolation", "limit"),
    [(1, "thread", "none"), (1, "thread", "30"), (2, "thread", "none"), (1, "process", "none")],
    ids=["main-thread", "trial-thread", "two-workers", "child-process"],
)
@pytest.mark.timeout(30)
def test_sigint_to_a_process_running_optimize(
    tmp_path: object, workers: int, isolation: str, limit: str
) -> None:
    script = f"{tmp_path}/run.py"
    with open(script, "w", encoding="utf-8") as file:
        file.write(SCRIPT)
    url = f"sqlite:///{tmp_path}/study.db"
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, script, url, str(workers), isolation, limit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        seen = 0
        assert proc.stdout is not None
        while seen < workers:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            seen += line.count("started")
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "optimize raised KeyboardInterrupt" in out
    study = pt.load_study(study_name="s", storage=url)
    assert len(study.trials) == workers
    for trial in study.trials:
        assert trial.state is pt.TrialState.FAILED, trial
        assert trial.fail_kind is pt.FailKind.INTERRUPTED
    assert study.failures_for_sampler() == []
    if isolation == "process":  # the trial's process was killed with it
        pid = study.trials[0].user_attrs["pid"]
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
