"""The reused threadpoolctl controller behind paretune's native thread limits."""

from __future__ import annotations

import sys
import types

import pytest

from paretune import _threads


def _pool_threads(user_api: str) -> set[int]:
    from threadpoolctl import threadpool_info

    return {p["num_threads"] for p in threadpool_info() if p["user_api"] == user_api}


def test_limit_applies_inside_the_block_and_is_lifted_after() -> None:
    import numpy  # noqa: F401  (loads a BLAS)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        before = _pool_threads("blas")
        with _threads.native_thread_limit(1, user_api="blas"):
            inside = _pool_threads("blas")
        after = _pool_threads("blas")
    assert before == {2}
    assert inside == {1}
    assert after == before


def test_controller_is_reused_until_a_module_is_imported() -> None:
    first = _threads._controller()
    assert _threads._controller() is first
    name = "_paretune_test_new_module"
    sys.modules[name] = types.ModuleType(name)
    try:
        rebuilt = _threads._controller()
    finally:
        del sys.modules[name]
    assert rebuilt is not first  # a new import may have brought a native library
    assert _threads._controller() is not rebuilt  # and the removal is seen too


def test_threads_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="threads must be >= 1, got 0"):
        _threads.native_thread_limit(0)
