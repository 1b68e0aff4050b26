"""What ``Study.tell`` stores: the finished state, the cleaned outcome and the told cost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from paretune._costs import check_cost
from paretune.study._failures import kind_for_told_failure
from paretune.study._outcome import evaluate_outcome
from paretune.trial import FailKind
from paretune.trial import Trial
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["finish_values", "parse_state"]


def parse_state(state: TrialState | str) -> TrialState:
    """``state`` as a :class:`TrialState`.

    Raises:
        ValueError: On an unknown state name.
    """
    if isinstance(state, TrialState):
        return state
    try:
        return TrialState(str(state).lower())
    except ValueError:
        raise ValueError(
            f"Unknown trial state {state!r}; use 'complete', 'stopped' or 'failed'."
        ) from None


def finish_values(
    study: Study,
    trial_id: int,
    live: Trial | None,
    metrics: Mapping[str, float] | float | None,
    *,
    state: TrialState | str | None,
    fail_reason: str | None,
    traceback: str | None,
    fail_kind: FailKind | str | None,
    cost: float | None,
) -> dict[str, Any]:
    """The keyword arguments of :meth:`BaseStorage.finish_trial` (all but ``now``) for a
    tell; see :meth:`Study.tell` for the arguments and the rules.

    The cost is the told one, else the cost of the trial's last report that had one (None
    when neither was told). Invalid metrics make a failed trial (kind
    ``invalid_metrics``); an :class:`~paretune.evaluate.Evaluation`'s per-group breakdown
    is stored as the trial's user attribute ``"evaluation"``.

    Raises:
        ValueError: If neither metrics nor a state are given, the state is unknown or not
            finished, ``fail_kind`` is unknown, or ``cost`` is not a finite number >= 0.
    """
    number = live.number if live is not None else None
    told_cost = None
    if cost is not None:
        where = "tell" if number is None else f"tell of trial {number}"
        told_cost = check_cost(cost, what=where)
    parsed = None if state is None else parse_state(state)
    if parsed is None:
        if metrics is None:
            raise ValueError(
                "Pass the trial's metrics, or state='failed' / state='stopped' to end it "
                "without them."
            )
        parsed = TrialState.COMPLETE
    if not parsed.is_finished:
        raise ValueError(f"A trial can only be told as finished, not {parsed.value!r}.")
    kind = kind_for_told_failure(fail_kind, fail_reason) if parsed is TrialState.FAILED else None
    if told_cost is None:
        told_cost = _reported_cost(study, trial_id, live)
    clean: dict[str, float] = {}
    violations: dict[str, float] = {}
    breakdown = getattr(metrics, "breakdown", None)
    if callable(breakdown):  # a paretune.evaluate.Evaluation: keep its per-group detail
        study.storage.set_trial_user_attr(trial_id, "evaluation", breakdown())
    if parsed is TrialState.COMPLETE:
        outcome = evaluate_outcome(metrics, study.objectives, study.constraints)
        if outcome.problem is not None:
            parsed, kind = TrialState.FAILED, FailKind.INVALID_METRICS
            fail_reason = f"invalid metrics: {outcome.problem}"
        clean, violations = outcome.metrics, outcome.violations
    elif metrics is not None:
        clean = evaluate_outcome(metrics, (), ()).metrics
    return {
        "state": parsed,
        "metrics": clean,
        "constraints": violations,
        "fail_reason": fail_reason
        or (None if parsed is TrialState.COMPLETE else f"told as {parsed.value}"),
        "traceback": traceback,
        "fail_kind": kind,
        "cost": told_cost,
    }


def _reported_cost(study: Study, trial_id: int, live: Trial | None) -> float | None:
    """The cost of the trial's last report that told one (read from the storage when the
    trial is told by number)."""
    if live is not None:
        return live.reported_cost
    costs = study.storage.get_trial(trial_id).report_costs
    return costs[max(costs)] if costs else None
