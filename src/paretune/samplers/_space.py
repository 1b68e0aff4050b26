"""Search-space helpers shared by model-based samplers."""

from __future__ import annotations

from collections.abc import Sequence

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


def has_space(trial: TrialRecord, space: dict[str, Distribution]) -> bool:
    """Whether ``trial`` has every parameter of ``space``, with the same distribution."""
    return all(trial.distributions.get(name) == dist for name, dist in space.items())


def encode(trials: Sequence[TrialRecord], space: dict[str, Distribution]) -> np.ndarray:
    """Encode the trials' values of ``space`` as an ``n x d`` array.

    Numerical parameters map into ``[0, 1]`` with ``to_unit`` (log scale and steps
    included); categorical ones become the index of the choice.
    """
    out = np.empty((len(trials), len(space)), dtype=np.float64)
    for j, (name, dist) in enumerate(space.items()):
        if isinstance(dist, CategoricalDistribution):
            out[:, j] = [dist.index(t.params[name]) for t in trials]
        else:
            out[:, j] = [dist.to_unit(t.params[name]) for t in trials]
    return out


def decode(row: np.ndarray, space: dict[str, Distribution]) -> dict[str, object]:
    """Turn one encoded row back into parameter values of ``space``."""
    values: dict[str, object] = {}
    for j, (name, dist) in enumerate(space.items()):
        if isinstance(dist, CategoricalDistribution):
            values[name] = dist.choices[int(row[j])]
        else:
            values[name] = dist.from_unit(float(row[j]))
    return values
