"""Conditional spaces in the unit cube: absent parameters and the shapes trials take."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from paretune.distributions import Distribution

if TYPE_CHECKING:
    from paretune.trial import TrialRecord

__all__ = ["INACTIVE", "fits", "levels_of", "shapes"]

INACTIVE = -0.5
"""Encoded value of a parameter a trial does not have (the unit cube is ``[0, 1]``)."""


def levels_of(space: dict[str, Distribution]) -> np.ndarray:
    """Per parameter, its number of categorical choices (0 for numeric ones)."""
    return np.array([len(getattr(d, "choices", ())) for d in space.values()], dtype=float)


def fits(trial: TrialRecord, space: dict[str, Distribution]) -> bool:
    """Whether ``trial``'s parameters in ``space`` have the space's distributions."""
    return all(trial.distributions[name] == space[name] for name in trial.params if name in space)


def shapes(x_unit: np.ndarray, levels: np.ndarray) -> list[dict[int, float]]:
    """The shapes of the encoded trials ``x_unit`` (NaN where a trial lacks a parameter):
    per distinct set of present columns, the columns to hold fixed: the missing ones at
    :data:`INACTIVE`, and a categorical one (``levels > 1``) at the one value all of the
    shape's trials took. One shape with nothing fixed on a flat space."""
    present = ~np.isnan(x_unit)
    if present.all():
        return [{}]
    found: list[dict[int, float]] = []
    for mask in np.unique(present, axis=0):
        rows = x_unit[np.all(present == mask, axis=1)]
        fixed = {int(j): INACTIVE for j in np.flatnonzero(~mask)}
        for j in np.flatnonzero(mask & (levels > 1)):
            if np.all(rows[:, j] == rows[0, j]):
                fixed[int(j)] = float(rows[0, j])
        found.append(fixed)
    return found
