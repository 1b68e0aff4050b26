"""Told costs: stored with trials and reports, in the study's unit, and acted on instead of
wall-clock time (``max_cost``, rung costs, the fidelity report, the trials table)."""

from __future__ import annotations

import math

import pytest

import paretune as pt
from paretune._clock import SimulatedClock
from paretune._clock import use_clock
from paretune._costs import CostBasis
from paretune._costs import CostMeter
from paretune._costs import cost_basis
from paretune.exceptions import StudyIncompatibleError
from paretune.schedulers._calibration import rung_costs

BAD_COSTS = [-1.0, math.nan, math.inf, -math.inf, "3", None.__class__, True, [1.0]]


def _study(**kwargs: object) -> pt.Study:
    return pt.create_study(objectives={"loss": "minimize"}, seed=0, **kwargs)  # type: ignore[arg-type]


def test_a_told_cost_is_stored_with_the_trial_in_the_study_unit(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/costs.db"
    study = _study(storage=url, study_name="s", cost_unit="gpu_h")
    assert study.cost_unit == "gpu_h"
    trial = study.ask()
    record = study.tell(trial, {"loss": trial.suggest_float("x", 0, 1)}, cost=0.25)
    assert record.cost == 0.25 and record.to_dict()["cost"] == 0.25
    loaded = pt.load_study(study_name="s", storage=url)
    assert loaded.cost_unit == "gpu_h"
    assert loaded.storage.get_study("s").settings["cost_unit"] == "gpu_h"
    assert loaded.trials[0].cost == 0.25
    untold = loaded.tell(loaded.ask(), {"loss": 1.0})
    assert untold.cost is None and untold.duration is not None  # its duration stands in
    frame = loaded.trials_dataframe()
    first, second = frame["cost"]
    assert first == 0.25 and math.isnan(second)
    assert list(frame.columns).index("cost") == list(frame.columns).index("duration_s") + 1


def test_a_new_study_counts_in_seconds_and_keeps_its_unit_when_reopened(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/units.db"
    assert _study(storage=url, study_name="a").cost_unit == "s"
    _study(storage=url, study_name="b", cost_unit="usd")
    again = _study(storage=url, study_name="b", load_if_exists=True)  # unit left out
    assert again.cost_unit == "usd"
    with pytest.raises(StudyIncompatibleError, match="cost unit 'usd'"):
        _study(storage=url, study_name="b", load_if_exists=True, cost_unit="gpu_h")


@pytest.mark.parametrize("unit", ["", "gpu hours", 3, "x" * 33, "a\nb"])
def test_a_bad_cost_unit_is_refused(unit: object) -> None:
    with pytest.raises(ValueError, match="`cost_unit` must name the unit"):
        _study(cost_unit=unit)


@pytest.mark.parametrize("cost", BAD_COSTS)
def test_a_bad_told_cost_raises_and_stores_nothing(cost: object) -> None:
    study = _study()
    trial = study.ask()
    with pytest.raises(ValueError, match="cost") as caught:
        study.tell(trial, {"loss": 1.0}, cost=cost)  # type: ignore[arg-type]
    assert "leave it out" in str(caught.value)  # the fix is named
    assert study.trials[0].state is pt.TrialState.RUNNING  # still open: tell it again
    assert study.tell(trial, {"loss": 1.0}, cost=1.0).cost == 1.0


@pytest.mark.parametrize("cost", BAD_COSTS)
def test_a_bad_reported_cost_raises(cost: object) -> None:
    trial = _study().ask()
    with pytest.raises(ValueError, match="`cost` of the report at step 1 of trial 0"):
        trial.report({"loss": 1.0}, step=1, cost=cost)  # type: ignore[arg-type]


def test_reported_costs_are_cumulative_and_the_last_is_the_trial_cost() -> None:
    study = _study()
    trial = study.ask()
    trial.report({"loss": 0.9}, step=1, cost=1.0)
    trial.report({"loss": 0.8}, step=2)  # no cost told at this step
    trial.report({"loss": 0.7}, step=3, cost=3.0)
    with pytest.raises(ValueError, match="running total"):
        trial.report({"loss": 0.6}, step=4, cost=2.0)  # the cost of step 4 alone
    with pytest.raises(ValueError, match="running total"):
        trial.report({"loss": 0.6}, step=0, cost=5.0)
    trial.report({"loss": 0.7}, step=3, cost=2.5)  # a step reported again: its cost too
    record = study.tell(trial, {"loss": 0.7})
    assert record.cost == 2.5 and dict(record.report_costs) == {1: 1.0, 3: 2.5}
    assert record.cost_at(1) == 1.0 and record.cost_at(2) is None
    by_number = study.ask()
    by_number.report({"loss": 0.5}, step=1, cost=4.0)
    assert study.tell(by_number.number, state="stopped").cost == 4.0  # read back
    told = study.ask()
    told.report({"loss": 0.5}, step=1, cost=4.0)
    assert study.tell(told, {"loss": 0.5}, cost=6.0).cost == 6.0  # tell wins


def test_max_cost_counts_told_costs_not_seconds() -> None:
    study = _study(cost_unit="gpu_h")

    def objective(trial: pt.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.report({"loss": x}, step=1, cost=0.75)  # what the job was billed
        return x

    study.optimize(objective, n_trials=100, max_cost=3.0)
    assert len(study.trials) == 4  # 4 x 0.75 gpu_h; a second of wall-clock never counted
    assert all(t.cost == 0.75 for t in study.trials)


def test_the_cost_basis_mixes_told_costs_and_durations_by_one_rule() -> None:
    clock = SimulatedClock()
    with use_clock(clock):
        study = _study(cost_unit="usd")
        for cost in (None, 2.0, None):
            trial = study.ask()
            clock.advance(10.0)
            study.tell(trial, {"loss": 1.0}, cost=cost)
    first, told, untold = study.trials
    assert cost_basis([first]) == CostBasis(told=False, unit="s")
    assert first.duration == 10.0 and cost_basis([first]).of(first) == 10.0
    basis = cost_basis(study.trials, study.cost_unit)
    assert basis == CostBasis(told=True, unit="usd")
    assert [basis.of(r) for r in study.trials] == [None, 2.0, None]  # untold: not counted
    meter = CostMeter()
    meter.add(first)
    assert meter.spent == 10.0  # seconds while nothing told a cost
    meter.add(told)
    meter.add(untold)
    assert meter.spent == 2.0


def test_rung_costs_and_the_fidelity_report_use_told_costs_in_their_unit() -> None:
    clock = SimulatedClock()
    scheduler = pt.schedulers.HyperbandScheduler(eta=3)
    with use_clock(clock):
        study = pt.create_study(
            objectives={"loss": "minimize"},
            fidelity=pt.Fidelity("epochs", 1, 9),
            scheduler=scheduler,
            sampler=pt.samplers.RandomSampler(seed=0),
            cost_unit="gpu_h",
            seed=0,
        )
        for _ in range(40):
            trial = study.ask()
            x = trial.suggest_float("x", 0.0, 1.0)
            clock.advance(5.0)  # wall-clock: the same for every budget
            budget = float(trial.budget or 0)
            extra = budget - float(trial.previous_budget or 0)  # a promotion resumes
            study.tell(trial, {"loss": x + 1.0 / budget}, cost=0.1 * extra)
    complete = study.get_trials(states=(pt.TrialState.COMPLETE,))
    assert rung_costs((1, 3, 9), complete) == pytest.approx([0.1, 0.3, 0.9])
    assert rung_costs((1, 3, 9), complete, promoted=True)[1] == pytest.approx(0.2)
    report = study.fidelity_report(warn=False)
    assert report.cost_unit == "gpu_h" and report.to_dict()["cost_unit"] == "gpu_h"
    assert report.rungs[0].seconds_per_config == pytest.approx(0.1)
    assert report.top_seconds_per_config == pytest.approx(0.9)
    spent = sum(t.cost or 0.0 for t in study.trials)
    assert sum(r.compute_s for r in report.rungs) + report.top_compute_s == pytest.approx(spent)
    assert report.rungs[0].screening_multiple == pytest.approx((9 * 0.1 + 3 * 0.2 + 0.6) / 0.9)
    text = str(report)
    assert "compute gpu_h" in text and "gpu_h/config" in text and "s/config" not in text
    header, first = text.splitlines()[1:3]
    assert header.index("gpu_h/config") + len("gpu_h/config") == first.index("0.100") + 5


def test_a_training_loop_report_counts_reported_costs_per_rung() -> None:
    study = _study(
        scheduler=pt.schedulers.ASHAScheduler(eta=3, min_resource=1, max_resource=9),
        sampler=pt.samplers.RandomSampler(seed=0),
    )
    for _ in range(6):
        trial = study.ask()
        x = trial.suggest_float("x", 0.0, 1.0)
        for epoch in range(1, 10):
            trial.report({"loss": x + 1.0 / epoch}, step=epoch, cost=2.0 * epoch)
        study.tell(trial, {"loss": x})
    report = study.fidelity_report(warn=False)
    # Each trial: 2 to reach step 1, 4 more to step 3, 12 more to step 9, nothing after.
    assert [r.compute_s for r in report.rungs] == pytest.approx([6 * 2.0, 6 * 4.0])
    assert report.top_compute_s == pytest.approx(6 * 12.0)
    assert report.cost_unit == "s"  # told, in the default unit


def test_copies_keep_costs_and_unit() -> None:
    storage = pt.storages.InMemoryStorage()
    study = _study(storage=storage, study_name="a", cost_unit="usd")
    trial = study.ask()
    trial.report({"loss": 1.0}, step=1, cost=0.5)
    study.tell(trial, {"loss": 1.0}, cost=1.5)
    copy = pt.copy_study("a", "b", from_storage=storage, to_storage=storage)
    assert copy.cost_unit == "usd"
    assert copy.trials[0].cost == 1.5 and dict(copy.trials[0].report_costs) == {1: 0.5}
