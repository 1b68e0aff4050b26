"""Strict JSON encoding for stored values: no NaN, no objects JSON cannot represent."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    """Encode ``value`` as compact JSON, refusing NaN and infinities."""
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    """Decode JSON written by :func:`dumps`; None stays None."""
    return None if text is None else json.loads(text)


def check_json_value(key: str, value: Any) -> None:
    """Raise a clear error when ``value`` cannot be stored as JSON.

    Args:
        key: The attribute name, for the message.
        value: The value to check.

    Raises:
        TypeError: If ``value`` is not JSON-serialisable or holds NaN/infinity.
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"Attribute keys must be non-empty strings, got {key!r}.")
    try:
        dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"The value of attribute {key!r} cannot be stored as JSON ({exc}); store plain "
            "numbers, strings, lists or dicts, and no NaN."
        ) from exc
