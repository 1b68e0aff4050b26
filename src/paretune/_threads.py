"""Native thread-pool limits (OpenMP, BLAS) through one reused threadpoolctl controller.

``threadpoolctl.threadpool_limits`` finds the process's native libraries afresh on every
call, which takes milliseconds, and an evaluation that runs every trial makes several such
calls. A ``ThreadpoolController`` does that search once and then sets limits in
microseconds. The controller knows only the libraries loaded when it was made, so it is
made again whenever the process has imported a module since: native libraries arrive with
imports (a library loaded by hand through ``ctypes``, with no import after it, goes unseen
until the next import).
"""

from __future__ import annotations

import sys
import threading
from contextlib import AbstractContextManager
from typing import Any

_lock = threading.Lock()
_cached: tuple[int, Any] | None = None


def _controller() -> Any:
    """The process's controller, made again when ``sys.modules`` has grown or shrunk."""
    global _cached
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError as error:  # pragma: no cover - installed with scikit-learn
        raise ImportError(
            "Limiting native threads needs threadpoolctl: pip install 'paretune[eval]', or "
            "measure latency with LatencyProtocol(threads=None)."
        ) from error
    with _lock:
        modules = len(sys.modules)
        if _cached is None or _cached[0] != modules:
            # Made under the lock; a module imported meanwhile only means one more rebuild.
            _cached = (modules, ThreadpoolController())
        return _cached[1]


def native_thread_limit(threads: int, user_api: str | None = None) -> AbstractContextManager[Any]:
    """A context that holds native thread pools at ``threads`` and restores them on exit.

    Args:
        threads: Threads each pool may use inside the block (at least 1).
        user_api: ``"blas"`` or ``"openmp"`` to limit only those pools; None limits both.

    Returns:
        threadpoolctl's limiter, a context manager; the limits are process-wide, as with
        ``threadpoolctl.threadpool_limits``.

    Raises:
        ValueError: When ``threads`` is below 1.
    """
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}.")
    limiter: AbstractContextManager[Any] = _controller().limit(limits=threads, user_api=user_api)
    return limiter
