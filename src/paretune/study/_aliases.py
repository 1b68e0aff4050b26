"""Optuna's names for what a study already offers, so that Optuna habits keep working.

paretune's own names stay primary in the docs; these are aliases:
``study.best_trials`` is :meth:`~paretune.study.Study.pareto_front` and
``study.directions`` lists the objectives' directions. (``optimize(n_jobs=...)`` is the
alias of ``n_workers``.)
"""

from __future__ import annotations

import abc

from paretune.objectives import Direction
from paretune.objectives import Objective
from paretune.trial import TrialRecord

__all__ = ["OptunaAliases"]


class OptunaAliases(abc.ABC):
    """Optuna-named read-only properties (mixed into :class:`~paretune.study.Study`)."""

    @property
    @abc.abstractmethod
    def objectives(self) -> tuple[Objective, ...]:
        """The objectives, in order."""

    @abc.abstractmethod
    def pareto_front(self) -> list[TrialRecord]:
        """The feasible, non-dominated complete trials."""

    @property
    def best_trials(self) -> list[TrialRecord]:
        """Optuna's name for :meth:`pareto_front`: the feasible non-dominated complete trials,
        ordered by number (an alias; it warns as ``pareto_front`` does)."""
        return self.pareto_front()

    @property
    def directions(self) -> tuple[Direction, ...]:
        """The objectives' directions, in objective order (Optuna's ``study.directions``).

        :class:`~paretune.objectives.Direction` members are strings too, so
        ``study.directions == ("maximize", "minimize")`` holds for such a study; prefer
        :attr:`objectives`, which names them.
        """
        return tuple(o.direction for o in self.objectives)
