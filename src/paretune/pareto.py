"""Pareto maths on loss vectors, where every objective is minimised.

To use these on a study's metrics, turn each objective into a loss with
:attr:`paretune.objectives.Objective.sign` (``Study.losses`` does this for you).

Examples:
    >>> from paretune.pareto import hypervolume, nondominated_sort
    >>> nondominated_sort([[1, 2], [2, 1], [2, 2]]).tolist()
    [0, 0, 1]
    >>> hypervolume([[1, 2], [2, 1]], reference=[3, 3])
    3.0
"""

from paretune._hypervolume._exact import hypervolume as hypervolume
from paretune._hypervolume._exact import hypervolume_contributions as hypervolume_contributions
from paretune._pareto._crowding import crowding_distance as crowding_distance
from paretune._pareto._dominance import constraint_dominates as constraint_dominates
from paretune._pareto._dominance import dominates as dominates
from paretune._pareto._dominance import is_pareto_efficient as is_pareto_efficient
from paretune._pareto._sorting import constrained_nondominated_sort as constrained_nondominated_sort
from paretune._pareto._sorting import nondominated_sort as nondominated_sort

__all__ = [
    "constrained_nondominated_sort",
    "constraint_dominates",
    "crowding_distance",
    "dominates",
    "hypervolume",
    "hypervolume_contributions",
    "is_pareto_efficient",
    "nondominated_sort",
]
