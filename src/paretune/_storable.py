"""The text every storage backend accepts: names and JSON strings any database can store.

Every backend calls these checks before it writes anything, so a name or value is refused
the same way in memory, in SQLite and in PostgreSQL, instead of working in one backend and
failing with a driver error in another; :class:`~paretune.Trial` checks parameter names and
choices the same way before sampling. (A top-level module so that both layers can use it.)
The rules:

* **Names** (study names, parameter names, metric names, attribute keys) are non-empty
  strings of at most :data:`MAX_NAME_LENGTH` characters (PostgreSQL keeps study and
  parameter names in ``VARCHAR(512)`` columns).
* **All stored text** (names and every string inside a JSON value, keys included) is valid
  Unicode without NUL: PostgreSQL text cannot hold ``"\\x00"``, and a lone surrogate such as
  ``"\\ud800"`` is not Unicode at all (it cannot be encoded as UTF-8, so neither a database
  nor an export or report could write it).
* **Free text written by paretune itself** (failure reasons, tracebacks) is never refused:
  :func:`storable_text` escapes NUL and lone surrogates instead, so recording a failure can
  never fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from paretune.constraints import Constraint
    from paretune.objectives import Objective

__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_NAME_LENGTH",
    "check_json_mapping",
    "check_json_text",
    "check_metric_names",
    "check_name",
    "check_names",
    "check_param",
    "check_new_study",
    "check_new_trial",
    "storable_text",
]

MAX_NAME_LENGTH = 512
"""The longest study, parameter or metric name or attribute key, in characters."""

MAX_KEY_LENGTH = 256
"""The longest key of ``create_trial_once``, in characters."""

_FIX = "pass plain text (decode bytes with errors='replace' or strip the character)"


def _problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    index = text.find("\x00")
    if index >= 0:
        return (
            f"contains a NUL character ('\\x00') at index {index}, which PostgreSQL text "
            "cannot store"
        )
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"contains a lone surrogate ({text[exc.start]!r}) at index {exc.start}, which is "
            "not valid Unicode and cannot be stored as UTF-8"
        )
    return None


def check_name(kind: str, name: object, *, limit: int = MAX_NAME_LENGTH) -> None:
    """Refuse a name that some backend could not store.

    Args:
        kind: What the name is, for the message (``"study_name"``, ``"parameter name"``,
            ``"metric name"``, ``"attribute key"``).
        name: The name.
        limit: The most characters allowed.

    Raises:
        TypeError: If ``name`` is not a non-empty string.
        ValueError: If it is longer than :data:`MAX_NAME_LENGTH` characters, or holds a NUL
            character or a lone surrogate.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"The {kind} must be a non-empty string, got {name!r}.")
    if len(name) > limit:
        raise ValueError(
            f"{kind} must be at most {limit} characters (got {len(name)}); shorten {name[:40]!r}..."
        )
    problem = _problem(name)
    if problem is not None:
        raise ValueError(f"{kind} {name!r} {problem}; {_FIX}.")


def check_names(kind: str, names: Iterable[object]) -> None:
    """:func:`check_name` for each of ``names``.

    Raises:
        TypeError: If a name is not a non-empty string.
        ValueError: If a name is too long or holds a NUL character or a lone surrogate.
    """
    for name in names:
        check_name(kind, name)


def check_json_text(what: str, value: Any) -> None:
    """Refuse a JSON value holding a string (or key) that some backend could not store.

    Args:
        what: What the value is, for the message (``"user attribute 'note'"``).
        value: The value: scalars, and lists, tuples and dicts of them, walked to the end.

    Raises:
        ValueError: If a string or key in it holds a NUL character or a lone surrogate.
    """
    if isinstance(value, str):
        problem = _problem(value)
        if problem is not None:
            raise ValueError(f"The value of {what} {problem}; {_FIX}.")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and (problem := _problem(key)) is not None:
                raise ValueError(f"A key in the value of {what} {problem}; {_FIX}.")
            check_json_text(what, item)
    elif isinstance(value, list | tuple):
        for item in value:
            check_json_text(what, item)


def check_json_mapping(kind: str, what: str, values: Mapping[str, Any] | None) -> None:
    """Check a mapping of names to JSON values: each key with :func:`check_name`, each value
    with :func:`check_json_text`.

    Args:
        kind: What the keys are (``"parameter name"``, ``"attribute key"``).
        what: What the values are, for the message (``"enqueued parameter"``).
        values: The mapping, or None.

    Raises:
        TypeError: If a key is not a non-empty string.
        ValueError: If a key is too long, or a key or value holds a NUL character or a lone
            surrogate.
    """
    for key, value in (values or {}).items():
        check_name(kind, key)
        check_json_text(f"{what} {key!r}", value)


def check_new_study(
    name: object,
    objectives: Iterable[Objective],
    constraints: Iterable[Constraint],
    user_attrs: Mapping[str, Any] | None,
) -> None:
    """Check what ``create_study`` stores: the name, the metric names, the attributes.

    Raises:
        TypeError: If a name or key is not a non-empty string.
        ValueError: If a name or key is too long, or it or a string in an attribute holds
            a NUL character or a lone surrogate.
    """
    check_name("study_name", name)
    check_names("metric name", [o.name for o in objectives])
    check_names("metric name", [c.metric for c in constraints])
    check_json_mapping("attribute key", "study attribute", user_attrs)


def check_new_trial(
    enqueued_params: Mapping[str, Any] | None,
    user_attrs: Mapping[str, Any] | None,
    environment: Mapping[str, Any] | None,
    *,
    key: str | None = None,
) -> None:
    """Check what ``create_trial`` stores: enqueued parameters, attributes, environment,
    and the key of ``create_trial_once`` (at most :data:`MAX_KEY_LENGTH` characters).

    Raises:
        TypeError: If a parameter name or attribute key is not a non-empty string.
        ValueError: If a name or key is too long, or it or a string in a value holds a NUL
            character or a lone surrogate.
    """
    if key is not None:
        check_name("key", key, limit=MAX_KEY_LENGTH)
    check_json_mapping("parameter name", "enqueued parameter", enqueued_params)
    check_json_mapping("attribute key", "trial attribute", user_attrs)
    check_json_text("the worker's environment", environment)


def check_param(name: object, value: Any, distribution: object = None) -> None:
    """Check a parameter's name, value and choices (of a categorical distribution).

    Args:
        name: The parameter's name.
        value: Its value (None before one is chosen).
        distribution: Its distribution; the ``choices`` of a categorical one are checked.

    Raises:
        TypeError: If the name is not a non-empty string.
        ValueError: If the name is too long, or it or a string in the value or the choices
            holds a NUL character or a lone surrogate.
    """
    check_name("parameter name", name)
    check_json_text(f"parameter {name!r}", value)
    choices = getattr(distribution, "choices", None)
    if isinstance(choices, tuple | list):
        check_json_text(f"the choices of parameter {name!r}", list(choices))


def check_metric_names(*metrics: Mapping[str, Any] | None) -> None:
    """Check the names in mappings of metric name -> value (metrics, constraint values).

    Raises:
        TypeError: If a name is not a non-empty string.
        ValueError: If a name is too long or holds a NUL character or a lone surrogate.
    """
    for mapping in metrics:
        if mapping:
            check_names("metric name", mapping)


def storable_text(text: str | None) -> str | None:
    """``text`` with NUL written as ``\\x00`` and lone surrogates as ``\\udXXX`` escapes.

    For free text that paretune writes itself (failure reasons, tracebacks), which must be
    stored whatever it holds. Text without those characters is returned unchanged.

    Args:
        text: The text, or None.

    Returns:
        The storable text, or None.
    """
    if text is None or _problem(text) is None:
        return text
    escaped = text.replace("\x00", "\\x00")
    return escaped.encode("utf-8", "backslashreplace").decode("utf-8")
