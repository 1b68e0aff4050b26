"""A replayed multi-fidelity problem, driven through ask/tell, recording every decision.

The replay table maps a configuration (two integer parameters) to its metrics and its cost
at each budget of ``Fidelity("epochs", 1, 9)``: what a surrogate benchmark or a job run
elsewhere would tell. Nothing here depends on the wall clock, except the jitter that
:func:`main` adds on purpose between tells, to show that decisions do not depend on it.

``python -m tests.schedulers._replay [scheduler]`` prints the decision sequence as JSON.
"""

from __future__ import annotations

import json
import random
import sys
import time
from typing import Any

import numpy as np

import paretune as pt

BUDGETS = (1, 3, 9)
GRID = (12, 10)  # values of the parameters "a" and "b"


def replay_table(
    fixed: float = 2.0, per_epoch: float = 1.0, *, mislead: bool = False
) -> dict[tuple[int, int], Any]:
    """Configuration -> {budget: (error, size, cost)}: errors that shrink with the budget
    (the cheap rungs rank roughly as the top one; with ``mislead``, in reverse), costs
    ``fixed + per_epoch * budget`` with a configuration's own factor (GPU-hours, say), all
    drawn from a fixed seed."""
    rng = np.random.default_rng(0)
    table: dict[tuple[int, int], Any] = {}
    for a in range(GRID[0]):
        for b in range(GRID[1]):
            base = 0.1 + 0.02 * abs(a - 7) + 0.03 * abs(b - 3) + 0.01 * rng.random()
            factor = 0.8 + 0.4 * rng.random()
            table[(a, b)] = {
                budget: (
                    (0.6 - base if mislead and budget < BUDGETS[-1] else base)
                    + (0.3 + 0.05 * rng.random()) / budget,
                    float(a + b) if not mislead else 1.0,
                    round(factor * (fixed + per_epoch * budget), 6),
                )
                for budget in BUDGETS
            }
    return table


def run(
    scheduler: pt.schedulers.BaseScheduler | None,
    n_trials: int = 90,
    *,
    table: dict[tuple[int, int], Any] | None = None,
    tell_costs: bool = True,
    jitter: float = 0.0,
    clock: Any = None,
    seconds_per_trial: float = 1.0,
) -> tuple[pt.Study, list[dict[str, Any]]]:
    """Run ``n_trials`` trials by ask/tell; return the study and its decisions.

    Each decision is what ``ask`` handed out (trial, configuration, budget, the trial it
    promotes, bracket) and the scheduler's trusted floor after the tell. A promoted trial
    pays only the difference between the budgets (it resumes). With ``clock`` (a
    :class:`~paretune._clock.SimulatedClock` in use), each trial takes
    ``seconds_per_trial`` of wall-clock time whatever its budget, as replayed results do.
    """
    table = replay_table() if table is None else table
    study = pt.create_study(
        objectives={"error": "minimize", "size": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=scheduler,
        cost_unit="gpu_h",
        seed=0,
    )
    decisions: list[dict[str, Any]] = []
    for _ in range(n_trials):
        trial = study.ask()
        a = trial.suggest_int("a", 0, GRID[0] - 1)
        b = trial.suggest_int("b", 0, GRID[1] - 1)
        budget = int(trial.budget or 0)
        error, size, cost = table[(a, b)][budget]
        if trial.previous_budget is not None:  # resumed from the checkpoint: pays the rest
            cost -= table[(a, b)][int(trial.previous_budget)][2]
        if jitter:
            time.sleep(random.random() * jitter)  # timing noise: must change nothing
        if clock is not None:
            clock.advance(seconds_per_trial)
        study.tell(
            trial, {"error": error, "size": size}, cost=round(cost, 6) if tell_costs else None
        )
        placement = study.trials[trial.number].placement
        assert placement is not None
        decisions.append(
            {
                "trial": trial.number,
                "params": [a, b],
                "config": placement.config,
                "budget": budget,
                "promotes": placement.previous_trial,
                "bracket": placement.bracket,
                "floor": _floor(study),
            }
        )
    return study, decisions


def _floor(study: pt.Study) -> int | None:
    from paretune.schedulers._rungs import RungScheduler

    scheduler = study.scheduler
    if not isinstance(scheduler, RungScheduler):
        return None
    return scheduler.trusted_floor(study, study.trials)


def main() -> None:
    """Print the decisions of the default scheduler, or of ``HyperbandScheduler`` with
    ``skip_costly=True`` when the first argument is ``skip_costly``, as JSON."""
    kind = sys.argv[1] if len(sys.argv) > 1 else "default"
    scheduler = (
        pt.schedulers.HyperbandScheduler(skip_costly=True, safe_first=True)
        if kind == "skip_costly"
        else None
    )
    _, decisions = run(scheduler, jitter=0.002)
    print(json.dumps(decisions))


if __name__ == "__main__":
    main()
