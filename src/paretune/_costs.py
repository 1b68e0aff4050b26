"""What trials cost: told costs, their unit, and the wall-clock fallback.

A trial's cost is the compute its training took, in the study's cost unit
(``create_study(cost_unit="s")``; any unit name such as ``"gpu_h"`` or ``"usd"``). It is
*told*: ``study.tell(trial, metrics, cost=...)``, or ``trial.report(metrics, step, cost=...)``
with the cumulative cost of the training so far, whose last value becomes the trial's cost
when ``tell`` gives none. A trial that told no cost has only its wall-clock duration.

**The mixing rule.** Everything that acts on costs (``optimize(max_cost=...)``, the
schedulers' cost rules, the fidelity report) reads them through a :class:`CostBasis`:

* once any complete trial of the study told a cost, only told costs count, in the study's
  unit; trials without one count for nothing (neither in rung costs nor towards
  ``max_cost``), since seconds cannot be added to GPU-hours or dollars;
* while no complete trial told one, every trial's duration counts, in seconds.

Told costs make every decision a function of the trials alone, so a seeded study decides the
same in any process; the wall-clock fallback is the one source of non-determinism left.
(A top-level module so that trials, schedulers, storages and the study can all use it.)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from paretune._values import TrialState

__all__ = [
    "DEFAULT_COST_UNIT",
    "CostBasis",
    "CostMeter",
    "check_cost",
    "check_cost_unit",
    "cost_basis",
]

DEFAULT_COST_UNIT = "s"
"""The unit of a study created without ``cost_unit``, and of wall-clock durations."""

_MAX_UNIT_LENGTH = 32


class _Costed(Protocol):
    """What :class:`CostBasis` reads of a trial record."""

    @property
    def cost(self) -> float | None: ...

    @property
    def duration(self) -> float | None: ...

    @property
    def state(self) -> TrialState: ...


def check_cost(value: Any, *, what: str) -> float:
    """``value`` as a float when it is a valid cost: a finite real number ``>= 0``.

    Args:
        value: The cost given by the user.
        what: Where it was given, for the message (``"tell of trial 3"``).

    Raises:
        ValueError: On a bool, a non-number, NaN, infinity or a negative number.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"The `cost` of the {what} must be a number (the compute the training took, in "
            f"the study's cost unit), got {value!r}; pass a float such as 0.25, or leave it "
            "out to fall back to the trial's duration."
        )
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(
            f"The `cost` of the {what} must be a finite number >= 0, got {value!r}; pass "
            "the compute the training took (0 for a cached result), or leave it out to fall "
            "back to the trial's duration."
        )
    return number


def check_cost_unit(unit: Any) -> str:
    """``unit`` when it is a valid cost-unit name: 1 to 32 printable characters, no spaces.

    Raises:
        ValueError: On anything else.
    """
    if (
        not isinstance(unit, str)
        or not 0 < len(unit) <= _MAX_UNIT_LENGTH
        or not unit.isprintable()
        or any(c.isspace() for c in unit)
    ):
        raise ValueError(
            f"`cost_unit` must name the unit costs are told in, in 1 to {_MAX_UNIT_LENGTH} "
            f"characters without spaces (such as 's', 'gpu_h' or 'usd'), got {unit!r}."
        )
    return unit


@dataclass(frozen=True)
class CostBasis:
    """Which cost of a trial counts (see the mixing rule in the module docstring).

    Attributes:
        told: True when told costs count (some complete trial told one); False when
            wall-clock durations do.
        unit: The unit of the costs that count: the study's cost unit when told, ``"s"``
            otherwise.
    """

    told: bool = False
    unit: str = DEFAULT_COST_UNIT

    def of(self, record: _Costed) -> float | None:
        """What ``record`` cost on this basis: its told cost, or its duration; None when
        it has none (unfinished, or no told cost on a told basis)."""
        return record.cost if self.told else record.duration


def cost_basis(trials: Iterable[_Costed], unit: str = DEFAULT_COST_UNIT) -> CostBasis:
    """The basis of a study whose trials are ``trials`` and whose cost unit is ``unit``:
    told costs once any complete trial told one, else durations in seconds."""
    told = any(r.cost is not None and r.state is TrialState.COMPLETE for r in trials)
    return CostBasis(True, unit) if told else CostBasis()


class CostMeter:
    """Adds up what the trials of one ``optimize`` call cost, for ``max_cost``.

    Told costs and durations are summed apart; :attr:`spent` is the told sum once any
    finished trial told a cost, else the summed durations (the mixing rule, applied to the
    trials of the call). Not thread-safe: the caller holds its lock.
    """

    def __init__(self) -> None:
        self.told = 0.0
        self.seconds = 0.0
        self.any_told = False

    def add(self, record: _Costed) -> None:
        """Count a finished trial."""
        if record.cost is not None:
            self.told += record.cost
            self.any_told = True
        self.seconds += record.duration or 0.0

    @property
    def spent(self) -> float:
        """The compute counted so far (told costs, or seconds while none was told)."""
        return self.told if self.any_told else self.seconds
