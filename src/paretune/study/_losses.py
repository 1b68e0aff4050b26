"""Metrics as losses: what samplers, schedulers and the front compare."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence

import numpy as np

from paretune.constraints import Constraint
from paretune.objectives import Objective

__all__ = ["losses_of", "violation_of"]


def losses_of(
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    measurements: Iterable[Mapping[str, float]],
) -> np.ndarray:
    """An ``n x m`` array of losses, one row per metrics dict, one column per objective.

    Maximised objectives are negated, so smaller is better in every column. Each soft
    constraint whose metric a dict has adds its penalty, ``weight * max(0, violation)``, to
    every column of that row.
    """
    soft = [c for c in constraints if c.soft]
    rows = []
    for m in measurements:
        penalty = sum(c.penalty(m[c.metric]) for c in soft if c.metric in m)
        rows.append([o.sign * m[o.name] + penalty for o in objectives])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(objectives))


def violation_of(constraints: Sequence[Constraint], measurement: Mapping[str, float]) -> float:
    """Total positive violation of the hard constraints whose metrics ``measurement`` has."""
    return float(
        sum(
            max(0.0, c.violation(measurement[c.metric]))
            for c in constraints
            if not c.soft and c.metric in measurement
        )
    )
