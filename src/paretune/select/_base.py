"""The abstract selection rule."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["SelectionRule"]


class SelectionRule(abc.ABC):
    """A way to pick the one trial to ship from several candidates, usually a Pareto front.

    A rule is a small frozen object holding its settings; :meth:`choose` (or
    :meth:`paretune.Study.select`) applies it to a study's trials. Subclasses implement
    :meth:`choose` and keep its contract:

    - **Input.** ``candidates`` are complete trials of ``study``, in any order; they are
      never mutated. Rules that normalise objectives do so over the candidates, so the
      choice depends on which candidates are passed, not on other trials of the study.
    - **Output.** One of the candidates, always the same one for the same study and
      candidates: no rule draws random numbers.
    - **Ties.** Candidates with identical objective and constrained-metric values form one
      group (:func:`paretune.select.distinct`); a rule compares the groups and returns the
      lowest-numbered trial of the group it picks. Groups that score equal (within
      ``1e-12``) go to the one whose lowest trial number is smallest.
    - **Errors.** :class:`~paretune.exceptions.NoSelectionError` when there is no
      candidate or none satisfies the rule (the message names the closest one);
      ``ValueError`` when the rule names a metric the study and candidates lack, listing
      the valid names, or when a candidate is not a complete trial.
    """

    @abc.abstractmethod
    def choose(self, study: Study, candidates: Sequence[TrialRecord]) -> TrialRecord:
        """Pick one of ``candidates`` by this rule.

        Args:
            study: The study the candidates belong to (it gives the objectives'
                directions, the constraints and any stored repeats).
            candidates: Complete trials of ``study``.

        Returns:
            The chosen trial's record.

        Raises:
            NoSelectionError: If ``candidates`` is empty or none satisfies the rule.
            ValueError: If the rule names an unknown metric or a candidate is incomplete.
        """
