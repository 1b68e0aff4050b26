"""Pulling what the plots show out of a study: trial groups, labels and hover text."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.objectives import Objective
from paretune.pareto import is_pareto_efficient
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = [
    "TrialGroups",
    "at_full_budget",
    "esc",
    "fmt",
    "group_trials",
    "hover_text",
    "no_complete_message",
    "numbers_note",
    "objective_label",
    "params_text",
    "pick_objectives",
]


@dataclass
class TrialGroups:
    """A study's trials sorted by what a front plot does with them.

    Attributes:
        front: Feasible complete trials no other one dominates (``Study.pareto_front()``).
        dominated: Feasible complete trials that some front member dominates.
        infeasible: Complete trials that violate a hard constraint.
        failed: Failed trials (no metrics to place).
        stopped: Trials stopped early (no final metrics to compare).
        lower_budget: In a study with a fidelity, complete trials below the full budget
            (not comparable with the front).
    """

    front: list[TrialRecord] = field(default_factory=list)
    dominated: list[TrialRecord] = field(default_factory=list)
    infeasible: list[TrialRecord] = field(default_factory=list)
    failed: list[TrialRecord] = field(default_factory=list)
    stopped: list[TrialRecord] = field(default_factory=list)
    lower_budget: list[TrialRecord] = field(default_factory=list)

    @property
    def shown(self) -> list[TrialRecord]:
        """The complete trials a front plot places, in number order."""
        return sorted(self.front + self.dominated + self.infeasible, key=lambda r: r.number)


def at_full_budget(study: Study, record: TrialRecord) -> bool:
    """Whether a trial's measurement is comparable with the front (as ``pareto_front``)."""
    if study.fidelity is None:
        return True
    return record.budget is not None and bool(np.isclose(record.budget, study.fidelity.high))


def group_trials(study: Study, records: Sequence[TrialRecord]) -> TrialGroups:
    """Sort ``records`` (a study's trials) into the groups of :class:`TrialGroups`.

    The front is computed as :meth:`Study.pareto_front` computes it, without its warning
    when no trial is feasible.
    """
    groups = TrialGroups()
    feasible: list[TrialRecord] = []
    for record in records:
        if record.state is TrialState.FAILED:
            groups.failed.append(record)
        elif record.state is TrialState.STOPPED:
            groups.stopped.append(record)
        elif record.state is TrialState.COMPLETE:
            if not at_full_budget(study, record):
                groups.lower_budget.append(record)
            elif record.feasible:
                feasible.append(record)
            else:
                groups.infeasible.append(record)
    if feasible:
        mask = is_pareto_efficient(study.losses(feasible))
        for record, on_front in zip(feasible, mask, strict=True):
            (groups.front if on_front else groups.dominated).append(record)
    return groups


def no_complete_message(study: Study, groups: TrialGroups) -> str | None:
    """Why a study has nothing to compare yet, or None when it has complete trials."""
    if groups.shown:
        return None
    if groups.lower_budget and study.fidelity is not None:
        return (
            f"Study {study.name!r} has no complete trials at the full budget "
            f"({study.fidelity.name}={fmt(study.fidelity.high)}) yet."
        )
    return f"Study {study.name!r} has no complete trials yet."


def pick_objectives(study: Study, names: Sequence[str] | None) -> list[Objective]:
    """The study's objectives named in ``names`` (all of them for None), in that order.

    Raises:
        ValueError: On an unknown or repeated name.
    """
    if names is None:
        return list(study.objectives)
    if isinstance(names, str):
        raise TypeError(f"`objectives` must be a list of names, got the string {names!r}.")
    by_name = {o.name: o for o in study.objectives}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(
            f"Study {study.name!r} has no objective(s) {unknown!r}; its objectives are "
            f"{list(by_name)!r}."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"`objectives` names an objective twice: {list(names)!r}.")
    return [by_name[n] for n in names]


def objective_label(objective: Objective) -> str:
    """An axis title: the objective's name and direction (escaped for plotly)."""
    return esc(f"{objective.name} ({objective.direction.value})")


def esc(text: Any) -> str:
    """``text`` made safe for plotly's HTML-like labels (``<``, ``>`` and ``&`` escaped)."""
    return html.escape(str(text), quote=False)


def fmt(value: Any) -> str:
    """A short display form of a parameter or metric value."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    return str(value)


def hover_text(record: TrialRecord, *, budget_name: str | None = None) -> str:
    """Hover text for one trial: number, budget, every metric, feasibility, parameters."""
    lines = [f"<b>Trial {record.number}</b> ({record.state.value})"]
    if record.budget is not None:
        lines.append(f"{esc(budget_name or 'budget')}: {fmt(record.budget)}")
    lines += [f"{esc(k)}: {fmt(v)}" for k, v in record.metrics.items()]
    if record.constraints:
        violated = [esc(m) for m, v in record.constraints.items() if v > 0]
        lines.append("feasible" if not violated else f"violates {', '.join(violated)}")
    if record.params:
        lines.append(params_text(record.params))
    return "<br>".join(lines)


def params_text(params: Mapping[str, Any]) -> str:
    """Hover lines for a trial's parameters."""
    lines = ["<i>params</i>"]
    lines += [f"  {esc(k)}: {esc(fmt(v))}" for k, v in params.items()]
    return "<br>".join(lines)


def numbers_note(records: Sequence[TrialRecord], limit: int = 8) -> str:
    """``#3, #7, #9`` for a few trials, ``#3, #7, … (+12 more)`` for many."""
    numbers = [f"#{r.number}" for r in records[:limit]]
    more = len(records) - limit
    return ", ".join(numbers) + (f", … (+{more} more)" if more > 0 else "")
