"""Known constraints on parameters, checked before a configuration is trained."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

ParamConstraint = Callable[[Mapping[str, Any]], bool]
"""A function of the parameters suggested so far that says whether they are allowed.

It may read any parameter; while one it reads has not been suggested yet it should let the
``KeyError`` escape, which paretune takes as "cannot tell yet". Example::

    lambda p: p["d_model"] % p["n_heads"] == 0
"""


def check_params(
    constraints: Sequence[ParamConstraint], params: Mapping[str, Any]
) -> ParamConstraint | None:
    """Return the first constraint that ``params`` violate, or None.

    Constraints that read a parameter missing from ``params`` (``KeyError``) are skipped.

    Args:
        constraints: The study's parameter constraints.
        params: Parameter values so far.
    """
    for constraint in constraints:
        try:
            allowed = constraint(params)
        except KeyError:
            continue
        if not allowed:
            return constraint
    return None


def describe(constraint: ParamConstraint) -> str:
    """A short name for messages: the function's name, or its repr."""
    name = getattr(constraint, "__name__", None)
    return repr(constraint) if name in (None, "<lambda>") else str(name)
