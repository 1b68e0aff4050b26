"""Strict JSON encoding for stored values: no NaN, no objects JSON cannot represent."""

from __future__ import annotations

import json
from typing import Any

from paretune._storable import check_json_text
from paretune._storable import check_name


def dumps(value: Any) -> str:
    """Encode ``value`` as compact JSON, refusing NaN and infinities."""
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    """Decode JSON written by :func:`dumps`; None stays None."""
    return None if text is None else json.loads(text)


def check_json_value(key: str, value: Any) -> None:
    """Raise a clear error when an attribute cannot be stored as JSON by every backend.

    Args:
        key: The attribute name (see :func:`~paretune._storable.check_name`).
        value: The value to check.

    Raises:
        TypeError: If ``key`` is not a non-empty string, or ``value`` is not
            JSON-serialisable or holds NaN/infinity.
        ValueError: If ``key`` is longer than 512 characters, or ``key`` or a string in
            ``value`` holds a NUL character or a lone surrogate.
    """
    check_name("attribute key", key)
    try:
        dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"The value of attribute {key!r} cannot be stored as JSON ({exc}); store plain "
            "numbers, strings, lists or dicts, and no NaN."
        ) from exc
    check_json_text(f"attribute {key!r}", value)
