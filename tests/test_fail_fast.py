"""optimize stops on a programming error that fails the first trials identically."""

from __future__ import annotations

import warnings

import pytest

import paretune as pt
from paretune.exceptions import FailedTrialsWarning
from paretune.study._fail_fast import FAIL_FAST_AFTER


def _typo(trial: pt.Trial) -> dict[str, float]:
    """The README quick start with a typo: ``acc`` was never defined."""
    trial.suggest_float("threshold", 0.1, 0.9)
    return {"accuracy": acc}  # type: ignore[name-defined]  # noqa: F821


def _study() -> pt.Study:
    return pt.create_study(objectives={"accuracy": "maximize"}, seed=0)


def test_a_typo_stops_the_study_after_three_trials() -> None:
    study = _study()
    with pytest.raises(
        NameError,
        match=r"Trials 0, 1 and 2 of study .* all failed with NameError: "
        r"name 'acc' is not defined",
    ) as caught:
        study.optimize(_typo, n_trials=100)
    assert FAIL_FAST_AFTER == 3
    assert len(study.trials) == 3
    assert all(t.state is pt.TrialState.FAILED for t in study.trials)
    cause = caught.value.__cause__
    assert isinstance(cause, NameError) and str(cause) == "name 'acc' is not defined"
    assert "catch=(Exception, NameError)" in str(caught.value)


def test_threads_stop_too() -> None:
    study = _study()
    with pytest.raises(NameError):
        study.optimize(_typo, n_trials=100, n_workers=2)
    assert len(study.trials) < 10


def test_a_completed_trial_turns_it_off() -> None:
    study = _study()
    study.tell(study.ask(), {"accuracy": 0.5})
    with pytest.warns(FailedTrialsWarning, match="5 of 5 trials"):
        study.optimize(_typo, n_trials=5)


def test_a_completed_trial_in_the_call_turns_it_off() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        if trial.number == 0:
            return {"accuracy": 0.5}
        return _typo(trial)

    with pytest.warns(FailedTrialsWarning, match="4 of 5 trials"):
        _study().optimize(objective, n_trials=5)


def test_other_errors_follow_catch() -> None:
    def data_error(trial: pt.Trial) -> dict[str, float]:
        raise ValueError("a fold has one class")

    with pytest.warns(FailedTrialsWarning, match="5 of 5 trials"):
        _study().optimize(data_error, n_trials=5)


def test_different_messages_do_not_count_as_the_same_error() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        raise KeyError(f"column {trial.number}")

    with pytest.warns(FailedTrialsWarning, match="5 of 5 trials"):
        _study().optimize(objective, n_trials=5)


def test_naming_the_type_in_catch_lets_the_study_go_on() -> None:
    with pytest.warns(FailedTrialsWarning, match="5 of 5 trials"):
        _study().optimize(_typo, n_trials=5, catch=(Exception, NameError))


def test_an_uncaught_error_still_propagates_at_once() -> None:
    study = _study()
    with pytest.raises(NameError, match=r"^name 'acc' is not defined$"):
        study.optimize(_typo, n_trials=5, catch=(ValueError,))
    assert len(study.trials) == 1


@pytest.mark.parametrize(
    "error",
    [
        AttributeError("'NoneType' object has no attribute 'fit'"),
        TypeError("fit() got an unexpected keyword argument 'lr'"),
        ImportError("No module named 'xgboost'"),
        KeyError("acc"),
    ],
)
def test_the_programming_errors(error: Exception) -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        raise error

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(type(error), match="all failed with"):
            _study().optimize(objective, n_trials=10)
