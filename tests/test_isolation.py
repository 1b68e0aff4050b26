"""Per-trial timeouts, and objectives run in a child process: a hang, a segfault, ``os._exit``
or a kill fails one trial and the study goes on; normal trials are those threads give."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import pytest

import paretune as pt
from paretune.exceptions import ObjectiveNotPicklableError
from paretune.exceptions import TrialProcessError
from tests import _isolation_objectives as objectives

pytestmark = pytest.mark.filterwarnings("ignore::paretune.exceptions.FailedTrialsWarning")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _release_spinners() -> Iterator[None]:
    """Let the endless objectives that a thread timeout abandoned return after each test."""
    yield
    objectives.release_spinners()


def _study(storage: str | None = None) -> pt.Study:
    return pt.create_study(objectives={"loss": "minimize"}, seed=0, storage=storage)


def _summary(study: pt.Study) -> list[tuple[str, str | None]]:
    return [(t.state.value, t.fail_kind and t.fail_kind.value) for t in study.trials]


# ---- trial_timeout with threads -----------------------------------------------------------
@pytest.mark.timeout(20)
def test_an_endless_objective_times_out_in_a_thread_and_optimize_returns() -> None:
    study = _study()
    started = time.monotonic()
    study.optimize(objectives.spin_forever, n_trials=3, trial_timeout=0.5)
    assert time.monotonic() - started < 8.0
    assert _summary(study) == [("failed", "timeout")] * 3
    reason = study.trials[0].fail_reason or ""
    assert reason.startswith("timed out:") and "trial_timeout=0.5 s" in reason
    assert "thread" in reason
    assert len(study.failures_for_sampler()) == 3  # too slow a configuration: blamed
    leftover = [t for t in threading.enumerate() if t.name.startswith("paretune-trial-")]
    assert leftover and all(t.daemon for t in leftover)  # abandoned, cannot hold the exit


@pytest.mark.timeout(20)
def test_the_call_timeout_also_returns_when_trials_hang() -> None:
    study = _study()
    started = time.monotonic()
    study.optimize(objectives.spin_forever, timeout=1.0, trial_timeout=0.3)
    assert time.monotonic() - started < 6.0
    assert study.trials and all(t.fail_kind is pt.FailKind.TIMEOUT for t in study.trials)


@pytest.mark.timeout(20)
def test_trials_after_a_timed_out_one_complete_on_threads() -> None:
    study = _study()
    study.optimize(functools.partial(objectives.misbehave, "spin"), n_trials=3, trial_timeout=1)
    assert _summary(study) == [("failed", "timeout"), ("complete", None), ("complete", None)]
    assert study.trials[1].user_attrs["pid"] == os.getpid()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"isolation": "fork"}, "`isolation` must be 'thread' or 'process'"),
        ({"trial_timeout": 0}, "`trial_timeout` must be a positive number"),
        ({"trial_timeout": -1.0}, "`trial_timeout` must be a positive number"),
        ({"trial_timeout": float("nan")}, "`trial_timeout` must be a positive number"),
        ({"trial_timeout": True}, "`trial_timeout` must be a positive number"),
    ],
)
def test_bad_isolation_settings_are_refused(options: dict[str, object], match: str) -> None:
    study = _study()
    with pytest.raises(ValueError, match=match):
        study.optimize(objectives.quadratic, n_trials=1, **options)  # type: ignore[arg-type]
    assert study.trials == []


# ---- isolation="process" ------------------------------------------------------------------
CRASHES = {
    "segfault": (pt.FailKind.CRASHED, "killed by SIGSEGV"),
    "exit": (pt.FailKind.CRASHED, "exited with code 3"),
    "sigkill": (pt.FailKind.CRASHED, "killed by SIGKILL"),
    "hang": (pt.FailKind.TIMEOUT, "ran longer than trial_timeout=4 s; its process was killed"),
}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("how", list(CRASHES))
@pytest.mark.timeout(20)
def test_a_crash_or_hang_in_a_trials_process_fails_that_trial_only(how: str) -> None:
    study = _study()
    objective = functools.partial(objectives.misbehave, how)
    study.optimize(objective, n_trials=2, isolation="process", trial_timeout=4)
    kind, fragment = CRASHES[how]
    crashed, after = study.trials
    assert crashed.state is pt.TrialState.FAILED and crashed.fail_kind is kind
    assert fragment in (crashed.fail_reason or "")
    assert crashed.params.keys() == {"x"}  # suggested before it died: kept
    assert after.state is pt.TrialState.COMPLETE
    assert after.user_attrs["pid"] != os.getpid()
    if how == "segfault":  # the fault handler's stack, written by the child
        assert "Segmentation fault" in (crashed.traceback or "")
        assert "misbehave" in (crashed.traceback or "")
    assert [t.number for t in study.failures_for_sampler()] == [0]


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
@pytest.mark.timeout(60)
def test_process_trials_are_the_trials_threads_give(storage: str, tmp_path: object) -> None:
    def run(isolation: str) -> pt.Study:
        url = None if storage == "memory" else f"sqlite:///{tmp_path}/{isolation}.db"
        study = _study(url)
        study.optimize(objectives.quadratic, n_trials=3, isolation=isolation)  # type: ignore[arg-type]
        return study

    threaded, isolated = run("thread"), run("process")
    for a, b in zip(threaded.trials, isolated.trials, strict=True):
        assert (a.state, dict(a.params), dict(a.metrics)) == (
            b.state,
            dict(b.params),
            dict(b.metrics),
        )
        assert dict(a.intermediate) == dict(b.intermediate)
    pids = {t.user_attrs["pid"] for t in isolated.trials}
    assert os.getpid() not in pids and len(pids) == 3  # a fresh process per trial


@pytest.mark.timeout(30)
def test_the_childs_exceptions_reach_the_parent_with_their_tracebacks() -> None:
    study = _study()
    study.optimize(
        functools.partial(objectives.misbehave, "value_error"), n_trials=1, isolation="process"
    )
    failed = study.trials[0]
    assert failed.fail_kind is pt.FailKind.ERROR and failed.fail_reason == "ValueError: bad input"
    assert "_isolation_objectives.py" in (failed.traceback or "")  # the child's frames

    study = _study()
    study.optimize(
        functools.partial(objectives.misbehave, "unrelated"), n_trials=1, isolation="process"
    )
    failed = study.trials[0]
    assert failed.fail_kind is pt.FailKind.UNRELATED
    assert (
        failed.fail_reason
        == "unrelated to the configuration: ConnectionError: lost the data server"
    )

    study = _study()
    with pytest.raises(ValueError, match="bad input"):  # not caught: propagates, as in a thread
        study.optimize(
            functools.partial(objectives.misbehave, "value_error"),
            n_trials=3,
            isolation="process",
            catch=(),
        )
    assert _summary(study) == [("failed", "error")]


@pytest.mark.timeout(20)
def test_trial_study_is_not_available_in_a_child() -> None:
    study = _study()
    study.optimize(
        functools.partial(objectives.misbehave, "study"), n_trials=1, isolation="process"
    )
    reason = study.trials[0].fail_reason or ""
    assert reason.startswith("AttributeError: trial.study is not available")


def test_an_objective_that_does_not_pickle_is_refused_before_any_trial() -> None:
    study = _study()
    with pytest.raises(ObjectiveNotPicklableError, match=r"must be picklable.*lambda"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1, isolation="process")
    lock = threading.Lock()
    with pytest.raises(ObjectiveNotPicklableError, match="lock"):
        study.optimize(functools.partial(_uses, lock), n_trials=1, isolation="process")
    assert study.trials == []
    assert issubclass(ObjectiveNotPicklableError, TypeError)


def _uses(lock: object, trial: pt.Trial) -> float:
    return trial.suggest_float("x", 0.0, 1.0)


@pytest.mark.timeout(30)
def test_an_objective_of_an_interactive_main_is_refused() -> None:
    code = textwrap.dedent(
        """
        import paretune as pt
        from paretune.exceptions import ObjectiveNotPicklableError

        def objective(trial):
            return trial.suggest_float("x", 0.0, 1.0)

        study = pt.create_study(objectives={"loss": "minimize"})
        try:
            study.optimize(objective, n_trials=1, isolation="process")
        except ObjectiveNotPicklableError as exc:
            print("refused:", exc)
        print(len(study.trials))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=25, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout and "cannot import objective" in result.stdout
    assert "Move the objective into a module" in result.stdout
    assert result.stdout.strip().endswith("0")


@pytest.mark.timeout(30)
def test_several_workers_each_run_their_trials_in_a_child() -> None:
    study = _study()
    study.optimize(
        functools.partial(objectives.misbehave, "exit"),
        n_trials=4,
        n_workers=2,
        isolation="process",
    )
    assert sorted(_summary(study)) == [("complete", None)] * 3 + [("failed", "crashed")]
    assert len({t.user_attrs["pid"] for t in study.trials[1:]}) == 3


@pytest.mark.timeout(30)
def test_a_script_without_a_main_guard_stops_with_the_fix(tmp_path: object) -> None:
    script = f"{tmp_path}/unguarded.py"
    with open(script, "w", encoding="utf-8") as file:
        file.write(
            textwrap.dedent(
                """
                import paretune as pt
                from tests._isolation_objectives import quadratic

                study = pt.create_study(objectives={"loss": "minimize"})
                study.optimize(quadratic, n_trials=3, isolation="process")  # no main guard
                """
            )
        )
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(
        [sys.executable, script], capture_output=True, text=True, timeout=25, env=env, check=False
    )
    assert result.returncode == 1
    # the child, running the script's module, refuses to start a study of its own ...
    assert "optimize(isolation='process') was called while a trial's process" in result.stderr
    # ... so it dies before loading the objective, and the parent stops with the fix
    assert (
        "TrialProcessError: The trial's process exited with code 1 before it loaded the "
        "objective" in result.stderr
    )
    assert "if __name__ == '__main__':" in result.stderr


@pytest.mark.parametrize(
    ("how", "error", "message"),
    [
        ("exit", TrialProcessError, "exited with code 5 before it loaded the objective"),
        ("raise", ObjectiveNotPicklableError, "No module named 'gone'"),
    ],
)
@pytest.mark.timeout(20)
def test_a_child_that_cannot_load_the_objective_stops_optimize(
    how: str, error: type[Exception], message: str
) -> None:
    study = _study()
    with pytest.raises(error, match=message):
        study.optimize(objectives.BreaksWhenLoaded(how), n_trials=3, isolation="process")
    (trial,) = study.trials  # told, not blamed: it never ran
    assert trial.fail_kind is pt.FailKind.UNRELATED and study.failures_for_sampler() == []
