"""Every scheduler, with several workers, stops at ``optimize(max_cost=...)`` and records the
seconds each trial and each rung cost."""

from __future__ import annotations

import time

import pytest

import paretune as pt
from paretune.schedulers import ASHAScheduler
from paretune.schedulers import HyperbandScheduler
from paretune.schedulers import MedianStoppingScheduler
from paretune.schedulers import SuccessiveHalvingScheduler

MAX_COST = 0.6
SECONDS_PER_EPOCH = 0.004


def _train(trial: pt.Trial, epochs: float) -> float:
    """Sleep as a training of ``epochs`` would take; a loss whose rank is the same at every
    budget."""
    time.sleep(SECONDS_PER_EPOCH * epochs)
    return trial.suggest_float("x", 0.0, 1.0) + 1.0 / epochs


def _spent(study: pt.Study) -> float:
    return sum(record.duration or 0.0 for record in study.trials)


BUDGETED = [ASHAScheduler, SuccessiveHalvingScheduler, HyperbandScheduler]


@pytest.mark.parametrize("scheduler", BUDGETED)
def test_budgeted_schedulers_stop_at_max_cost_and_split_compute_by_rung(
    scheduler: type[pt.schedulers.BaseScheduler],
) -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=scheduler(eta=3),  # type: ignore[call-arg]
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        return {"loss": _train(trial, float(trial.budget))}

    study.optimize(objective, n_trials=5000, max_cost=MAX_COST, n_workers=2)
    spent = _spent(study)
    # Each of the two workers may finish the trial it started before the limit was reached.
    longest = max(record.duration or 0.0 for record in study.trials)
    assert MAX_COST <= spent <= MAX_COST + 2 * longest + 1e-9
    assert all((record.duration or 0.0) > 0.0 for record in study.trials)
    assert {record.budget for record in study.trials} >= {1, 9}
    report = study.fidelity_report(warn=False)
    per_rung = sum(rung.compute_s for rung in report.rungs) + report.top_compute_s
    assert per_rung == pytest.approx(spent, rel=1e-6)
    assert report.top_compute_s > 0.0 and report.rungs[0].compute_s > 0.0


@pytest.mark.parametrize(
    "scheduler",
    [
        lambda: ASHAScheduler(eta=3, min_resource=1, max_resource=9),
        lambda: HyperbandScheduler(eta=3, min_resource=1, max_resource=9),
        lambda: MedianStoppingScheduler(min_trials=3),
    ],
    ids=["asha", "hyperband", "median"],
)
def test_loop_schedulers_stop_at_max_cost_and_count_stopped_trials_compute(
    scheduler: object,
) -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        scheduler=scheduler(),  # type: ignore[operator]
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
    )

    def objective(trial: pt.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        for epoch in range(1, 10):
            time.sleep(SECONDS_PER_EPOCH)
            trial.report({"loss": x + 1.0 / epoch}, step=epoch)
            if trial.should_stop():
                raise pt.TrialStopped()
        return x + 1.0 / 9

    study.optimize(objective, n_trials=5000, max_cost=MAX_COST / 2, n_workers=2)
    spent = _spent(study)
    longest = max(record.duration or 0.0 for record in study.trials)
    assert MAX_COST / 2 <= spent <= MAX_COST / 2 + 2 * longest + 1e-9
    states = {record.state for record in study.trials}
    assert states == {pt.TrialState.COMPLETE, pt.TrialState.STOPPED}
    stopped = study.get_trials(states=(pt.TrialState.STOPPED,))
    assert all((record.duration or 0.0) >= SECONDS_PER_EPOCH for record in stopped)
