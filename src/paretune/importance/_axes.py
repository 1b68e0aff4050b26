"""Putting one parameter's values on an axis the divergence can be estimated on.

A numerical parameter becomes a position in ``[0, 1]`` (in the log for a log-scaled one);
a categorical parameter, or an integer or stepped parameter with at most
:data:`MAX_LEVELS` values, becomes the index of its level. When the trials drew a parameter
from different ranges (a search space narrowed mid-study), the axis spans them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Sequence
from typing import Any
from typing import Protocol

import numpy as np

from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.distributions import FloatDistribution
from paretune.distributions import IntDistribution
from paretune.importance._divergence import continuous_divergence
from paretune.importance._divergence import level_divergence

MAX_LEVELS = 8
"""An integer or stepped parameter with at most this many values is treated as levels."""


class Axis(Protocol):
    """How one parameter's values are placed and compared."""

    def divergence(self, values: Sequence[Any], top: np.ndarray) -> float:
        """The Pearson divergence of the top trials' values from all the trials' values.

        Args:
            values: The parameter's value in each trial, as the trials hold it.
            top: Boolean mask of the top trials, one entry per value.
        """
        ...


class _Numeric:
    """Positions in ``[0, 1]`` between the lowest and highest bounds seen."""

    def __init__(self, low: float, high: float, log: bool) -> None:
        self._log = log
        self._low = math.log(low) if log else low
        self._high = math.log(high) if log else high

    def divergence(self, values: Sequence[Any], top: np.ndarray) -> float:
        x = np.asarray(values, dtype=np.float64)
        if self._log:
            x = np.log(x)
        width = self._high - self._low
        units = (x - self._low) / width if width > 0 else np.full_like(x, 0.5)
        return continuous_divergence(np.clip(units, 0.0, 1.0), top)


class _Levels:
    """Indices of levels, each named by a key; a value's key is ``key_of(value)``."""

    def __init__(
        self, keys: Sequence[Hashable], key_of: Callable[[Any], Hashable] | None = None
    ) -> None:
        self._keys = tuple(dict.fromkeys(keys))
        self._key_of = key_of or _choice_key

    def divergence(self, values: Sequence[Any], top: np.ndarray) -> float:
        index = {key: i for i, key in enumerate(self._keys)}
        codes = [index.setdefault(self._key_of(v), len(index)) for v in values]
        return level_divergence(np.asarray(codes, dtype=np.int64), top, len(index))


def _choice_key(value: Any) -> Hashable:
    """A categorical choice as a dict key that keeps ``1``, ``1.0`` and ``True`` apart."""
    return (type(value).__name__, value)


def _lattice(distributions: Sequence[Distribution]) -> tuple[float, float, float] | None:
    """``(low, high, step)`` when every distribution is an integer or stepped float one,
    all with the same step, else None."""
    steps: set[float] = set()
    bounds: list[tuple[float, float]] = []
    for d in distributions:
        if isinstance(d, IntDistribution):
            steps.add(float(d.step))
        elif isinstance(d, FloatDistribution) and d.step is not None:
            steps.add(d.step)
        else:
            return None
        bounds.append((d.low, d.high))
    if len(steps) != 1:
        return None
    return min(b[0] for b in bounds), max(b[1] for b in bounds), steps.pop()


def axis_for(distributions: Sequence[Distribution], values: Sequence[Any]) -> Axis:
    """The axis of a parameter drawn from ``distributions`` (one per trial that has it).

    Args:
        distributions: The distributions the trials drew the parameter from, at least one.
        values: The values they drew, for a parameter whose distributions disagree in kind
            (which a study refuses): then the distinct values are its levels.

    Returns:
        The parameter's :class:`Axis`.
    """
    categorical = [d for d in distributions if isinstance(d, CategoricalDistribution)]
    numeric = [d for d in distributions if not isinstance(d, CategoricalDistribution)]
    if categorical and numeric:
        return _Levels([_choice_key(v) for v in values])
    if categorical:
        return _Levels([_choice_key(c) for d in categorical for c in d.choices])
    lattice = _lattice(numeric)
    if lattice is not None:
        low, high, step = lattice
        n = round((high - low) / step) + 1
        if n <= MAX_LEVELS:
            return _Levels(range(n), lambda v: min(max(round((v - low) / step), 0), n - 1))
    log = all(d.log for d in numeric)
    return _Numeric(min(d.low for d in numeric), max(d.high for d in numeric), log)
