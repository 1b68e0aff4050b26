"""The parent side of ``optimize(isolation="process")``: one child process per trial.

Design: the parent keeps the study and the trial; the child only runs the objective, with
a :class:`~paretune.trial._remote.RemoteTrial` that forwards ``suggest_*``, ``report``,
``should_stop`` and ``set_user_attr`` to the real trial over a pipe (protocol:
:mod:`paretune.trial._remote`; the child: :mod:`paretune.study._child`). So sampling,
storage writes and leases stay where they are with threads, a seeded study proposes the
same trials in either mode, and every storage works, in memory included.

Each trial gets a fresh process, started with ``spawn``: nothing leaks from one trial to
the next (memory, a corrupted native library, threads), and no lock held by another thread
is copied into the child, as ``fork`` would. The price is an interpreter start and the
imports of the objective's module per trial, typically a fraction of a second to a few
seconds; process isolation pays off for trials of seconds or more.

While the child runs, the parent waits for its messages, its death, the trial's deadline
or an interrupt. How a trial ends:

* the child dies, or cannot unpickle the objective, before the objective starts: the
  trial fails as :attr:`FailKind.UNRELATED` and ``optimize`` raises
  :class:`~paretune.exceptions.TrialProcessError` (or
  :class:`~paretune.exceptions.ObjectiveNotPicklableError`), since no trial could run;
* the objective returns or raises: as with threads (the child's exception is re-raised in
  the parent with the child's traceback as its cause, so ``catch=`` applies to it);
* the child dies first (segfault, ``os._exit``, a signal such as the out-of-memory
  killer's ``SIGKILL``): failed, :attr:`FailKind.CRASHED`, the reason naming the exit code
  or signal, the traceback field holding the fault handler's output when there is one;
* ``trial_timeout`` passes, counted from when the child has loaded the objective (so an
  interpreter start is not charged to the trial): the child's process group is killed;
  failed, :attr:`FailKind.TIMEOUT`;
* Ctrl-C, or another worker's interrupt: the child's process group is killed; failed,
  :attr:`FailKind.INTERRUPTED`.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from paretune._values import FailKind
from paretune.exceptions import ObjectiveNotPicklableError
from paretune.exceptions import TrialProcessError
from paretune.study._child import child_main
from paretune.study._failures import UNRELATED
from paretune.study._isolation import INTERRUPTED_BY_ANOTHER
from paretune.study._isolation import TrialAborted
from paretune.trial import TrialRecord
from paretune.trial._remote import RemoteError
from paretune.trial._remote import TrialInfo
from paretune.trial._remote import forwardable
from paretune.trial._remote import record_to_plain

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from paretune.trial import Trial

__all__ = ["InProcess", "crash_reason", "pickle_objective"]

START_METHOD = "spawn"
"""How each trial's process starts (see the module docstring)."""

_POLL = 0.1
"""Seconds between checks of the interrupt flag while a child runs."""

START_LIMIT = 300.0
"""Seconds a child may take to start and load the objective (``trial_timeout`` counts from
then on); a child still loading after it stops ``optimize`` with ``TrialProcessError``."""

_EXIT_WAIT = 5.0
"""Seconds a child that sent its result may take to exit before it is killed."""

_SIGNAL_NOTES = {
    "SIGSEGV": "a segmentation fault, usually in native code",
    "SIGKILL": "the kernel's out-of-memory killer sends it, among others",
    "SIGABRT": "an abort, usually a failed assertion in native code",
    "SIGBUS": "a bus error, usually in native code",
}


class _MainReferences(pickle.Pickler):
    """A pickler that notes the functions and classes it pickles by reference to
    ``__main__``."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.main_names: list[str] = []

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, type) or callable(obj):
            if getattr(obj, "__module__", None) == "__main__":
                self.main_names.append(getattr(obj, "__qualname__", repr(obj)))
        return NotImplemented


def pickle_objective(objective: Callable[..., Any]) -> bytes:
    """Pickle ``objective`` for a child process, or say why it cannot go.

    Raises:
        ObjectiveNotPicklableError: When pickling fails, or when it refers to functions or
            classes of an interactive ``__main__`` (a notebook, ``python -c``), which a
            spawned child cannot import.
    """
    buffer = io.BytesIO()
    pickler = _MainReferences(buffer)
    try:
        pickler.dump(objective)
    except Exception as exc:
        raise ObjectiveNotPicklableError(
            f"isolation='process' runs the objective in a child process, so it must be "
            f"picklable, but pickling {objective!r} failed: {type(exc).__name__}: {exc}. "
            "Define the objective at module level (not a lambda or a nested function) and "
            "keep what it refers to picklable: pass data with functools.partial or load it "
            "inside the objective."
        ) from exc
    main = sys.modules.get("__main__")
    if pickler.main_names and getattr(main, "__file__", None) is None:
        names = ", ".join(sorted(set(pickler.main_names)))
        raise ObjectiveNotPicklableError(
            f"isolation='process' runs the objective in a child process, which cannot import "
            f"{names} from this interactive session's __main__ (a notebook, a REPL or "
            "python -c). Move the objective into a module (a .py file) and import it, or run "
            "the study from a script."
        )
    return buffer.getvalue()


def crash_reason(exitcode: int | None) -> str:
    """The failure reason of a trial whose process ended with ``exitcode`` before answering
    (negative: killed by that signal, as :attr:`multiprocessing.Process.exitcode` says)."""
    killed = exitcode is not None and exitcode < 0
    suffix = "" if killed else " before returning its metrics"
    return f"crashed: the trial's process {_ended_how(exitcode)}{suffix}"


def _ended_how(exitcode: int | None) -> str:
    """How a process ended, as a verb phrase: ``exited with code 3``, ``was killed by ...``."""
    if exitcode is None:
        return "ended"
    if exitcode >= 0:
        return f"exited with code {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    note = _SIGNAL_NOTES.get(name)
    return f"was killed by {name}" + (f" ({note})" if note else "")


def _info(trial: Trial) -> TrialInfo:
    return TrialInfo(
        number=trial.number,
        seed=trial.seed,
        trial_id=trial.trial_id,
        record=record_to_plain(trial.record),
        budget=trial.budget,
        previous_budget=trial.previous_budget,
        config=trial.config,
    )


class _Child:
    """One trial's child process and the parent's end of its pipe."""

    def __init__(self, payload: bytes, number: int) -> None:
        context = multiprocessing.get_context(START_METHOD)  # a SpawnContext
        self.conn, child_conn = context.Pipe(duplex=True)
        handle, self.fault_path = tempfile.mkstemp(prefix="paretune-fault-", suffix=".txt")
        os.close(handle)
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=child_main,
            args=(child_conn, payload, self.fault_path),
            name=f"paretune-trial-{number}",
        )
        self.ended_normally = False
        try:
            self.process.start()
        finally:
            child_conn.close()

    def receive(self, deadline: float | None, interrupted: threading.Event) -> Any:
        """The child's next message; raises :class:`_Ended` when it dies, the deadline
        passes or ``interrupted`` is set first."""
        while True:
            if interrupted.is_set():
                raise _Ended(FailKind.INTERRUPTED)
            wait = _POLL
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Ended(FailKind.TIMEOUT)
                wait = min(wait, left)
            ready = multiprocessing.connection.wait([self.conn, self.process.sentinel], wait)
            if self.conn in ready or (ready and self.conn.poll()):
                try:
                    return self.conn.recv()
                except EOFError:
                    raise _Ended(FailKind.CRASHED) from None
            if ready:  # only the sentinel: dead without a word
                raise _Ended(FailKind.CRASHED)

    def fault_output(self) -> str | None:
        """What the fault handler wrote (a crash's stack), or None."""
        try:
            with open(self.fault_path, encoding="utf-8", errors="replace") as file:
                text = file.read().strip()
        except OSError:
            return None
        return text or None

    def close(self) -> None:
        """Make sure the child and what it started are gone; remove the fault file.

        A child that answered gets a moment to exit. Its process group is killed before the
        child is reaped, so that the group's id cannot have been reused meanwhile.
        """
        process = self.process
        if self.ended_normally:
            multiprocessing.connection.wait([process.sentinel], _EXIT_WAIT)
        _kill_group(process)
        process.join()
        self.conn.close()
        try:
            os.unlink(self.fault_path)
        except OSError:  # pragma: no cover - already gone
            pass


def _kill_group(process: BaseProcess) -> None:
    """Kill the child's process group (the child and what it started), else the child."""
    pid = process.pid
    if pid is None:  # pragma: no cover - never started
        return
    if hasattr(os, "killpg"):
        try:
            os.killpg(pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            pass  # no group yet (the child had not set it up) or none left
    if process.exitcode is None:
        process.kill()


class _Ended(Exception):
    """The child ended, or must end, before answering: why, as a fail kind."""

    def __init__(self, kind: FailKind) -> None:
        super().__init__(kind.value)
        self.kind = kind


class InProcess:
    """Runs each call's objective in a fresh child process (see the module docstring).

    Args:
        objective: The user's objective; must be picklable.
        trial_timeout: Seconds the objective may run, or None.
        interrupted: Set when the ``optimize`` call is interrupted; a running child is
            killed.

    Raises:
        ObjectiveNotPicklableError: From the constructor, when the objective cannot go to a
            child process.
        TrialProcessError: From the constructor, when called in a child process that is
            still starting (an unguarded script's module-level ``optimize``).
    """

    def __init__(
        self,
        objective: Callable[..., Any],
        trial_timeout: float | None,
        interrupted: threading.Event,
    ) -> None:
        if getattr(multiprocessing.current_process(), "_inheriting", False):
            raise TrialProcessError(
                "optimize(isolation='process') was called while a trial's process was "
                "starting: the script calls optimize at module level, and spawn runs the "
                "script's module in each child process. Guard the call with "
                "if __name__ == '__main__':."
            )
        self._payload = pickle_objective(objective)
        self._objective_name = getattr(objective, "__qualname__", repr(objective))
        self._timeout = trial_timeout
        self._interrupted = interrupted

    def __call__(self, trial: Trial) -> Any:
        """Run the objective on ``trial`` in a child process and return its metrics.

        Raises:
            BaseException: What the objective raised.
            TrialAborted: When the child crashed, timed out or was interrupted.
            ObjectiveNotPicklableError: When the child could not load the objective.
            KeyboardInterrupt: When this thread is interrupted while it waits; the child
                is killed first.
        """
        if self._interrupted.is_set():
            raise TrialAborted(FailKind.INTERRUPTED, INTERRUPTED_BY_ANOTHER)
        child = _Child(self._payload, trial.number)
        try:
            self._start(child)
            child.conn.send(("run", _info(trial)))
            return self._serve(child, trial)
        except _Ended as ended:
            raise self._ending(child, ended) from None
        finally:
            child.close()

    def _deadline(self, since: float) -> float | None:
        return None if self._timeout is None else since + self._timeout

    def _start(self, child: _Child) -> None:
        """Wait until the child has loaded the objective, within :data:`START_LIMIT`.

        Raises:
            TrialAborted: Interrupted; or, telling the trial as ``unrelated``, with an
                error to raise: the child died, hung or could not unpickle the objective.
        """
        try:
            message = child.receive(time.monotonic() + START_LIMIT, self._interrupted)
        except _Ended as ended:
            if ended.kind is FailKind.INTERRUPTED:
                raise
            if ended.kind is FailKind.TIMEOUT:
                what = f"did not load the objective within {START_LIMIT:g} s"
            else:
                child.process.join()
                what = f"{_ended_how(child.process.exitcode)} before it loaded the objective"
            error: BaseException = TrialProcessError(
                f"The trial's process {what}; see its output above. If the script starts "
                "optimize at module level, guard that with if __name__ == '__main__': "
                "(spawn runs the script's module in each child process)."
            )
            raise TrialAborted(
                FailKind.UNRELATED, f"{UNRELATED}its process {what}", then_raise=error
            ) from None
        if message[0] == "load_error":
            child.ended_normally = True
            error = ObjectiveNotPicklableError(
                f"The trial's process could not load the objective {self._objective_name}; "
                "keep it importable by module name from a child process (defined in a "
                "module, not in __main__ of a notebook). The child said:\n"
                f"{message[1]}"
            )
            raise TrialAborted(
                FailKind.UNRELATED,
                f"{UNRELATED}its process could not load the objective",
                message[1],
                then_raise=error,
            )

    def _serve(self, child: _Child, trial: Trial) -> Any:
        """Answer the child's calls until it returns or raises (the deadline counts from now)."""
        deadline = self._deadline(time.monotonic())
        while True:
            message = child.receive(deadline, self._interrupted)
            verb = message[0]
            if verb == "return":
                child.ended_normally = True
                return message[1]
            if verb == "raise":
                child.ended_normally = True
                raise message[1].unwrap()
            child.conn.send(_answer(trial, verb, message[1], message[2], message[3]))

    def _ending(self, child: _Child, ended: _Ended) -> TrialAborted:
        kind = ended.kind
        if kind is FailKind.TIMEOUT:
            reason = (
                f"timed out: the objective ran longer than trial_timeout={self._timeout:g} s; "
                "its process was killed"
            )
            return TrialAborted(kind, reason)
        if kind is FailKind.INTERRUPTED:
            return TrialAborted(kind, INTERRUPTED_BY_ANOTHER)
        child.process.join()
        return TrialAborted(kind, crash_reason(child.process.exitcode), child.fault_output())


def _answer(trial: Trial, verb: str, name: str, args: Any, kwargs: Any) -> tuple[str, Any]:
    """Run one of the child's calls on the real trial: ``("ok", value)``, ``("record",
    fields)`` or ``("error", RemoteError)``."""
    try:
        if forwardable(name) != verb:
            raise AttributeError(f"A trial's process cannot {verb} {name!r} on its trial.")
        value = getattr(trial, name)
        if verb == "call":
            value = value(*args, **kwargs)
    except Exception as exc:
        return "error", RemoteError.wrap(exc, with_traceback=False)
    if isinstance(value, TrialRecord):
        return "record", record_to_plain(value)
    return "ok", value
