"""The child side of ``optimize(isolation="process")``: run one trial's objective.

:func:`child_main` is the target of each trial's child process (see
:mod:`paretune.study._process` for the parent side, :mod:`paretune.trial._remote` for the
protocol). In order, it:

1. becomes the leader of a new process group (POSIX), so the parent can kill it together
   with any process it starts, and Ctrl-C in a terminal reaches only the parent, which
   ends the trial;
2. writes Python's fault handler output (a segfault's stack) to the file it is given;
3. exits at once if the parent process dies (a daemon thread waits on its sentinel);
4. unpickles the objective and says ``("ready",)``, or ``("load_error", traceback)``;
5. waits for ``("run", TrialInfo)``, calls the objective with a
   :class:`~paretune.trial._remote.RemoteTrial`, and sends ``("return", metrics)`` or
   ``("raise", RemoteError)``.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
import traceback as tb
from typing import IO
from typing import TYPE_CHECKING
from typing import Any

from paretune.exceptions import UnrelatedFailure
from paretune.trial._remote import RemoteError
from paretune.trial._remote import RemoteTrial

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["child_main"]

_fault_file: IO[str] | None = None  # kept open for the fault handler


def _exit_with_parent() -> None:
    """Exit as soon as the parent process has died (its sentinel becomes ready)."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - always set in a spawned child
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(70)

    threading.Thread(target=watch, name="paretune-parent-watch", daemon=True).start()


def _portable(exc: BaseException) -> BaseException:
    """An ``UnrelatedFailure`` without a message takes its cause's (causes do not pickle)."""
    cause = exc.__cause__
    if isinstance(exc, UnrelatedFailure) and not str(exc).strip() and cause is not None:
        text = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        described = f"{type(cause).__name__}: {text}" if text else type(cause).__name__
        portable = UnrelatedFailure(described)
        portable.__traceback__ = exc.__traceback__
        portable.__cause__ = cause
        return portable
    return exc


def child_main(conn: Connection, payload: bytes, fault_path: str | None) -> None:
    """Run one trial's objective in this (child) process; see the module docstring.

    Args:
        conn: The child's end of the pipe to the parent.
        payload: The pickled objective.
        fault_path: A file for the fault handler's output, or None.
    """
    global _fault_file
    if hasattr(os, "setpgid"):
        try:
            os.setpgid(0, 0)
        except OSError:  # pragma: no cover - already a group leader
            pass
    if fault_path is not None:
        _fault_file = open(fault_path, "w", encoding="utf-8")
        faulthandler.enable(file=_fault_file, all_threads=False)
    _exit_with_parent()
    try:
        objective: Any = pickle.loads(payload)
    except BaseException:
        conn.send(("load_error", tb.format_exc()))
        return
    conn.send(("ready",))
    try:
        message = conn.recv()
    except EOFError:  # the parent gave up on the trial
        return
    trial = RemoteTrial(conn, message[1])
    try:
        result = objective(trial)
    except BaseException as exc:
        conn.send(("raise", RemoteError.wrap(_portable(exc))))
        return
    try:
        conn.send(("return", result))
    except Exception as exc:
        error = pickle.PicklingError(
            f"the objective returned {type(result).__name__} that cannot be sent back to the "
            f"parent process: {exc}; return a dict of numbers"
        )
        conn.send(("raise", RemoteError.wrap(error, with_traceback=False)))
