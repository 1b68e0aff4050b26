"""Running trials whose worker process died on this host: found and failed."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable

from paretune.storages import BaseStorage
from paretune.study._failures import WORKER_ENDED
from paretune.trial import FailKind
from paretune.trial import TrialRecord
from paretune.trial import TrialState

__all__ = ["fail_orphaned_trials"]


def fail_orphaned_trials(storage: BaseStorage, running: Iterable[TrialRecord]) -> list[TrialRecord]:
    """Fail the ``running`` trials whose worker ran on this host and is gone.

    Returns:
        The records of the trials it failed (one another worker failed first is skipped).
    """
    host = socket.gethostname()
    failed = []
    for record in running:
        pid = record.environment.get("pid")
        if record.environment.get("host") != host or not isinstance(pid, int):
            continue
        if pid == os.getpid() or _process_alive(pid):
            continue
        try:
            failed.append(
                storage.finish_trial(
                    record.trial_id,
                    state=TrialState.FAILED,
                    metrics=None,
                    constraints=None,
                    fail_reason=(
                        f"{WORKER_ENDED}{pid} on {host} ended while the trial was running "
                        "(killed or crashed)"
                    ),
                    traceback=None,
                    now=time.time(),
                    fail_kind=FailKind.WORKER_LOST,
                )
            )
        except Exception:  # another worker failed it first
            continue
    return failed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
