"""Schedulers that act on what rungs cost: a cheap budget that is not cheap stops judging."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import paretune as pt
from paretune.schedulers import HyperbandScheduler
from paretune.schedulers._calibration import rung_costs
from paretune.schedulers._calibration import screening_multiple
from paretune.schedulers._calibration import screening_saving_bound
from paretune.trial import Placement
from paretune.trial import TrialRecord
from paretune.trial import TrialState

RUNGS = (1, 3, 9)  # Fidelity("epochs", 1, 9) with eta 3


def _record(number: int, budget: float, seconds: float, *, promoted: bool = False) -> TrialRecord:
    """A complete budgeted trial that ran ``seconds``, started at its rung or promoted."""
    return TrialRecord(
        number=number,
        state=TrialState.COMPLETE,
        metrics={"loss": 0.5},
        placement=Placement(
            budget=budget,
            config=number,
            previous_trial=0 if promoted else None,
            previous_budget=1 if promoted else None,
        ),
        started_at_ts=1000.0,
        finished_at_ts=1000.0 + seconds,
    )


def _records(seconds_per_rung: dict[float, list[float]]) -> list[TrialRecord]:
    records: list[TrialRecord] = []
    for budget, durations in seconds_per_rung.items():
        for seconds in durations:
            records.append(_record(len(records), budget, seconds))
    return records


def _study(scheduler: pt.schedulers.BaseScheduler | None = None) -> pt.Study:
    return pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=scheduler,
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
    )


def test_rung_costs_are_medians_over_configurations_started_at_each_rung() -> None:
    records = _records({1: [0.1, 0.3, 0.2], 3: [0.5, 0.7], 9: [2.0, 1.0, 3.0, 9.0]})
    # A promoted trial may have resumed from a checkpoint: its seconds are not the rung's.
    records += [_record(100, 3, 0.01, promoted=True), _record(101, 3, 0.01, promoted=True)]
    assert rung_costs(RUNGS, records) == pytest.approx([0.2, None, 2.5])


@pytest.mark.parametrize(
    ("seconds_per_rung", "floor"),
    [
        # Proportional to the budget: every rung saves its share; all of them judge.
        ({1: [0.1] * 3, 3: [0.3] * 3, 9: [0.9] * 3}, 0),
        # One epoch costs nearly what three do (fixed costs): start at three.
        ({1: [0.25] * 3, 3: [0.3] * 3, 9: [0.9] * 3}, 1),
        # Three epochs cost over 1/sqrt(3) of nine: a full-budget search.
        ({1: [0.1] * 3, 3: [0.6] * 3, 9: [0.9] * 3}, 2),
        # Too few configurations started at nine to judge the rung below it.
        ({1: [0.1] * 3, 3: [0.6] * 3, 9: [0.9] * 2}, 0),
    ],
)
def test_the_floor_rises_above_the_costliest_rung_that_saves_too_little(
    seconds_per_rung: dict[float, list[float]], floor: int
) -> None:
    scheduler = HyperbandScheduler(eta=3, skip_costly=True)
    study = _study(scheduler)
    assert scheduler.trusted_floor(study, _records(seconds_per_rung)) == floor


def test_a_raised_floor_stays_raised() -> None:
    scheduler = HyperbandScheduler(eta=3, skip_costly=True)
    study = _study(scheduler)
    costly = _records({1: [0.1] * 3, 3: [0.6] * 3, 9: [0.9] * 3})
    assert scheduler.trusted_floor(study, costly) == 2
    # Later, cheaper configurations at nine would make three look worth it again: the
    # verdict does not swing back (rungs below the floor get no new configurations).
    cheaper_top = costly + [_record(50 + i, 9, 3.0) for i in range(6)]
    assert scheduler.trusted_floor(study, cheaper_top) == 2


def test_without_the_option_costly_rungs_keep_judging() -> None:
    scheduler = HyperbandScheduler(eta=3)
    study = _study(scheduler)
    costly = _records({1: [0.1] * 3, 3: [0.6] * 3, 9: [0.9] * 3})
    assert scheduler.trusted_floor(study, costly) == 0


def _sleeping(fixed: float, per_epoch: float) -> Callable[[pt.Trial], dict[str, float]]:
    """An objective that takes ``fixed + per_epoch * budget`` seconds."""

    def objective(trial: pt.Trial) -> dict[str, float]:
        q = trial.suggest_float("q", 0.0, 1.0)
        time.sleep(fixed + per_epoch * trial.budget)
        return {"loss": q + 1.0 / trial.budget}

    return objective


def _new_configurations(study: pt.Study) -> list[pt.TrialRecord]:
    return [
        r for r in study.trials if r.placement is not None and r.placement.previous_trial is None
    ]


def test_fixed_costs_turn_the_study_into_a_full_budget_search() -> None:
    scheduler = HyperbandScheduler(eta=3, skip_costly=True)
    study = _study(scheduler)
    study.optimize(_sleeping(fixed=0.04, per_epoch=0.001), n_trials=45)
    assert scheduler.trusted_floor(study, study.trials) == 2
    new = _new_configurations(study)
    assert any(r.budget == 1 for r in new)  # it began with the cheap rung
    assert all(r.budget == 9 for r in new[-5:])  # and ended training only the full budget


def test_costs_proportional_to_the_budget_keep_every_rung() -> None:
    scheduler = HyperbandScheduler(eta=3, skip_costly=True)
    study = _study(scheduler)
    study.optimize(_sleeping(fixed=0.0, per_epoch=0.01), n_trials=45)
    assert scheduler.trusted_floor(study, study.trials) == 0
    budgets = [r.budget for r in _new_configurations(study)]
    assert budgets.count(1) > budgets.count(9) >= 3  # costs were judged at every rung


def test_only_hyperband_takes_the_option() -> None:
    # Successive halving and ASHA start every configuration at the lowest rung, so the
    # cost of the rungs above could not be measured.
    with pytest.raises(TypeError, match="skip_costly"):
        pt.schedulers.ASHAScheduler(skip_costly=True)  # type: ignore[call-arg]


def test_promotion_costs_are_medians_over_promoted_trials_only() -> None:
    records = _records({3: [0.5, 0.7, 0.6]})
    records += [_record(100 + i, 3, s, promoted=True) for i, s in enumerate((0.1, 0.3, 0.2))]
    assert rung_costs(RUNGS, records, promoted=True) == pytest.approx([None, 0.2, None])
    assert rung_costs(RUNGS, records) == pytest.approx([None, 0.6, None])


@pytest.mark.parametrize(
    ("started", "promoted", "expected"),
    [
        # proportional costs, every promotion retrains: each rung adds one top training
        ([1 / 9, 1 / 3, 1.0], [None, None, None], [1 + 1 + 1, 1 + 1]),
        # the boosting task's measured costs (seconds per configuration, retraining)
        ([0.165, 0.423, 1.215], [None, None, None], [3.267, 2.044]),
        # resuming from checkpoints: a promotion costs only the extra epochs
        ([0.1, 0.3, 0.9], [None, 0.2, 0.6], [(9 * 0.1 + 3 * 0.2 + 0.6) / 0.9, (0.9 + 0.6) / 0.9]),
        # an unknown cost leaves the multiple unknown
        ([0.1, None, 0.9], [None, None, None], [None, None]),
    ],
)
def test_screening_multiple_tables(
    started: list[float | None], promoted: list[float | None], expected: list[float | None]
) -> None:
    got = [screening_multiple(k, started, promoted, eta=3) for k in range(2)]
    assert got == [None if e is None else pytest.approx(e, abs=1e-3) for e in expected]


@pytest.mark.parametrize(
    ("k", "multiple", "expected"),
    [
        (0, 3.0, 3.0),  # proportional costs from 1/9: 9 looked at for 3 full trainings
        (1, 2.0, 1.5),  # from 1/3: 3 looked at for 2 full trainings
        (1, 2.48, 3 / 2.48),  # boosting from a third of the rows: at most 1.21x
        (1, 4.0, 0.75),  # costs more than it can save
        (0, None, None),
    ],
)
def test_the_saving_bound_is_configurations_looked_at_per_full_training(
    k: int, multiple: float | None, expected: float | None
) -> None:
    got = screening_saving_bound(k, 3, multiple, eta=3)
    assert got == (None if expected is None else pytest.approx(expected))


def test_the_calibration_report_shows_what_a_configuration_costs_at_each_rung() -> None:
    study = _study(HyperbandScheduler(eta=3))
    study.optimize(_sleeping(fixed=0.0, per_epoch=0.01), n_trials=45)
    report = study.fidelity_report(warn=False)
    costs = [r.seconds_per_config for r in report.rungs] + [report.top_seconds_per_config]
    assert all(c is not None for c in costs)
    one, three, nine = costs
    assert 0.01 <= one < three < nine  # each at least its sleep, ordered by budget
    assert "s/config" in str(report)
    assert report.to_dict()["rungs"][0]["seconds_per_config"] == one
    multiples = [r.screening_multiple for r in report.rungs]
    assert all(m is not None and m > 1.0 for m in multiples)  # screening always costs more
    assert "x top" in str(report)
    assert report.to_dict()["rungs"][1]["screening_multiple"] == multiples[1]
    savings = [r.max_saving for r in report.rungs]
    assert savings == [pytest.approx(3 ** (2 - k) / m) for k, m in enumerate(multiples)]
    assert "max save" in str(report)
    assert report.to_dict()["rungs"][0]["max_saving"] == savings[0]


def test_safe_first_brackets_begin_at_the_full_budget() -> None:
    scheduler = HyperbandScheduler(eta=3, safe_first=True)
    study = _study(scheduler)
    study.optimize(_sleeping(fixed=0.0, per_epoch=0.0), n_trials=40)
    assert [scheduler.start_rung(3, b) for b in range(4)] == [2, 1, 0, 2]
    starts = [r.budget for r in _new_configurations(study)]
    # Bracket 0: 3 configurations at 9; bracket 1: 5 at 3 (one promoted to 9);
    # bracket 2: 9 at 1 (3 promoted to 3, 1 to 9); then around again.
    assert starts[:17] == [9] * 3 + [3] * 5 + [1] * 9
    assert [r.budget for r in study.trials[:3]] == [9, 9, 9]  # full-budget results first
