"""Search-space helpers shared by model-based samplers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.trial import TrialRecord


def intersection_space(trials: Sequence[TrialRecord]) -> dict[str, Distribution]:
    """Parameters present, with the same distribution, in every one of ``trials``.

    These can be modelled jointly; the rest are conditional and sampled one at a time.
    Names are returned sorted, so the order does not depend on suggestion order.
    """
    if not trials:
        return {}
    common = dict(trials[0].distributions)
    for t in trials[1:]:
        for name in list(common):
            if t.distributions.get(name) != common[name]:
                del common[name]
    return {name: common[name] for name in sorted(common)}


def union_space(trials: Sequence[TrialRecord]) -> dict[str, Distribution]:
    """Parameters any of ``trials`` has, each with one distribution in all that have it.

    A name seen with two different distributions is left out (it cannot be encoded on one
    axis). Names are returned sorted.
    """
    seen: dict[str, Distribution] = {}
    clashing: set[str] = set()
    for t in trials:
        for name, dist in t.distributions.items():
            if seen.setdefault(name, dist) != dist:
                clashing.add(name)
    return {name: seen[name] for name in sorted(seen) if name not in clashing}


def has_space(trial: TrialRecord, space: dict[str, Distribution]) -> bool:
    """Whether ``trial`` has every parameter of ``space``, with the same distribution."""
    return all(trial.distributions.get(name) == dist for name, dist in space.items())


def encode(trials: Sequence[TrialRecord], space: dict[str, Distribution]) -> np.ndarray:
    """Encode the trials' values of ``space`` as an ``n x d`` array.

    Numerical parameters map into ``[0, 1]`` with ``to_unit`` (log scale and steps
    included); categorical ones become the index of the choice. A parameter a trial does
    not have (a conditional one) is NaN.
    """
    out = np.full((len(trials), len(space)), np.nan, dtype=np.float64)
    for i, t in enumerate(trials):
        for j, (name, dist) in enumerate(space.items()):
            if name in t.params:
                out[i, j] = encode_value(dist, t.params[name])
    return out


def encode_value(distribution: Distribution, value: Any) -> float:
    """One value on the axis :func:`encode` uses: the choice's index for a categorical
    parameter, ``to_unit`` for a numerical one."""
    if isinstance(distribution, CategoricalDistribution):
        return float(distribution.index(value))
    return float(distribution.to_unit(value))


def decode(row: np.ndarray, space: dict[str, Distribution]) -> dict[str, object]:
    """Turn one encoded row back into parameter values of ``space``."""
    values: dict[str, object] = {}
    for j, (name, dist) in enumerate(space.items()):
        if isinstance(dist, CategoricalDistribution):
            values[name] = dist.choices[int(row[j])]
        else:
            values[name] = dist.from_unit(float(row[j]))
    return values
