"""What importance is measured for (targets) and over which trials."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.constraints import Constraint
    from paretune.objectives import Objective
    from paretune.study import Study

MIN_TRIALS = 5
"""The fewest complete trials importance is computed from (and the fewest trials a
conditional parameter must appear in to be scored)."""


@dataclass(frozen=True)
class Target:
    """One quantity whose drivers are looked for.

    Attributes:
        name: The objective's name or the constrained metric's name (the metric the trials
            report for it).
        loss: A trial to a number where smaller is better: the objective turned to
            minimisation, or the constraint's violation.
    """

    name: str
    loss: Callable[[TrialRecord], float]


def _objective_loss(objective: Objective) -> Callable[[TrialRecord], float]:
    return lambda record: objective.sign * record.metrics[objective.name]


def _violation(constraint: Constraint) -> Callable[[TrialRecord], float]:
    return lambda record: constraint.violation(record.metrics[constraint.metric])


def study_targets(study: Study) -> list[Target]:
    """Every objective, then every constraint (hard or soft) whose metric is not also an
    objective (that one ranks trials as the objective does, or in reverse)."""
    targets = [Target(o.name, _objective_loss(o)) for o in study.objectives]
    taken = {t.name for t in targets}
    for c in study.constraints:
        if c.metric not in taken:
            taken.add(c.metric)
            targets.append(Target(c.metric, _violation(c)))
    return targets


def find_target(study: Study, name: str) -> Target:
    """The target named ``name``.

    Raises:
        ValueError: If ``name`` is neither an objective nor a constrained metric of ``study``.
    """
    targets = study_targets(study)
    for target in targets:
        if target.name == name:
            return target
    objectives = [o.name for o in study.objectives]
    constrained = [t.name for t in targets if t.name not in objectives]
    raise ValueError(
        f"Unknown target {name!r} for study {study.name!r}; choose an objective "
        f"{objectives!r} or a constrained metric {constrained!r}."
    )


def importance_trials(study: Study, budget: float | None) -> list[TrialRecord]:
    """The complete trials measured at one budget: the study's top budget, or ``budget``.

    Raises:
        ValueError: If ``budget`` is given for a study without a fidelity, or fewer than
            :data:`MIN_TRIALS` trials are left.
    """
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    fidelity = study.fidelity
    if fidelity is None:
        if budget is not None:
            raise ValueError(
                f"`budget` is for studies with a fidelity; study {study.name!r} has none, "
                f"but got budget={budget!r}."
            )
        where = ""
        chosen = complete
    else:
        at = fidelity.high if budget is None else float(budget)
        chosen = [r for r in complete if r.budget is not None and np.isclose(r.budget, at)]
        where = f" at {fidelity.name}={at:g}" + (" (the full budget)" if budget is None else "")
    if len(chosen) < MIN_TRIALS:
        raise ValueError(
            f"Parameter importance needs at least {MIN_TRIALS} complete trials, but study "
            f"{study.name!r} has {len(chosen)}{where}; run more trials"
            + _other_budgets(complete, fidelity is not None)
            + "."
        )
    return chosen


def _other_budgets(complete: list[TrialRecord], budgeted: bool) -> str:
    """A hint naming the budgets with enough complete trials, for a budgeted study."""
    if not budgeted:
        return ""
    counts: dict[float, int] = {}
    for r in complete:
        if r.budget is not None:
            counts[r.budget] = counts.get(r.budget, 0) + 1
    enough = [f"{b:g} ({n} trials)" for b, n in sorted(counts.items()) if n >= MIN_TRIALS]
    if not enough:
        return ""
    return ", or pass `budget=` one with enough: " + ", ".join(enough)
