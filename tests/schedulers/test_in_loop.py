"""Training-loop use: report each epoch, stop when told; and the calibration report."""

from __future__ import annotations

import warnings

import pytest

import paretune as pt
from paretune.exceptions import FidelityWarning
from paretune.schedulers import ASHAScheduler
from paretune.schedulers import HyperbandScheduler
from paretune.schedulers import MedianStoppingScheduler


def _epochs(trial: pt.Trial, quality: float, epochs: int = 9) -> dict[str, float]:
    for epoch in range(1, epochs + 1):
        metrics = {"loss": quality + 1.0 / epoch, "gap": 1.0 - quality}
        trial.report(metrics, step=epoch)
        if trial.should_stop():
            raise pt.TrialStopped()
    return metrics


def test_asha_in_the_loop_stops_outranked_trials_and_keeps_their_reports() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        scheduler=ASHAScheduler(eta=3, min_resource=1, max_resource=9),
        seed=0,
    )
    study.optimize(lambda t: {"loss": _epochs(t, t.suggest_float("q", 0, 1))["loss"]}, 30)
    stopped = study.get_trials(states=(pt.TrialState.STOPPED,))
    complete = study.get_trials(states=(pt.TrialState.COMPLETE,))
    assert len(stopped) >= 15 and len(complete) >= 3
    for record in stopped:
        assert max(record.intermediate) in (1, 3)  # judged at a rung, nowhere else
        assert "ASHAScheduler" in (record.fail_reason or "")
    best_q = min(r.params["q"] for r in study.trials)
    assert any(r.params["q"] == best_q for r in complete)


def test_hyperband_in_the_loop_judges_each_bracket_from_its_own_rung() -> None:
    scheduler = HyperbandScheduler(eta=3, min_resource=1, max_resource=9)
    study = pt.create_study(objectives={"loss": "minimize"}, scheduler=scheduler, seed=0)
    study.optimize(lambda t: {"loss": _epochs(t, t.suggest_float("q", 0, 1))["loss"]}, 30)
    for record in study.get_trials(states=(pt.TrialState.STOPPED,)):
        bracket = record.number % 3
        assert bracket < 2  # the last bracket starts at the top rung: never stopped
        assert max(record.intermediate) == (1, 3)[bracket]


def test_a_constraint_independent_of_the_budget_stops_at_the_first_violation() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        constraints={
            "latency_ms": pt.Constraint("latency_ms", "<=", 5.0, fidelity_behaviour="independent"),
            "gap": ("<=", 0.1),  # varies with training: never stops a trial by itself
        },
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        slow = trial.suggest_categorical("slow", [True, False])
        for epoch in range(1, 6):
            trial.report({"loss": 1 / epoch, "gap": 0.5, "latency_ms": 9.0 if slow else 1.0}, epoch)
            if trial.should_stop():
                raise pt.TrialStopped()
        return {"loss": 0.2, "gap": 0.5, "latency_ms": 9.0 if slow else 1.0}

    study.enqueue({"slow": True})
    study.enqueue({"slow": False})
    study.optimize(objective, n_trials=2)
    slow, fast = study.trials
    assert slow.state is pt.TrialState.STOPPED and list(slow.intermediate) == [1]
    assert "latency_ms <= 5" in (slow.fail_reason or "")
    assert fast.state is pt.TrialState.COMPLETE and len(fast.intermediate) == 5


def test_median_rule_stops_a_trial_the_median_dominates() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize", "gap": "minimize"},
        scheduler=MedianStoppingScheduler(min_steps=1, min_trials=3),
    )
    for quality in (0.1, 0.2, 0.3):
        study.enqueue({"q": quality})
    study.enqueue({"q": 0.9})  # worse in both objectives than the median
    study.enqueue({"q": 0.15})

    def objective(trial: pt.Trial) -> dict[str, float]:
        q = trial.suggest_float("q", 0, 1)
        for epoch in (1, 2, 3):
            trial.report({"loss": q + 1 / epoch, "gap": q}, step=epoch)
            if trial.should_stop():
                raise pt.TrialStopped()
        return {"loss": q, "gap": q}

    study.optimize(objective, n_trials=5)
    states = [r.state for r in study.trials]
    assert states == [pt.TrialState.COMPLETE] * 3 + [pt.TrialState.STOPPED, pt.TrialState.COMPLETE]
    assert list(study.trials[3].intermediate) == [1]


def test_a_loop_scheduler_without_rungs_says_how_to_give_it_some() -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, scheduler=ASHAScheduler())
    trial = study.ask()
    with pytest.raises(ValueError, match="min_resource and max_resource"):
        trial.report({"loss": 1.0}, step=1)


def _study_with_calibration(mislead: bool) -> pt.Study:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=ASHAScheduler(eta=3, bias_guard=0.5),
        seed=0,
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        q = trial.suggest_float("q", 0.0, 1.0)
        cheap = trial.budget < 9
        return {"loss": (1.0 - q) if (mislead and cheap) else q + 1.0 / trial.budget}

    study.optimize(objective, n_trials=80)
    return study


def test_calibration_flags_a_rung_that_misleads() -> None:
    study = _study_with_calibration(mislead=True)
    with pytest.warns(FidelityWarning, match="does not predict"):
        report = study.fidelity_report()
    assert report.rungs[0].n_pairs >= 5
    assert report.rungs[0].kendall["loss"] < -0.5
    assert report.rungs[0].predictive is False and report.rungs[0].regret >= 1
    assert "rung 0" in str(report) and report.to_dict()["rungs"][0]["predictive"] is False


def test_calibration_trusts_a_rung_that_predicts() -> None:
    study = _study_with_calibration(mislead=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FidelityWarning)
        report = study.fidelity_report()
    assert report.rungs[0].kendall["loss"] == pytest.approx(1.0)
    assert report.rungs[0].predictive is True and not report.warnings
    assert report.rungs[0].compute_s >= 0.0


def test_calibration_of_a_training_loop_study() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        scheduler=ASHAScheduler(eta=3, min_resource=1, max_resource=9, bias_guard=0.3),
        seed=0,
    )
    study.optimize(lambda t: {"loss": _epochs(t, t.suggest_float("q", 0, 1))["loss"]}, 40)
    report = study.fidelity_report(warn=False)
    assert [r.budget for r in report.rungs] == [1, 3]
    assert report.rungs[0].n_pairs >= 5 and report.rungs[0].predictive is True


@pytest.mark.parametrize(
    "scheduler",
    [
        ASHAScheduler(eta=3, min_resource=1, max_resource=9),
        HyperbandScheduler(eta=3, min_resource=1, max_resource=9),
        MedianStoppingScheduler(min_trials=3),
    ],
)
def test_loop_schedulers_work_with_several_threads(scheduler: pt.schedulers.BaseScheduler) -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, scheduler=scheduler, seed=0)
    study.optimize(
        lambda t: {"loss": _epochs(t, t.suggest_float("q", 0, 1))["loss"]}, 30, n_workers=4
    )
    states = [r.state for r in study.trials]
    assert len(states) == 30 and pt.TrialState.RUNNING not in states
    assert pt.TrialState.STOPPED in states and pt.TrialState.COMPLETE in states
