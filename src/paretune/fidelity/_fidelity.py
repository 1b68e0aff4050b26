"""The fidelity of a multi-fidelity study: what a cheaper trial trains less of."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Fidelity"]


@dataclass(frozen=True)
class Fidelity:
    """A training budget that trades cost for accuracy of the measurement.

    Epochs, the fraction of the training data, image resolution, boosting rounds: anything
    the objective can train less of to measure a configuration more cheaply. A scheduler
    trains many configurations at small budgets and only the promising ones at ``high``.

    Args:
        name: What the budget means, e.g. ``"epochs"`` or ``"data_fraction"``.
        low: The smallest budget worth measuring (positive).
        high: The full budget; the study's Pareto front is made of trials at ``high``.
        integer: Budgets are whole numbers (epochs). None infers it: True when both
            ``low`` and ``high`` are ints.

    Raises:
        ValueError: If ``0 < low < high`` does not hold.

    Examples:
        >>> Fidelity("epochs", 1, 27).rungs(eta=3)
        (1, 3, 9, 27)
        >>> Fidelity("data_fraction", 1 / 9, 1.0).rungs(eta=3)
        (0.1111111111111111, 0.3333333333333333, 1.0)
    """

    name: str
    low: float
    high: float
    integer: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"A fidelity needs a non-empty name, got {self.name!r}.")
        for what in ("low", "high"):
            value = getattr(self, what)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"Fidelity `{what}` must be a number, got {value!r}.")
        if not (0 < self.low < self.high and math.isfinite(self.high)):
            raise ValueError(
                f"`0 < low < high` must hold for fidelity {self.name!r}, but got "
                f"(low={self.low!r}, high={self.high!r})."
            )
        if self.integer is None:
            both_int = isinstance(self.low, int) and isinstance(self.high, int)
            object.__setattr__(self, "integer", both_int)

    def rungs(self, eta: float) -> tuple[float, ...]:
        """The budgets of successive halving: ``high * eta**-k`` down to ``low`` at least.

        Args:
            eta: The reduction factor (> 1): each rung trains ``eta`` times longer than the
                one below and keeps about ``1 / eta`` of its configurations.

        Returns:
            The budgets from smallest to ``high``; integer fidelities are rounded (and
            repeated values merged).
        """
        if not eta > 1:
            raise ValueError(f"`eta` must be greater than 1, got {eta!r}.")
        top = math.floor(math.log(self.high / self.low) / math.log(eta) + 1e-9)
        budgets = [self.high * eta ** (k - top) for k in range(top + 1)]
        if not self.integer:
            budgets[-1] = self.high
            return tuple(float(b) for b in budgets)
        rounded: list[float] = []
        for b in budgets:
            value = max(round(b), math.ceil(self.low))
            if not rounded or value > rounded[-1]:
                rounded.append(value)
        return tuple(rounded)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return {"name": self.name, "low": self.low, "high": self.high, "integer": self.integer}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Fidelity | None:
        """The fidelity stored by :meth:`to_json`, or None."""
        if not data:
            return None
        return cls(data["name"], data["low"], data["high"], data.get("integer"))

    def __str__(self) -> str:
        return f"{self.name} in [{self.low:g}, {self.high:g}]"
