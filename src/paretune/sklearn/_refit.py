"""Which trial ``refit`` picks from the front."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune.select import Knee
from paretune.select import SelectionRule
from paretune.select import Weighted
from paretune.sklearn._scoring import Scoring
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["Chooser", "resolve_refit"]

Chooser = Callable[["Study", Sequence[TrialRecord]], TrialRecord]
"""``choose(study, front) -> record``."""


def resolve_refit(refit: Any, scoring: Scoring) -> Chooser | None:
    """How to pick the trial to refit, checked before any trial runs.

    - True: :class:`~paretune.select.Knee` on the feasible front (with one objective,
      the best trial).
    - A :class:`~paretune.select.SelectionRule`: that rule on the front.
    - A scorer name: the front's best on that score (ties go to the trial best on the
      other objectives, normalised and summed, then to the lowest number).
    - A callable ``(study) -> TrialRecord``: its choice, any complete trial.
    - False: None (no refit).

    Raises:
        ValueError: On a name that is no scorer (the message lists them).
        TypeError: On anything else.
    """
    if refit is False:
        return None
    if refit is True:
        rule: SelectionRule = Knee()
    elif isinstance(refit, SelectionRule):
        rule = refit
    elif isinstance(refit, str):
        if refit not in scoring.scorers:
            raise ValueError(
                f"refit={refit!r} names no scorer; use one of {list(scoring.scorers)}, True, "
                "False, a pt.select rule or a callable."
            )
        rule = Weighted({refit: 1.0})
    elif callable(refit):
        return _by_callable(refit)
    else:
        raise TypeError(
            "`refit` must be True, False, a scorer name, a pt.select rule such as "
            f"pt.select.Knee(), or a callable (study) -> TrialRecord, got {refit!r}."
        )
    return lambda study, front: study.select(rule, candidates=front)


def _by_callable(refit: Callable[[Study], Any]) -> Chooser:
    def choose(study: Study, front: Sequence[TrialRecord]) -> TrialRecord:
        chosen = refit(study)
        if not isinstance(chosen, TrialRecord) or chosen.state is not TrialState.COMPLETE:
            raise ValueError(
                f"The refit callable must return a complete TrialRecord of the study, got "
                f"{chosen!r}."
            )
        return chosen

    return choose
