"""The knee of the front: where giving up a little of one objective stops buying much."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from paretune.select._base import SelectionRule
from paretune.select._space import best
from paretune.select._space import groups_of
from paretune.select._space import normalised

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["Knee"]


@dataclass(frozen=True)
class Knee(SelectionRule):
    """The knee point of the candidates, found on objectives normalised to ``[0, 1]``.

    Objectives are turned into losses and scaled to ``[0, 1]`` over the candidates
    (0 is the best value any candidate reached), so units do not matter.

    - **Two objectives:** the maximum distance to the chord. Draw the line through the
      two extreme candidates (the best in each objective); the knee is the candidate
      farthest from that line on the side of the ideal point. This is the criterion of
      Kneedle (Satopää, Albrecht, Irwin and Raghavan, 2011, "Finding a 'Kneedle' in a
      Haystack") and of the distance from the convex hull of individual minima in Das's
      normal-boundary-intersection knee (Das, 1999).
    - **Three or more objectives:** the candidate closest (Euclidean distance) to the
      ideal point, 0 in every objective: the compromise solution of compromise
      programming (Zeleny, 1973). With one objective, the best candidate.

    A two-objective front with no candidate strictly on the ideal side of the chord (a
    straight or concave front, or only the two extremes) has no knee; the rule then falls
    back to the candidate closest to the ideal point. Ties follow
    :class:`SelectionRule`'s contract.

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(objectives={"accuracy": "maximize", "eo_diff": "minimize"})
        >>> for acc, eo in [(0.80, 0.01), (0.86, 0.02), (0.88, 0.08)]:
        ...     _ = study.tell(study.ask(), {"accuracy": acc, "eo_diff": eo})
        >>> study.select(pt.select.Knee()).number
        1
    """

    def choose(self, study: Study, candidates: Sequence[TrialRecord]) -> TrialRecord:
        """Pick the knee of ``candidates`` (see the class docstring).

        Args:
            study: The study the candidates belong to.
            candidates: Complete trials of ``study``.

        Returns:
            The knee candidate (the lowest-numbered trial of its tie group).

        Raises:
            NoSelectionError: If ``candidates`` is empty.
            ValueError: If a candidate is not a complete trial.
        """
        trials = groups_of(study, candidates, self)
        points, _ = normalised(study, trials)
        to_ideal = np.linalg.norm(points, axis=1)
        if points.shape[1] == 2:
            gain = _beyond_chord(points)
            if gain is not None and gain.max() > 1e-12:
                return best(trials, list(-gain), list(to_ideal))
        return best(trials, list(to_ideal))


def _beyond_chord(points: np.ndarray) -> np.ndarray | None:
    """Signed distance of each ``n x 2`` point to the line through the two extreme points,
    positive on the side of the origin; None when the extremes coincide."""
    first = min(range(len(points)), key=lambda i: (points[i, 0], points[i, 1]))
    second = min(range(len(points)), key=lambda i: (points[i, 1], points[i, 0]))
    a, b = points[first], points[second]
    direction = b - a
    length = float(np.hypot(*direction))
    if length <= 0.0:
        return None
    normal = np.array([direction[1], -direction[0]]) / length
    if float(normal @ a) > 0.0:  # point the normal at the ideal point, the origin
        normal = -normal
    return np.asarray((points - a) @ normal, dtype=float)
