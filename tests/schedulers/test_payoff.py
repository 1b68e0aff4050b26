"""Screening only where it pays: expected savings from costs and rank agreement, and the
scheduler that gives up rungs whose screening does not pay."""

from __future__ import annotations

import math
import warnings

import pytest

import paretune as pt
from paretune.schedulers._payoff import effective_looks
from paretune.schedulers._payoff import expected_saving
from paretune.schedulers._payoff import kendall_upper
from paretune.schedulers._payoff import payoffs
from tests.schedulers._replay import replay_table
from tests.schedulers._replay import run


@pytest.mark.parametrize("n", [1, 3, 9, 27, 81])
def test_a_perfect_ranking_looks_at_every_configuration_and_chance_at_one(n: int) -> None:
    assert effective_looks(n, 1.0) == pytest.approx(n, rel=1e-9)
    assert effective_looks(n, 0.0) == 1.0
    assert effective_looks(n, -0.5) == 1.0
    looks = [effective_looks(n, rho) for rho in (0.2, 0.5, 0.8, 0.95)]
    assert looks == sorted(looks) and all(1.0 <= x <= n for x in looks)


def test_effective_looks_match_the_expected_maximum_of_normal_samples() -> None:
    # Keeping the best of 9 by a measurement of correlation 0.5 gives half the expected
    # maximum of 9 normal samples (1.485), which the best of about 2.5 samples reaches.
    assert effective_looks(9, 0.5) == pytest.approx(2.50, abs=0.02)


def test_the_upper_bound_of_tau_narrows_with_the_pairs() -> None:
    assert kendall_upper(0.2, 5) == pytest.approx(0.2 + math.sqrt(2 * 15 / (9 * 5 * 4)))
    assert kendall_upper(0.2, 5) > kendall_upper(0.2, 20) > kendall_upper(0.2, 200) > 0.2
    assert kendall_upper(0.9, 5) == 1.0


@pytest.mark.parametrize(
    ("k", "multiple", "tau", "expected"),
    [
        (0, 3.0, None, 3.0),  # unknown tau: the perfect-ranking bound, 9 looks for 3
        (0, 3.0, 1.0, 3.0),
        (0, 3.0, 0.0, 1 / 3),  # chance: one look for three trainings
        (1, 2.0, 1 / 3, effective_looks(3, 0.5) / 2.0),  # sin(pi/6) = 0.5
        (0, None, 0.5, None),
    ],
)
def test_expected_saving_table(
    k: int, multiple: float | None, tau: float | None, expected: float | None
) -> None:
    got = expected_saving(k, 3, multiple, 3, tau)
    assert got == (None if expected is None else pytest.approx(expected))


def _decisions(table_options: dict[str, object], n_trials: int = 120) -> list[dict[str, object]]:
    scheduler = pt.schedulers.HyperbandScheduler(skip_unprofitable=True, safe_first=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.RepeatedConfigurationWarning)
        _, decisions = run(scheduler, n_trials, table=replay_table(**table_options))  # type: ignore[arg-type]
    return decisions


def test_rungs_that_rank_well_for_their_cost_keep_screening() -> None:
    decisions = _decisions({"fixed": 0.0})
    assert {d["floor"] for d in decisions} == {0}
    started = [d["budget"] for d in decisions[-60:] if d["promotes"] is None]
    assert started.count(1) > started.count(9)


def test_a_misleading_cheap_budget_is_given_up_once_the_evidence_shows_it() -> None:
    decisions = _decisions({"fixed": 0.0, "mislead": True})
    floors = [d["floor"] for d in decisions]
    assert floors[0] == 0 and floors[-1] == 2  # no cheap rung pays: full-budget search
    raised = floors.index(2)
    assert 20 < raised < 80  # after five configurations were measured at both budgets
    assert all(d["budget"] == 9 for d in decisions[raised + 10 :])


def test_fixed_costs_that_outweigh_the_saving_give_up_the_cheap_rungs() -> None:
    decisions = _decisions({"fixed": 30.0, "per_epoch": 1.0}, n_trials=60)
    assert decisions[-1]["floor"] == 2
    assert [d["budget"] for d in decisions[-20:]] == [9] * 20


def test_promotions_that_resume_count_only_what_they_cost() -> None:
    # The same replay, with promotions that resume (told the difference) or retrain (told
    # the whole budget): resuming makes screening cheaper, so it is expected to save more.
    scheduler = pt.schedulers.HyperbandScheduler(eta=3, safe_first=True)
    study, _ = run(scheduler, 90, table=replay_table(fixed=0.0))
    resumed = payoffs(study, scheduler.rungs(study), study.trials, 3)
    retrained = [
        pt.TrialRecord(**{**vars(r), "cost": _full_cost(r)}) if r.placement else r
        for r in study.trials
    ]
    again = payoffs(study, scheduler.rungs(study), retrained, 3)
    for fast, slow in zip(resumed, again, strict=True):
        assert fast.multiple is not None and slow.multiple is not None
        assert fast.multiple < slow.multiple
        assert fast.saving is not None and slow.saving is not None
        assert fast.saving > slow.saving


def _full_cost(record: pt.TrialRecord) -> float | None:
    """What a promoted trial of the replay would cost had it retrained from scratch."""
    placement = record.placement
    if placement is None or placement.previous_trial is None or record.cost is None:
        return record.cost
    a, b = record.params["a"], record.params["b"]
    return float(replay_table(fixed=0.0)[(a, b)][int(placement.budget)][2])


def test_the_verdict_depends_on_the_trials_not_on_who_asked() -> None:
    # One run reads the floor after every tell, the other never does (only ask reads it):
    # the decisions are the same, as a worker in another process would make them.
    watched = _decisions({"fixed": 0.0, "mislead": True}, n_trials=80)
    scheduler = pt.schedulers.HyperbandScheduler(skip_unprofitable=True, safe_first=True)
    study = pt.create_study(
        objectives={"error": "minimize", "size": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=scheduler,
        cost_unit="gpu_h",
        seed=0,
    )
    table = replay_table(fixed=0.0, mislead=True)
    for _ in range(80):
        trial = study.ask()
        a, b = trial.suggest_int("a", 0, 11), trial.suggest_int("b", 0, 9)
        error, size, cost = table[(a, b)][int(trial.budget or 0)]
        if trial.previous_budget is not None:
            cost -= table[(a, b)][int(trial.previous_budget)][2]
        study.tell(trial, {"error": error, "size": size}, cost=round(cost, 6))
    unwatched = [(t.budget, t.config, t.placement.previous_trial) for t in study.trials]  # type: ignore[union-attr]
    assert unwatched == [(d["budget"], d["config"], d["promotes"]) for d in watched]
    fresh = pt.schedulers.HyperbandScheduler(skip_unprofitable=True, safe_first=True)
    assert fresh.trusted_floor(study, study.trials) == watched[-1]["floor"]


def test_the_fidelity_report_shows_the_expected_saving() -> None:
    scheduler = pt.schedulers.HyperbandScheduler(eta=3, safe_first=True)
    study, _ = run(scheduler, 90, table=replay_table(fixed=0.0))
    report = study.fidelity_report(warn=False)
    found = payoffs(study, scheduler.rungs(study), study.trials, 3)
    # Where tau is known (5 pairs), the report shows the scheduler's estimate; below, none.
    assert [r.expected_saving for r in report.rungs] == [
        None if p.tau is None else p.saving for p in found
    ]
    assert found[1].tau is not None and found[1].saving is not None
    assert "exp save" in str(report)
    assert report.to_dict()["rungs"][1]["expected_saving"] == found[1].saving
