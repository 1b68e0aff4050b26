"""Search-space distributions: float, int and categorical parameters.

A distribution describes the values one parameter may take. Every distribution maps its
values to and from the unit interval ``[0, 1]`` (``to_unit`` / ``from_unit``) so that
samplers can work in one continuous cube whatever the parameter's type: log-scaled
parameters are uniform in the log, stepped parameters snap to their lattice, and a
categorical's ``k`` choices each own an equal ``1/k`` slice.

Distributions are immutable, compare by value, and serialise to plain JSON (never pickle)
with :func:`distribution_to_json` and :func:`distribution_from_json`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paretune.exceptions import InvalidDistributionError

__all__ = [
    "CategoricalChoice",
    "CategoricalDistribution",
    "Distribution",
    "FloatDistribution",
    "IntDistribution",
    "distribution_from_json",
    "distribution_to_json",
]

CategoricalChoice = None | bool | int | float | str
"""The JSON scalar types a categorical choice may have."""


def _check_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise InvalidDistributionError(
            f"`{name}` must be a finite number, but got {name}={value!r}."
        )


@dataclass(frozen=True)
class FloatDistribution:
    """A real-valued parameter in ``[low, high]``.

    Args:
        low: Smallest value.
        high: Largest value; ``low <= high`` must hold.
        log: Sample uniformly in ``log(value)``; needs ``low > 0``.
        step: Restrict values to ``low + k * step``; cannot be combined with ``log``.

    Raises:
        InvalidDistributionError: On non-finite bounds, ``low > high``, ``log`` with
            ``low <= 0``, a non-positive step, or ``log`` together with ``step``.
    """

    low: float
    high: float
    log: bool = False
    step: float | None = None

    def __post_init__(self) -> None:
        _check_finite("low", self.low)
        _check_finite("high", self.high)
        if self.low > self.high:
            raise InvalidDistributionError(
                f"`low <= high` must hold, but got (low={self.low}, high={self.high}); "
                "swap the bounds."
            )
        if self.log and self.low <= 0.0:
            raise InvalidDistributionError(
                f"A log-scaled float needs `low > 0`, but got low={self.low}; "
                "use a positive lower bound or log=False."
            )
        if self.step is not None:
            if self.log:
                raise InvalidDistributionError(
                    "`step` and `log` cannot be combined for a float parameter; drop one of them."
                )
            _check_finite("step", self.step)
            if self.step <= 0:
                raise InvalidDistributionError(
                    f"`step` must be positive, but got step={self.step}."
                )
            n = math.floor((self.high - self.low) / self.step + 1e-9)
            object.__setattr__(self, "high", self.low + n * self.step)
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))

    def contains(self, value: Any) -> bool:
        """Return whether ``value`` is a float this distribution can produce."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        v = float(value)
        if not (self.low <= v <= self.high) or math.isnan(v):
            return False
        if self.step is not None:
            k = (v - self.low) / self.step
            return abs(k - round(k)) < 1e-6
        return True

    def to_unit(self, value: Any) -> float:
        """Map a value of this distribution into ``[0, 1]``."""
        v = float(value)
        if self.high == self.low:
            return 0.5
        if self.log:
            return (math.log(v) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (v - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> float:
        """Map ``u`` in ``[0, 1]`` to a valid value (clipped, snapped to the step lattice)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.high == self.low:
            return self.low
        if self.log:
            v = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        elif self.step is not None:
            n = round((self.high - self.low) / self.step)
            v = self.low + round(u * n) * self.step
        else:
            v = self.low + u * (self.high - self.low)
        return min(max(v, self.low), self.high)


@dataclass(frozen=True)
class IntDistribution:
    """An integer parameter in ``[low, high]``.

    Args:
        low: Smallest value.
        high: Largest value; ``low <= high`` must hold.
        log: Sample uniformly in ``log(value)``; needs ``low >= 1``.
        step: Restrict values to ``low + k * step``; cannot be combined with ``log``.

    Raises:
        InvalidDistributionError: On non-integer bounds, ``low > high``, ``log`` with
            ``low < 1``, a step below 1, or ``log`` together with ``step != 1``.
    """

    low: int
    high: int
    log: bool = False
    step: int = 1

    def __post_init__(self) -> None:
        for name in ("low", "high", "step"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    object.__setattr__(self, name, int(value))
                else:
                    raise InvalidDistributionError(
                        f"`{name}` of an int parameter must be an integer, but got "
                        f"{name}={value!r}; use suggest_float for real values."
                    )
        if self.low > self.high:
            raise InvalidDistributionError(
                f"`low <= high` must hold, but got (low={self.low}, high={self.high}); "
                "swap the bounds."
            )
        if self.step < 1:
            raise InvalidDistributionError(f"`step` must be >= 1, but got step={self.step}.")
        if self.log and self.low < 1:
            raise InvalidDistributionError(
                f"A log-scaled int needs `low >= 1`, but got low={self.low}; "
                "use a positive lower bound or log=False."
            )
        if self.log and self.step != 1:
            raise InvalidDistributionError(
                "`step` and `log` cannot be combined for an int parameter; drop one of them."
            )
        n = (self.high - self.low) // self.step
        object.__setattr__(self, "high", self.low + n * self.step)

    def contains(self, value: Any) -> bool:
        """Return whether ``value`` is an integer this distribution can produce."""
        if isinstance(value, bool):
            return False
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            return False
        return self.low <= value <= self.high and (value - self.low) % self.step == 0

    def to_unit(self, value: Any) -> float:
        """Map a value of this distribution into ``[0, 1]`` (the centre of its cell)."""
        v = int(value)
        if self.high == self.low:
            return 0.5
        if self.log:
            lo, hi = math.log(self.low - 0.5), math.log(self.high + 0.5)
            return (math.log(v) - lo) / (hi - lo)
        n = (self.high - self.low) // self.step + 1
        return ((v - self.low) // self.step + 0.5) / n

    def from_unit(self, u: float) -> int:
        """Map ``u`` in ``[0, 1]`` to a valid integer; every value owns an equal cell."""
        u = min(max(float(u), 0.0), 1.0)
        if self.high == self.low:
            return self.low
        if self.log:
            lo, hi = math.log(self.low - 0.5), math.log(self.high + 0.5)
            v = round(math.exp(lo + u * (hi - lo)))
            return min(max(v, self.low), self.high)
        n = (self.high - self.low) // self.step + 1
        k = min(int(u * n), n - 1)
        return self.low + k * self.step


@dataclass(frozen=True)
class CategoricalDistribution:
    """A parameter that takes one of a fixed tuple of choices.

    Args:
        choices: The candidate values: JSON scalars (None, bool, int, float, str),
            at least one, no duplicates.

    Raises:
        InvalidDistributionError: On an empty sequence, duplicates, or a choice that is not a
            JSON scalar.
    """

    choices: tuple[CategoricalChoice, ...]

    def __post_init__(self) -> None:
        if isinstance(self.choices, (str, bytes)) or not isinstance(self.choices, Sequence):
            raise InvalidDistributionError(
                f"`choices` must be a list or tuple, but got {type(self.choices).__name__}."
            )
        choices = tuple(self.choices)
        if not choices:
            raise InvalidDistributionError("`choices` must hold at least one value.")
        for c in choices:
            if c is not None and not isinstance(c, (bool, int, float, str)):
                raise InvalidDistributionError(
                    f"Categorical choices must be None, bool, int, float or str so they can be "
                    f"stored as JSON, but got {c!r} of type {type(c).__name__}; pass a key "
                    "(e.g. a string) and look the object up in your code."
                )
            if isinstance(c, float) and not math.isfinite(c):
                raise InvalidDistributionError(f"Categorical choices must be finite, got {c!r}.")
        keys = [(type(c).__name__, c) for c in choices]
        if len(set(keys)) != len(keys):
            raise InvalidDistributionError(f"`choices` must be unique, but got {list(choices)!r}.")
        object.__setattr__(self, "choices", choices)

    def index(self, value: Any) -> int:
        """Return the position of ``value`` among the choices (type-aware: 1 is not True).

        Raises:
            ValueError: If ``value`` is not one of the choices.
        """
        for i, c in enumerate(self.choices):
            if type(c) is type(value) and c == value:
                return i
        raise ValueError(f"{value!r} is not one of the choices {list(self.choices)!r}.")

    def contains(self, value: Any) -> bool:
        """Return whether ``value`` is one of the choices."""
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def to_unit(self, value: Any) -> float:
        """Map a choice to the centre of its ``1/k`` slice of ``[0, 1]``."""
        return (self.index(value) + 0.5) / len(self.choices)

    def from_unit(self, u: float) -> CategoricalChoice:
        """Map ``u`` in ``[0, 1]`` to the choice whose slice holds it."""
        k = len(self.choices)
        return self.choices[min(int(min(max(float(u), 0.0), 1.0) * k), k - 1)]


Distribution = FloatDistribution | IntDistribution | CategoricalDistribution
"""Any search-space distribution."""


def distribution_to_json(distribution: Distribution) -> dict[str, Any]:
    """Serialise a distribution to a JSON-ready dict.

    Args:
        distribution: The distribution to serialise.

    Returns:
        A dict with a ``"type"`` key (``"float"``, ``"int"`` or ``"categorical"``) and the
        distribution's fields.
    """
    if isinstance(distribution, CategoricalDistribution):
        return {"type": "categorical", "choices": list(distribution.choices)}
    return {
        "type": "float" if isinstance(distribution, FloatDistribution) else "int",
        "low": distribution.low,
        "high": distribution.high,
        "log": distribution.log,
        "step": distribution.step,
    }


def distribution_from_json(data: dict[str, Any]) -> Distribution:
    """Rebuild a distribution written by :func:`distribution_to_json`.

    Args:
        data: The dict read back from storage.

    Returns:
        The distribution.

    Raises:
        InvalidDistributionError: If the dict does not describe a known distribution.
    """
    kind = data.get("type")
    if kind == "float":
        return FloatDistribution(data["low"], data["high"], data["log"], data["step"])
    if kind == "int":
        return IntDistribution(data["low"], data["high"], data["log"], data["step"])
    if kind == "categorical":
        return CategoricalDistribution(tuple(data["choices"]))
    raise InvalidDistributionError(f"Unknown distribution type {kind!r} in {data!r}.")
