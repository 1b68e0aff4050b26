"""Schedulers that act on the running calibration: rungs shown to mislead stop judging."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import paretune as pt
from paretune.schedulers import ASHAScheduler
from paretune.schedulers import HyperbandScheduler
from paretune.schedulers import SuccessiveHalvingScheduler
from paretune.schedulers._rungs import RungScheduler


def _budgeted(mislead: bool) -> Callable[[pt.Trial], dict[str, float]]:
    """Loss q + 1/budget at the top budget; below it, 1 - q when ``mislead``."""

    def objective(trial: pt.Trial) -> dict[str, float]:
        q = trial.suggest_float("q", 0.0, 1.0)
        cheap = trial.budget < 9
        return {"loss": (1.0 - q) if (mislead and cheap) else q + 1.0 / trial.budget}

    return objective


def _study(scheduler: RungScheduler, mislead: bool, n_trials: int) -> pt.Study:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=scheduler,
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
    )
    study.optimize(_budgeted(mislead), n_trials=n_trials)
    return study


def _new_configurations(study: pt.Study) -> list[pt.TrialRecord]:
    return [
        r for r in study.trials if r.placement is not None and r.placement.previous_trial is None
    ]


def test_brackets_start_above_a_rung_the_calibration_distrusts() -> None:
    scheduler = HyperbandScheduler(eta=3, bias_guard=0.3, skip_misleading=True)
    study = _study(scheduler, mislead=True, n_trials=150)
    assert scheduler.trusted_floor(study, study.trials) == 2  # both cheap rungs mislead
    report = study.fidelity_report(warn=False)
    assert [r.predictive for r in report.rungs] == [False, False]
    new = _new_configurations(study)
    first_top_only = next(i for i, r in enumerate(new) if r.number > 100)
    assert all(r.budget == 9 for r in new[first_top_only:])  # a full-budget search now
    assert any(r.budget == 1 for r in new[:first_top_only])  # it began as Hyperband


def test_without_the_option_misleading_rungs_keep_judging() -> None:
    scheduler = HyperbandScheduler(eta=3, bias_guard=0.3)
    study = _study(scheduler, mislead=True, n_trials=150)
    assert scheduler.trusted_floor(study, study.trials) == 0
    assert any(r.budget == 1 and r.number > 100 for r in _new_configurations(study))


def test_skipping_misleading_rungs_finds_a_better_full_budget_result() -> None:
    def best(skip: bool) -> float:
        scheduler = HyperbandScheduler(eta=3, bias_guard=0.3, skip_misleading=skip)
        study = _study(scheduler, mislead=True, n_trials=150)
        return min(r.metrics["loss"] for r in study.trials if r.budget == 9 and r.metrics)

    assert best(skip=True) < best(skip=False)


def test_rungs_that_predict_keep_judging() -> None:
    scheduler = HyperbandScheduler(eta=3, bias_guard=0.3, skip_misleading=True)
    study = _study(scheduler, mislead=False, n_trials=150)
    assert scheduler.trusted_floor(study, study.trials) == 0
    assert any(r.budget == 1 and r.number > 100 for r in _new_configurations(study))


def test_asha_starts_new_configurations_at_the_cheapest_trusted_rung() -> None:
    scheduler = ASHAScheduler(eta=3, bias_guard=0.3, skip_misleading=True)
    study = _study(scheduler, mislead=True, n_trials=150)
    floor = scheduler.trusted_floor(study, study.trials)
    assert floor >= 1
    assert study.ask().budget == (1, 3, 9)[floor]


def _loop_study(skip: bool) -> tuple[pt.Study, ASHAScheduler]:
    def objective(trial: pt.Trial) -> dict[str, float]:
        q = trial.suggest_float("q", 0.0, 1.0)
        for epoch in range(1, 10):
            loss = (1.0 - q) if epoch < 9 else q  # every cheap report ranks backwards
            trial.report({"loss": loss}, step=epoch)
            if trial.should_stop():
                raise pt.TrialStopped()
        return {"loss": loss}

    scheduler = ASHAScheduler(
        eta=3, min_resource=1, max_resource=9, bias_guard=0.3, skip_misleading=skip
    )
    study = pt.create_study(objectives={"loss": "minimize"}, scheduler=scheduler, seed=0)
    study.optimize(objective, n_trials=40)
    return study, scheduler


def test_in_the_loop_a_distrusted_rung_stops_nobody() -> None:
    study, scheduler = _loop_study(skip=True)
    assert scheduler.trusted_floor(study, study.trials) == 2
    # five complete trials (two before any rung can judge, three guarded) are the evidence
    assert all(r.state is pt.TrialState.COMPLETE for r in study.trials)
    judged, plain = _loop_study(skip=False)
    stopped = judged.get_trials(states=(pt.TrialState.STOPPED,))
    assert len(stopped) >= 20 and plain.trusted_floor(judged, judged.trials) == 0


@pytest.mark.parametrize(
    ("scheduler", "floor", "expected"),
    [
        # Hyperband, 4 rungs, eta 3: brackets cycle over the starts from the floor up
        (HyperbandScheduler(eta=3), 2, [(2, [6, 2]), (3, [4]), (2, [6, 2]), (3, [4])]),
        (HyperbandScheduler(eta=3), 3, [(3, [4])] * 4),
        (SuccessiveHalvingScheduler(eta=3), 1, [(1, [9, 3, 1])] * 4),
    ],
)
def test_bracket_shapes_above_a_floor_match_the_table(
    scheduler: SuccessiveHalvingScheduler, floor: int, expected: list
) -> None:
    assert [scheduler.shape(4, b, floor) for b in range(4)] == expected
