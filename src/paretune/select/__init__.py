"""Choosing the operating point: the one trial to ship from a study's Pareto front.

A rule is a small frozen object; apply it with :meth:`paretune.Study.select` (candidates
default to the Pareto front) or its own ``choose`` method:

- :class:`Knee`: the knee of the front, where trade-offs turn steep.
- :class:`EpsilonConstraint`: the best in one metric within limits on the others,
  optionally at a confidence level over re-evaluation repeats.
- :class:`Weighted` and :class:`Chebyshev`: scalarisations of normalised objectives.

Every rule treats trials that measured the same as one candidate
(:func:`distinct`) and returns the lowest-numbered trial of the group it picks.
"""

from paretune.select._base import SelectionRule as SelectionRule
from paretune.select._epsilon import EpsilonConstraint as EpsilonConstraint
from paretune.select._epsilon import Limit as Limit
from paretune.select._knee import Knee as Knee
from paretune.select._scalar import Chebyshev as Chebyshev
from paretune.select._scalar import Weighted as Weighted
from paretune.select._ties import distinct as distinct

__all__ = [
    "Chebyshev",
    "EpsilonConstraint",
    "Knee",
    "Limit",
    "SelectionRule",
    "Weighted",
    "distinct",
]
