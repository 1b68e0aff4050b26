"""Rung schedules against tables of expected budgets, and the multi-objective rung rule."""

from __future__ import annotations

import pytest

import paretune as pt
from paretune.schedulers import HyperbandScheduler
from paretune.schedulers import SuccessiveHalvingScheduler
from paretune.schedulers._rungs import keep_best


@pytest.mark.parametrize(
    ("fidelity", "eta", "expected"),
    [
        (pt.Fidelity("epochs", 1, 81), 3, (1, 3, 9, 27, 81)),
        (pt.Fidelity("epochs", 1, 100), 3, (1, 4, 11, 33, 100)),
        (pt.Fidelity("epochs", 2, 16), 2, (2, 4, 8, 16)),
        (pt.Fidelity("epochs", 1, 10), 2, (1, 2, 5, 10)),
        (pt.Fidelity("data_fraction", 1 / 27, 1.0), 3, (1 / 27, 1 / 9, 1 / 3, 1.0)),
        (pt.Fidelity("data_fraction", 0.1, 1.0), 3, (1 / 9, 1 / 3, 1.0)),
    ],
)
def test_rung_budgets_match_the_table(fidelity: pt.Fidelity, eta: int, expected: tuple) -> None:
    assert fidelity.rungs(eta) == pytest.approx(expected)
    assert all(isinstance(b, int) for b in fidelity.rungs(eta)) == fidelity.integer


def test_bad_fidelities_are_refused_with_the_condition() -> None:
    with pytest.raises(ValueError, match="0 < low < high"):
        pt.Fidelity("epochs", 10, 1)
    with pytest.raises(ValueError, match="0 < low < high"):
        pt.Fidelity("data_fraction", 0.0, 1.0)
    with pytest.raises(ValueError, match="eta"):
        pt.Fidelity("epochs", 1, 9).rungs(1)


def test_hyperband_brackets_match_the_table() -> None:
    hb = HyperbandScheduler(eta=3)
    # (first rung, configurations per rung) for 4 rungs, eta 3 (Li et al.'s table)
    assert [hb.shape(4, b) for b in range(5)] == [
        (0, [27, 9, 3, 1]),
        (1, [12, 4, 1]),
        (2, [6, 2]),
        (3, [4]),
        (0, [27, 9, 3, 1]),
    ]
    assert SuccessiveHalvingScheduler(eta=2).shape(3, 7) == (0, [4, 2, 1])


def test_scheduler_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="eta"):
        HyperbandScheduler(eta=1)
    with pytest.raises(ValueError, match="both"):
        pt.schedulers.ASHAScheduler(min_resource=1)
    with pytest.raises(ValueError, match="bias_guard"):
        pt.schedulers.ASHAScheduler(bias_guard=1.5)
    with pytest.raises(TypeError, match="scheduler"):
        pt.create_study(objectives={"a": "minimize"}, scheduler="asha")  # type: ignore[arg-type]


def test_rung_rule_ranks_feasible_fronts_first_and_drops_hopeless_trials() -> None:
    study = pt.create_study(
        objectives={"acc": "maximize", "gap": "minimize"},
        constraints={
            "lat": pt.Constraint("lat", "<=", 10.0, fidelity_behaviour="independent"),
            "size": ("<=", 5.0),
        },
    )
    rows = [
        {"acc": 0.99, "gap": 0.01, "lat": 50.0, "size": 1.0},  # best, but hopeless (latency)
        {"acc": 0.90, "gap": 0.05, "lat": 1.0, "size": 9.0},  # infeasible, may still recover
        {"acc": 0.80, "gap": 0.02, "lat": 1.0, "size": 1.0},  # feasible, on the front
        {"acc": 0.85, "gap": 0.04, "lat": 1.0, "size": 1.0},  # feasible, on the front
        {"acc": 0.70, "gap": 0.06, "lat": 1.0, "size": 1.0},  # feasible, dominated
    ]
    assert keep_best(study, rows, 2).tolist() == [False, False, True, True, False]
    assert keep_best(study, rows, 3).tolist() == [False, False, True, True, True]
    assert keep_best(study, rows, 5).tolist() == [False, True, True, True, True]
