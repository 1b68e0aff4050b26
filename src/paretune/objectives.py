"""Named objectives and their directions.

A study optimises several named metrics at once, each to be maximised or minimised.
Internally every objective is turned into a loss (smaller is better) by multiplying it with
:attr:`Objective.sign`, so that the Pareto maths works in one convention.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from paretune.exceptions import InvalidObjectiveError

__all__ = ["Direction", "Objective", "parse_objectives"]


class Direction(str, enum.Enum):
    """Whether an objective is to be made as small or as large as possible."""

    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


@dataclass(frozen=True)
class Objective:
    """One named objective.

    Args:
        name: The metric name the objective function returns.
        direction: ``Direction.MINIMIZE`` or ``Direction.MAXIMIZE``.
    """

    name: str
    direction: Direction

    @property
    def sign(self) -> float:
        """``+1`` for minimised objectives, ``-1`` for maximised ones (value * sign = loss)."""
        return 1.0 if self.direction is Direction.MINIMIZE else -1.0


def _parse_direction(name: str, direction: object) -> Direction:
    if isinstance(direction, Direction):
        return direction
    if isinstance(direction, str):
        try:
            return Direction(direction.strip().lower())
        except ValueError:
            pass
    raise InvalidObjectiveError(
        f"Unknown direction {direction!r} for objective {name!r}; use 'maximize' or 'minimize'."
    )


def parse_objectives(objectives: Mapping[str, str | Direction]) -> tuple[Objective, ...]:
    """Validate a ``{name: direction}`` mapping and return the objectives in order.

    Args:
        objectives: Metric names mapped to ``"maximize"``/``"minimize"`` (or
            :class:`Direction`). At least one is needed.

    Returns:
        The objectives, in the mapping's order.

    Raises:
        InvalidObjectiveError: On an empty mapping, a non-string or empty name, or an unknown
            direction.
    """
    if not isinstance(objectives, Mapping):
        raise InvalidObjectiveError(
            "`objectives` must be a dict of metric name to direction, e.g. "
            f"{{'accuracy': 'maximize'}}, but got {type(objectives).__name__}."
        )
    if not objectives:
        raise InvalidObjectiveError(
            "A study needs at least one objective, e.g. objectives={'accuracy': 'maximize'}."
        )
    parsed = []
    for name, direction in objectives.items():
        if not isinstance(name, str) or not name:
            raise InvalidObjectiveError(f"Objective names must be non-empty strings, got {name!r}.")
        parsed.append(Objective(name, _parse_direction(name, direction)))
    return tuple(parsed)
