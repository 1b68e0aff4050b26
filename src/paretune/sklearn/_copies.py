"""Copies of objects that hold threading locks, as most paretune samplers do.

scikit-learn copies an estimator's parameters with ``copy.deepcopy`` (``clone``) and
saves estimators with ``pickle``; neither copies a lock. A sampler given to a search is
copied here through pickle with every lock recreated empty, which is what a fresh sampler
holds: the locks only guard caches that a copy starts without.
"""

from __future__ import annotations

import copy
import copyreg
import functools
import io
import pickle
import threading
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

__all__ = ["Pickled", "copy_with_fresh_locks", "pickled_with_fresh_locks"]

T = TypeVar("T")

_LOCK_FACTORIES = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}


@dataclass(frozen=True)
class Pickled:
    """An object pickled with fresh locks, kept as bytes until :meth:`load`."""

    data: bytes

    def load(self) -> Any:
        """The object, with new empty locks."""
        return pickle.loads(self.data)


def _fresh(factory: Any, lock: Any) -> tuple[Any, tuple[()]]:
    """Pickle's reduction of a lock: call ``factory()`` when loading."""
    return factory, ()


def pickled_with_fresh_locks(obj: Any) -> Pickled:
    """``obj`` pickled so that loading it creates a new, unlocked lock for each lock.

    Raises:
        pickle.PicklingError, TypeError, AttributeError: When something else in ``obj``
            cannot be pickled (a lambda, say).
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    table: dict[Any, Any] = dict(copyreg.dispatch_table)
    for lock_type, factory in _LOCK_FACTORIES.items():
        table[lock_type] = functools.partial(_fresh, factory)
    pickler.dispatch_table = table
    pickler.dump(obj)
    return Pickled(buffer.getvalue())


def copy_with_fresh_locks(obj: T) -> T:
    """A deep copy of ``obj``; where ``copy.deepcopy`` fails on a lock, a pickled copy
    with new locks."""
    try:
        return copy.deepcopy(obj)
    except TypeError:
        copied: T = pickled_with_fresh_locks(obj).load()
        return copied
