"""Hard constraints on measured metrics, such as ``latency_p99_ms <= 20``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from typing import cast

from paretune.exceptions import InvalidObjectiveError

__all__ = ["Constraint", "ConstraintSpec", "parse_constraints"]

Operator = Literal["<=", ">="]


@dataclass(frozen=True)
class Constraint:
    """A hard constraint on one reported metric.

    The constraint's *violation* for a measured value is ``value - bound`` for ``"<="`` and
    ``bound - value`` for ``">="``. A trial is feasible when every violation is ``<= 0``.

    Args:
        metric: Name of the metric the objective function reports.
        op: ``"<="`` (the metric must not exceed ``bound``) or ``">="``.
        bound: The threshold, a finite number.
    """

    metric: str
    op: Operator
    bound: float

    def __post_init__(self) -> None:
        if not isinstance(self.metric, str) or not self.metric:
            raise InvalidObjectiveError(
                f"Constraint metric names must be non-empty strings, got {self.metric!r}."
            )
        if self.op not in ("<=", ">="):
            raise InvalidObjectiveError(
                f"Unknown operator {self.op!r} in the constraint on {self.metric!r}; "
                "use '<=' or '>='."
            )
        if isinstance(self.bound, bool) or not isinstance(self.bound, (int, float)):
            raise InvalidObjectiveError(
                f"The bound of the constraint on {self.metric!r} must be a number, "
                f"got {self.bound!r}."
            )
        if not math.isfinite(self.bound):
            raise InvalidObjectiveError(
                f"The bound of the constraint on {self.metric!r} must be finite, got {self.bound}."
            )
        object.__setattr__(self, "bound", float(self.bound))

    def violation(self, value: float) -> float:
        """Return how far ``value`` lies on the wrong side of the bound (``<= 0`` is feasible)."""
        return value - self.bound if self.op == "<=" else self.bound - value

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.bound:g}"


ConstraintSpec = Constraint | tuple[str, float]
"""What ``create_study(constraints={metric: spec})`` accepts per metric."""


def parse_constraints(
    constraints: Mapping[str, ConstraintSpec] | None,
) -> tuple[Constraint, ...]:
    """Validate ``{metric: ("<=", bound)}`` (or :class:`Constraint` values) into constraints.

    Args:
        constraints: Metric names mapped to ``(op, bound)`` tuples or :class:`Constraint`
            objects, or None for an unconstrained study.

    Returns:
        The constraints, in the mapping's order.

    Raises:
        InvalidObjectiveError: On a malformed entry.
    """
    if constraints is None:
        return ()
    if not isinstance(constraints, Mapping):
        raise InvalidObjectiveError(
            "`constraints` must be a dict such as {'latency_p99_ms': ('<=', 20.0)}, "
            f"but got {type(constraints).__name__}."
        )
    parsed = []
    for metric, spec in constraints.items():
        if isinstance(spec, Constraint):
            if spec.metric != metric:
                raise InvalidObjectiveError(
                    f"The constraint under key {metric!r} is on metric {spec.metric!r}; "
                    "use the same name for both."
                )
            parsed.append(spec)
            continue
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise InvalidObjectiveError(
                f"The constraint on {metric!r} must be a pair like ('<=', 20.0), got {spec!r}."
            )
        op, bound = spec
        parsed.append(Constraint(metric, cast(Operator, op), bound))
    return tuple(parsed)
