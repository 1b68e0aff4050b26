"""PyTorch's intra-op thread pool, bounded while a suggestion runs."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

__all__ = ["torch_threads"]

_LOCK = threading.Lock()
_users = 0
_before = 0


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Run PyTorch's intra-op pool at ``threads`` inside the block, then restore it.

    A study's GPs are a few dozen points: more threads mostly add synchronisation. The pool
    is process-wide, so concurrent suggestions share one setting, restored by the last to
    leave. ``None`` leaves PyTorch's setting alone.
    """
    global _users, _before
    if threads is None:
        yield
        return
    import torch

    with _LOCK:
        if _users == 0:
            _before = torch.get_num_threads()
            torch.set_num_threads(threads)
        _users += 1
    try:
        yield
    finally:
        with _LOCK:
            _users -= 1
            if _users == 0:
                torch.set_num_threads(_before)
