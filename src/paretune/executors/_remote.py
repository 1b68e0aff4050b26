"""The worker side of :class:`~paretune.executors.RayExecutor`: one task runs one trial.

A task opens the study from its storage by name (once per worker process and ``optimize``
call), asks a trial, runs the objective and tells the result, exactly as a local worker
does; the driver only dispatches tasks and reads the finished records.

The sampler, scheduler and objective travel to the workers pickled, once per call: a
pickler that replaces thread locks by fresh ones lets samplers that guard caches with a
lock travel too. Each worker process then holds its own copy, as separate worker
processes on one storage do.
"""

from __future__ import annotations

import collections
import io
import pickle
import threading
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from paretune.constraints import ParamConstraint
from paretune.samplers import BaseSampler
from paretune.schedulers import BaseScheduler
from paretune.study._fail_fast import PROGRAMMING_ERRORS

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.study._optimize import ObjectiveFunction

__all__ = ["RunSpec", "dumps", "run_trial"]

_KEEP_OPEN = 2
"""Studies a worker process keeps open (the latest ``optimize`` calls it served)."""


@dataclass(frozen=True)
class RunSpec:
    """What a worker needs to run trials of one ``optimize`` call."""

    run_id: str
    storage_url: str
    study_name: str
    seed: int | None
    objective: ObjectiveFunction
    catch: tuple[type[BaseException], ...]
    sampler: BaseSampler
    scheduler: BaseScheduler | None
    param_constraints: Sequence[ParamConstraint]


_LOCK, _RLOCK = type(threading.Lock()), type(threading.RLock())


def _unlocked(lock: Any) -> tuple[Callable[[], Any], tuple[()]]:
    """Pickle a lock as a new, unlocked lock of its kind."""
    return (threading.RLock if isinstance(lock, _RLOCK) else threading.Lock), ()


def dumps(spec: RunSpec) -> bytes:
    """``spec`` pickled with cloudpickle (by value where it must be), thread locks replaced by
    new unlocked ones.

    Raises:
        TypeError: If part of it cannot be pickled (the message names it).
    """
    from ray import cloudpickle

    buffer = io.BytesIO()
    table = collections.ChainMap[type, Any](
        {_LOCK: _unlocked, _RLOCK: _unlocked}, cloudpickle.Pickler.dispatch_table
    )
    pickler_class: Any = type("_Pickler", (cloudpickle.Pickler,), {"dispatch_table": table})
    pickler = pickler_class(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        pickler.dump(spec)
    except Exception as exc:
        raise TypeError(
            "RayExecutor sends the objective, sampler, scheduler and param_constraints to "
            f"every Ray worker, and one of them cannot be pickled: {exc}. Define the "
            "objective at module level or as a closure over picklable values."
        ) from exc
    return buffer.getvalue()


_open: collections.OrderedDict[str, tuple[Study, RunSpec]] = collections.OrderedDict()
_open_lock = threading.Lock()


def _study(run_id: str, holder: Sequence[Any]) -> tuple[Study, RunSpec]:
    """The study of call ``run_id`` in this worker process, opened on first use."""
    with _open_lock:
        if run_id in _open:
            _open.move_to_end(run_id)
            return _open[run_id]
    import ray

    from paretune.study import load_study

    spec: RunSpec = pickle.loads(ray.get(holder[0]))
    study = load_study(
        study_name=spec.study_name,
        storage=spec.storage_url,
        sampler=spec.sampler,
        scheduler=spec.scheduler,
        seed=spec.seed,
        param_constraints=spec.param_constraints,
    )
    study._in_optimize = True  # failures are counted by the driver, not logged as warnings
    with _open_lock:
        _open[run_id] = (study, spec)
        while len(_open) > _KEEP_OPEN:
            _, (old, _) = _open.popitem(last=False)
            old.storage.close()
        return study, spec


def _portable(exc: BaseException | None) -> BaseException | None:
    """The caught exception for the driver's fail-fast check: only programming errors
    matter there, and only those that survive pickling travel."""
    if exc is None or not isinstance(exc, PROGRAMMING_ERRORS):
        return None
    try:
        clone = pickle.loads(pickle.dumps(exc))
    except Exception:
        return None
    return clone if isinstance(clone, BaseException) else None


def run_trial(run_id: str, holder: Sequence[Any]) -> tuple[int, BaseException | None]:
    """Run one trial of call ``run_id`` (the Ray task).

    Args:
        run_id: The ``optimize`` call.
        holder: A one-element list with the reference to the call's pickled
            :class:`RunSpec` (in a list, so that Ray does not fetch it for every task).

    Returns:
        The trial's id, and the caught exception that failed it when the driver's fail-fast
        check needs it.

    Raises:
        BaseException: What the objective raised outside ``catch``, after the trial was
            told as failed.
    """
    from paretune.datasets._dataset import search_in_progress
    from paretune.study._optimize import _run_one

    study, spec = _study(run_id, holder)
    with search_in_progress():
        trial = study.ask()
        record, caught = _run_one(study, spec.objective, trial, spec.catch)
    return record.trial_id, _portable(caught)
