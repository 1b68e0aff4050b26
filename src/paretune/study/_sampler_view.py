"""What samplers learn from: results measured at one budget, stopped trials included.

A sampler compares trials by their metrics, so every trial it sees must have been measured
at the same budget: a configuration trained for 3 epochs is not worse than one trained
for 27 because its accuracy is lower.

* **Budgeted studies** (with a :class:`~paretune.fidelity.Fidelity`): the complete trials
  at the highest budget with at least :data:`MODEL_MIN_OBSERVATIONS` of them (the budget
  with most while none has that many). This is BOHB's rule.
* **Training-loop studies** (a scheduler stops trials from their ``trial.report`` calls):
  while fewer than :data:`MODEL_MIN_OBSERVATIONS` trials have completed, the sampler
  learns from the highest reported step that at least that many finished trials reached,
  *stopped ones included*, each represented by its first report at or after that step.
  Successive halving with ``eta = 3`` and four rungs completes about one trial in 27, so
  without this the sampler would see a few survivors for hundreds of trials and never the
  configurations that were stopped for doing badly. Once enough trials have completed, it
  learns from them. A report lacking an objective does not count; a constrained metric
  missing from a report counts as no violation.
* Otherwise: every complete trial.

Failed trials are shown apart (:func:`failures_for_sampler`): a configuration whose
objective raised, returned invalid metrics (NaN, infinity, a missing objective), ran past
``trial_timeout`` or crashed its process is likely to fail again, so model-based samplers
count the region around it as bad and stop proposing it. A trial failed because its worker
process ended, because the objective raised
:class:`~paretune.exceptions.UnrelatedFailure` (a preempted machine, say), or because
Ctrl-C interrupted it, is left out: that says nothing about its configuration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paretune.schedulers._placement import measured_at
from paretune.trial import Placement
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = [
    "MODEL_MIN_OBSERVATIONS",
    "failures_for_sampler",
    "trials_for_sampler",
]

MODEL_MIN_OBSERVATIONS = 10
"""Results a budget (or reported step) needs before samplers learn from it."""


def failures_for_sampler(study: Study) -> list[TrialRecord]:
    """Failed trials whose configuration failed, at any budget (rules in the module
    docstring)."""
    return [
        record
        for record in study.get_trials(states=(TrialState.FAILED,))
        if record.fail_kind is None or record.fail_kind.blames_configuration
    ]


def trials_for_sampler(study: Study) -> list[TrialRecord]:
    """The trials ``study``'s sampler learns from (rules in the module docstring)."""
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    if study.fidelity is not None:
        return _budgeted(complete)
    if study.scheduler is None or len(complete) >= MODEL_MIN_OBSERVATIONS:
        return complete
    finished = study.get_trials(states=(TrialState.COMPLETE, TrialState.STOPPED))
    return _training_loop(study, complete, finished)


def _budgeted(complete: Sequence[TrialRecord]) -> list[TrialRecord]:
    by_budget: dict[float, list[TrialRecord]] = {}
    for record in complete:
        if record.budget is not None:
            by_budget.setdefault(record.budget, []).append(record)
    if not by_budget:
        return []
    rich = [b for b, rs in by_budget.items() if len(rs) >= MODEL_MIN_OBSERVATIONS]
    chosen = max(rich) if rich else max(by_budget, key=lambda b: (len(by_budget[b]), b))
    return by_budget[chosen]


def _training_loop(
    study: Study, complete: list[TrialRecord], finished: Sequence[TrialRecord]
) -> list[TrialRecord]:
    """Complete trials, or every finished trial as measured at one reported step."""
    names = [o.name for o in study.objectives]
    reached: list[tuple[int, TrialRecord]] = []  # (last step with every objective, trial)
    for record in finished:
        steps = [s for s, m in record.intermediate.items() if all(n in m for n in names)]
        if steps:
            reached.append((max(steps), record))
    if not reached:
        return complete
    reached.sort(key=lambda pair: pair[0], reverse=True)
    # The highest step that enough trials reached is the step of the MIN-th furthest.
    if len(reached) >= MODEL_MIN_OBSERVATIONS:
        step = reached[MODEL_MIN_OBSERVATIONS - 1][0]
    elif len(reached) > len(complete):
        step = reached[-1][0]  # none has enough: the step with most results
    else:
        return complete
    views = []
    for last, record in reached:
        if last < step:
            break
        measured = measured_at(record, step, names)
        if measured is not None:
            views.append(_as_measured(study, record, step, measured))
    return sorted(views, key=lambda r: r.number)


def _as_measured(
    study: Study, record: TrialRecord, step: int, measured: Mapping[str, float]
) -> TrialRecord:
    """``record`` as a sampler sees it at ``step``: its report there as its metrics.

    The placement's budget is the step, so caches keyed by trial and budget keep each
    view apart.
    """
    violations = {
        c.metric: c.violation(measured[c.metric])
        for c in study.constraints
        if not c.soft and c.metric in measured
    }
    return dataclasses.replace(
        record,
        metrics=dict(measured),
        constraints=violations,
        placement=Placement(budget=float(step), config=record.number),
    )
