"""Hard constraints on measured metrics, such as ``latency_p99_ms <= 20``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal
from typing import cast

from paretune.exceptions import InvalidObjectiveError

__all__ = ["Constraint", "ConstraintSpec", "parse_constraints"]

Operator = Literal["<=", ">="]
Behaviour = Literal["varies", "independent", "monotone"]
"""How a constrained metric changes with the training budget (see :class:`Constraint`)."""


@dataclass(frozen=True)
class Constraint:
    """A constraint on one reported metric, hard (the default) or soft.

    The constraint's *violation* for a measured value is ``value - bound`` for ``"<="`` and
    ``bound - value`` for ``">="``. A trial is feasible when the violation of every hard
    constraint is ``<= 0``.

    A *soft* constraint never makes a trial infeasible. It is a preference: when violated,
    it adds ``weight * violation`` to the loss of every objective (losses are objectives
    turned to minimisation), so samplers steer away from it and the Pareto front ranks such
    trials as if they were that much worse. Choose ``weight`` in objective units per metric
    unit; e.g. ``weight=0.01`` on a latency in ms costs 0.01 accuracy per ms over the bound.

    Args:
        metric: Name of the metric the objective function reports.
        op: ``"<="`` (the metric must not exceed ``bound``) or ``">="``.
        bound: The threshold, a finite number.
        soft: Make the constraint a preference with a penalty instead of a requirement.
        weight: Penalty per unit of violation of a soft constraint (positive).
        fidelity_behaviour: How the metric moves with the training budget in a
            multi-fidelity study. ``"varies"`` (default): a cheap measurement says nothing
            certain about the full one. ``"independent"``: the budget does not change it
            (prediction latency or size of a fixed architecture). ``"monotone"``: a larger
            budget only moves it further towards violation (model size as boosting rounds
            grow). For the last two, the first intermediate report or low-budget result
            that violates the (hard) constraint stops the trial and the configuration is
            never promoted: no amount of training can make it feasible.
    """

    metric: str
    op: Operator
    bound: float
    soft: bool = False
    weight: float = 1.0
    fidelity_behaviour: Behaviour = "varies"

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
        if (
            not isinstance(self.weight, (int, float))
            or not math.isfinite(self.weight)
            or self.weight <= 0
        ):
            raise InvalidObjectiveError(
                f"The weight of the constraint on {self.metric!r} must be a positive number, "
                f"got {self.weight!r}."
            )
        object.__setattr__(self, "weight", float(self.weight))
        if self.fidelity_behaviour not in ("varies", "independent", "monotone"):
            raise InvalidObjectiveError(
                f"Unknown fidelity_behaviour {self.fidelity_behaviour!r} of the constraint on "
                f"{self.metric!r}; use 'varies', 'independent' or 'monotone'."
            )

    @property
    def stops_early(self) -> bool:
        """Whether one violating cheap measurement proves the trial infeasible."""
        return not self.soft and self.fidelity_behaviour != "varies"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return {
            "metric": self.metric,
            "op": self.op,
            "bound": self.bound,
            "soft": self.soft,
            "weight": self.weight,
            "fidelity_behaviour": self.fidelity_behaviour,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Constraint:
        """The constraint stored by :meth:`to_json` (older records lack the later fields)."""
        return cls(
            data["metric"],
            data["op"],
            data["bound"],
            data.get("soft", False),
            data.get("weight", 1.0),
            data.get("fidelity_behaviour", "varies"),
        )

    def violation(self, value: float) -> float:
        """Return how far ``value`` lies on the wrong side of the bound (``<= 0`` is feasible)."""
        return value - self.bound if self.op == "<=" else self.bound - value

    def penalty(self, value: float) -> float:
        """The soft penalty for ``value``: ``weight * max(0, violation)`` (0 when hard)."""
        return self.weight * max(0.0, self.violation(value)) if self.soft else 0.0

    def __str__(self) -> str:
        text = f"{self.metric} {self.op} {self.bound:g}"
        if self.soft:
            text += f" (soft, weight {self.weight:g})"
        if self.fidelity_behaviour != "varies":
            text += f" ({self.fidelity_behaviour} of the budget)"
        return text


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
