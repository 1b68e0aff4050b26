"""Turn what an objective returned into validated metrics and constraint violations."""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paretune.constraints import Constraint
from paretune.objectives import Objective


@dataclass(frozen=True)
class Outcome:
    """Validated metrics, or the reason they were refused.

    Attributes:
        metrics: Every finite metric told (empty when refused).
        violations: Constraint violation by metric name.
        problem: None when valid, else a one-line reason naming the bad metric.
    """

    metrics: dict[str, float]
    violations: dict[str, float]
    problem: str | None


def _as_mapping(
    value: Any, objectives: tuple[Objective, ...], constraints: tuple[Constraint, ...]
) -> Mapping[str, Any] | str:
    if isinstance(value, Mapping):
        return value
    names = [o.name for o in objectives]
    expected = "{" + ", ".join(f"{n!r}: ..." for n in names + [c.metric for c in constraints]) + "}"
    if value is None:
        return f"the objective returned None; return a dict of metrics such as {expected}"
    if not constraints and len(objectives) == 1 and isinstance(value, (int, float)):
        return {names[0]: value}
    if (
        not constraints
        and isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == len(objectives)
    ):
        return dict(zip(names, value, strict=False))
    return f"the objective returned {value!r}; return a dict of metrics such as {expected}"


def evaluate_outcome(
    value: Any, objectives: tuple[Objective, ...], constraints: tuple[Constraint, ...]
) -> Outcome:
    """Validate an objective's return value against the study's objectives and constraints.

    A dict is always accepted; a bare number (one objective) or a sequence with one value per
    objective is accepted when the study has no constraints. Every objective and constrained
    metric must be present and finite; extra metrics are kept.

    Args:
        value: What the objective function returned (or what was passed to ``tell``).
        objectives: The study's objectives.
        constraints: The study's constraints.

    Returns:
        The :class:`Outcome`; ``problem`` names the first issue found.
    """
    mapping = _as_mapping(value, objectives, constraints)
    if isinstance(mapping, str):
        return Outcome({}, {}, mapping)
    metrics: dict[str, float] = {}
    for key, raw in mapping.items():
        if not isinstance(key, str):
            return Outcome({}, {}, f"metric names must be strings, got {key!r}")
        if isinstance(raw, bool):
            return Outcome({}, {}, f"metric {key!r} is a bool ({raw}); return a number")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return Outcome({}, {}, f"metric {key!r} is {raw!r}, not a number")
        if not math.isfinite(number):
            return Outcome({}, {}, f"metric {key!r} is {number}; metrics must be finite")
        metrics[key] = number
    required = [o.name for o in objectives] + [c.metric for c in constraints]
    missing = [name for name in required if name not in metrics]
    if missing:
        return Outcome(
            {},
            {},
            f"metric(s) {', '.join(map(repr, missing))} missing from the returned metrics "
            f"(got {sorted(metrics)!r})",
        )
    violations = {c.metric: c.violation(metrics[c.metric]) for c in constraints if not c.soft}
    return Outcome(metrics, violations, None)
