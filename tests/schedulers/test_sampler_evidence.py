"""What samplers learn from in a training-loop study: stopped trials count as evidence."""

from __future__ import annotations

import pytest

import paretune as pt
from paretune.samplers import AutoSampler
from paretune.samplers import TPESampler
from paretune.schedulers import ASHAScheduler
from paretune.study._sampler_view import MODEL_MIN_OBSERVATIONS


def _train(trial: pt.Trial, epochs: int) -> dict[str, float]:
    """Loss falls with epochs; configurations with x below 0.5 are bad at every epoch."""
    x = trial.suggest_float("x", 0.0, 1.0)
    quality = 1.0 if x < 0.5 else abs(x - 0.75)
    for epoch in range(1, epochs + 1):
        metrics = {"loss": quality + 1.0 / epoch, "latency_ms": 10.0 * x}
        trial.report(metrics, step=epoch)
        if trial.should_stop():
            raise pt.TrialStopped()
    return metrics


def _loop_study(seed: int, max_resource: int = 9, sampler: object = None) -> pt.Study:
    return pt.create_study(
        objectives={"loss": "minimize"},
        constraints={"latency_ms": ("<=", 9.0)},
        scheduler=ASHAScheduler(eta=3, min_resource=1, max_resource=max_resource),
        sampler=sampler,  # type: ignore[arg-type]
        seed=seed,
    )


def test_before_ten_trials_complete_stopped_ones_count_at_the_highest_step_ten_reached() -> None:
    study = _loop_study(seed=0)
    study.optimize(lambda t: _train(t, 9), n_trials=25)
    complete = study.get_trials(states=(pt.TrialState.COMPLETE,))
    stopped = study.get_trials(states=(pt.TrialState.STOPPED,))
    assert len(complete) < MODEL_MIN_OBSERVATIONS <= len(complete) + len(stopped)

    view = study.trials_for_sampler()

    reached = sorted((max(r.intermediate) for r in complete + stopped), reverse=True)
    step = reached[MODEL_MIN_OBSERVATIONS - 1]
    assert len(view) == sum(s >= step for s in reached) >= MODEL_MIN_OBSERVATIONS
    assert {r.budget for r in view} == {float(step)}
    assert any(r.state is pt.TrialState.STOPPED for r in view)
    records = {r.number: r for r in study.trials}
    for seen in view:
        first = min(s for s in records[seen.number].intermediate if s >= step)
        assert dict(seen.metrics) == dict(records[seen.number].intermediate[first])
        assert seen.feasible == (seen.metrics["latency_ms"] <= 9.0)


def test_once_ten_trials_complete_the_sampler_learns_from_complete_trials_only() -> None:
    study = _loop_study(seed=1, max_resource=3)
    study.optimize(lambda t: _train(t, 3), n_trials=45)
    complete = study.get_trials(states=(pt.TrialState.COMPLETE,))
    assert len(complete) >= MODEL_MIN_OBSERVATIONS

    view = study.trials_for_sampler()

    assert [r.number for r in view] == [r.number for r in complete]
    assert [dict(r.metrics) for r in view] == [dict(r.metrics) for r in complete]


def test_stopped_trials_steer_the_sampler_away_from_what_was_stopped() -> None:
    # Four rungs with eta 3: about one trial in 27 completes, so in 70 trials the sampler
    # would have stayed in its 10-trial start, sampling at random, without the stopped ones.
    study = _loop_study(seed=2, max_resource=27, sampler=TPESampler(seed=2))
    study.optimize(lambda t: _train(t, 27), n_trials=70)
    assert len(study.get_trials(states=(pt.TrialState.COMPLETE,))) < MODEL_MIN_OBSERVATIONS

    late = [r.params["x"] for r in study.trials[30:]]
    assert sum(x >= 0.5 for x in late) / len(late) >= 0.7  # 0.5 when stopped ones are ignored


def test_without_a_scheduler_every_complete_trial_counts() -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
    study.optimize(lambda t: _train(t, 3), n_trials=5)
    assert [r.number for r in study.trials_for_sampler()] == list(range(5))


def test_the_default_sampler_uses_tpe_in_a_study_with_a_scheduler() -> None:
    pytest.importorskip("botorch")
    auto = AutoSampler(seed=0, use_gp=True)
    plain = pt.create_study(objectives={"loss": "minimize"}, sampler=auto, seed=0)
    looped = _loop_study(seed=0, sampler=auto)
    assert type(auto.choose(plain)).__name__ == "GPSampler"
    assert isinstance(auto.choose(looped), TPESampler)
