"""Rank complete trials by constraint-domination and pick the "good" ones.

Used by TPE (good vs bad densities) and by NSGA-II (elitist survival); the selection rule
itself lives in :mod:`paretune._pareto._select`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paretune._pareto._select import normalise as normalise
from paretune._pareto._select import select_best as select_best
from paretune.trial import TrialRecord

if TYPE_CHECKING:
    from paretune.study import Study


def losses_and_violations(
    study: Study, trials: Sequence[TrialRecord]
) -> tuple[np.ndarray, np.ndarray]:
    """Objective losses (``n x m``, minimised) and total constraint violation per trial."""
    losses = study.losses(trials)
    violations = np.array([t.total_violation for t in trials], dtype=np.float64)
    return losses, violations
