"""The demo's presentation of its front: one line per distinct point."""

from __future__ import annotations

from paretune.demo import distinct_points
from paretune.trial import TrialRecord
from paretune.trial import TrialState


def _record(number: int, accuracy: float, eo: float) -> TrialRecord:
    return TrialRecord(
        number=number,
        state=TrialState.COMPLETE,
        params={"model": "hgb"},
        metrics={"accuracy": accuracy, "equalized_odds_difference": eo},
    )


def test_trials_with_the_same_figures_are_one_point_led_by_the_first() -> None:
    front = [
        _record(4, 0.86, 0.12),
        _record(7, 0.751, 0.0),  # constant predictors: the same figures
        _record(9, 0.751, 0.0),
        _record(12, 0.751, 0.0),
        _record(15, 0.80, 0.05),
    ]
    kept, alike = distinct_points(front)
    assert [t.number for t in kept] == [4, 7, 15]
    assert alike == {4: [], 7: [9, 12], 15: []}


def test_a_front_of_distinct_points_is_unchanged() -> None:
    front = [_record(1, 0.9, 0.2), _record(2, 0.8, 0.1)]
    kept, alike = distinct_points(front)
    assert kept == front and alike == {1: [], 2: []}
