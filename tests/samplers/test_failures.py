"""Model-based samplers learn from failed trials instead of proposing them again."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import pytest

import paretune as pt
from paretune.samplers import BaseSampler
from paretune.samplers import TPESampler


def _conditional_objective(trial: pt.Trial) -> dict[str, float]:
    """Best towards x = 1 (accuracy) and x = 0 (disparity); crashes beyond 0.9, NaN below 0.1."""
    x = trial.suggest_float("x", 0.0, 1.0)
    if trial.suggest_categorical("model", ["a", "b"]) == "a":
        trial.suggest_int("depth", 1, 10, log=True)
    if x > 0.9:
        raise MemoryError("out of memory")
    if x < 0.1:
        return {"accuracy": float("nan"), "disparity": 0.0}
    return {"accuracy": x, "disparity": x**2}


def _failed(study: pt.Study, first: int = 0) -> list[pt.TrialRecord]:
    return [t for t in study.trials[first:] if t.state is pt.TrialState.FAILED]


def _conditional_study(sampler: BaseSampler, n_trials: int) -> pt.Study:
    """``n_trials`` of ``_conditional_objective`` proposed by ``sampler`` (study seed 0)."""
    study = pt.create_study(
        objectives={"accuracy": "maximize", "disparity": "minimize"}, sampler=sampler, seed=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(_conditional_objective, n_trials=n_trials)
    return study


def test_tpe_stops_proposing_regions_that_crashed_or_returned_nan() -> None:
    study = _conditional_study(TPESampler(seed=0), n_trials=40)
    # Without the failures in its model, TPE kept proposing both edges (the best-looking
    # places): 14 of these 40 trials failed, 11 of them from trial 15 on. With them, 4 and 1.
    assert len(_failed(study, first=15)) <= 3
    assert len(study.get_trials(states=(pt.TrialState.COMPLETE,))) >= 33
    assert len(study.failures_for_sampler()) == len(_failed(study))


def _crashes_at_the_optimum(trial: pt.Trial) -> dict[str, float]:
    """ZDT1 in 4 dimensions; the region x1 + x2 < 0.3, where the front lies, crashes."""
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(4)]
    if x[1] + x[2] < 0.3:
        raise MemoryError("out of memory")
    g = 1 + 9 * sum(x[1:]) / 3
    return {"f1": x[0], "f2": g * (1 - (x[0] / g) ** 0.5)}


_MANY_OUTCOMES_WITH_FAILURES = textwrap.dedent(
    """
    import warnings
    import paretune as pt

    def objective(trial):
        x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(3)]
        if x[0] < 0.25:
            raise MemoryError("out of memory")
        return {"f1": x[0], "f2": 1 - x[0] + x[2], "c1": x[1], "c2": x[2] - 0.8, "c3": x[0] * x[1]}

    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        constraints={"c1": ("<=", 0.9), "c2": ("<=", 0.0), "c3": ("<=", 0.5)},
        sampler=pt.samplers.GPSampler(seed=0, n_startup_trials=6, raw_samples=32),
        seed=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(objective, n_trials=9)
    print(sum(t.state is pt.TrialState.FAILED for t in study.trials[:6]), len(study.trials))
    """
)


def test_gp_with_many_outcomes_and_failed_trials_raises_no_library_warnings() -> None:
    # Five outcomes take the batched GP and failed trials add the failure GP beside it; the
    # posterior of that list made PyTorch warn (once a process) about linear_operator's
    # sparse tensors. A fresh interpreter with every warning an error sees the first one.
    pytest.importorskip("botorch")
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", _MANY_OUTCOMES_WITH_FAILURES],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    failed_startups, n_trials = map(int, run.stdout.split())
    assert failed_startups >= 1 and n_trials == 9


def test_gp_does_not_propose_a_failed_configuration_again() -> None:
    pytest.importorskip("botorch")
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        sampler=pt.samplers.GPSampler(seed=0),
        seed=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(_crashes_at_the_optimum, n_trials=20)
    # The GP ignoring failures proposed the same crashing point (all zeros) from trial 11
    # to the end: the same data gives the same maximiser.
    failed = [tuple(t.params.values()) for t in _failed(study)]
    assert len(set(failed)) == len(failed)
    assert len(study.get_trials(states=(pt.TrialState.COMPLETE,))) >= 13


def test_a_trial_failed_by_its_own_metrics_is_a_failure_for_samplers() -> None:
    study = pt.create_study(objectives={"loss": "minimize"})
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    study.tell(trial, {"loss": float("nan")})
    assert [t.number for t in study.failures_for_sampler()] == [0]


def test_a_budgeted_study_learns_from_failures_at_every_budget() -> None:
    """The multi-fidelity default (model-based brackets, TPE at the top budget) counts
    failures from any rung: a configuration that ran out of memory on a ninth of the data
    is not worth promoting or proposing again."""

    def objective(trial: pt.Trial) -> dict[str, float]:
        x, y = trial.suggest_float("x", 0.0, 1.0), trial.suggest_float("y", 0.0, 1.0)
        if x > 0.85:
            raise MemoryError("out of memory")
        budget = float(trial.budget or 1.0)
        return {"accuracy": x * (0.8 + 0.2 * budget) - 0.1 * y, "disparity": x**2 * (1 - y)}

    study = pt.create_study(
        objectives={"accuracy": "maximize", "disparity": "minimize"},
        fidelity=pt.Fidelity("data_fraction", 1 / 9, 1.0),
        seed=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(objective, n_trials=120)
    # With failures hidden from the sampler 100 of 120 failed, 77 of them from trial 40
    # on; with them, 31 and 26.
    assert len(_failed(study, first=40)) <= 40


def test_an_unrelated_failure_fails_the_trial_but_teaches_the_sampler_nothing() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number == 1:
            try:
                raise ConnectionError("lost the data server")
            except ConnectionError as exc:
                raise pt.UnrelatedFailure() from exc
        if trial.number == 2:
            raise pt.UnrelatedFailure("spot instance preempted")
        if trial.number == 3:
            raise MemoryError("out of memory")
        return {"loss": x}

    study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(objective, n_trials=5)
    states = [t.state for t in study.trials]
    assert states.count(pt.TrialState.FAILED) == 3 and len(states) == 5
    reasons = [t.fail_reason for t in study.trials[1:3]]
    assert reasons == [
        "unrelated to the configuration: ConnectionError: lost the data server",
        "unrelated to the configuration: spot instance preempted",
    ]
    assert "ConnectionError" in (study.trials[1].traceback or "")
    assert [t.number for t in study.failures_for_sampler()] == [3]

    from paretune.trial._failures import failure_label

    assert failure_label(study.trials[1]) == "unrelated to the configuration"
    assert failure_label(study.trials[3]) == "MemoryError"
    assert [t.fail_kind for t in study.trials[1:4]] == [
        pt.FailKind.UNRELATED,
        pt.FailKind.UNRELATED,
        pt.FailKind.ERROR,
    ]


def test_an_unrelated_failure_is_handled_whatever_catch_says_and_in_ask_tell() -> None:
    def objective(trial: pt.Trial) -> float:
        raise pt.UnrelatedFailure("GPU taken by another job")

    study = pt.create_study(objectives={"loss": "minimize"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pt.exceptions.FailedTrialsWarning)
        study.optimize(objective, n_trials=2, catch=())  # no exception type is caught
    assert [t.state for t in study.trials] == [pt.TrialState.FAILED] * 2
    trial = study.ask()  # ask/tell: the reason's prefix marks it
    study.tell(trial, state="failed", fail_reason="unrelated to the configuration: preempted")
    assert study.failures_for_sampler() == []


@pytest.mark.parametrize("sampler_class", [pt.samplers.NSGAIISampler, pt.samplers.NSGAIIISampler])
def test_nsga_breeds_away_from_configurations_that_failed(sampler_class: type) -> None:
    study = _conditional_study(sampler_class(seed=0), n_trials=100)
    # Breeding as if nothing had failed, the children of generations 1-4 (trials 20-99)
    # failed 11 times (seeds 1-4: 5-8); breeding again near failures, 2 (seeds 1-4: 1-2).
    assert len(_failed(study, first=20)) <= 4
    assert len(study.get_trials(states=(pt.TrialState.COMPLETE,))) >= 90


def test_nsga_reads_the_study_once_per_trial_however_many_parameters_it_breeds() -> None:
    sampler = pt.samplers.NSGAIISampler(seed=0, population_size=8)
    study = _conditional_study(sampler, n_trials=24)  # generations 0-2, with failures
    assert study.failures_for_sampler()
    reads = {"complete": 0, "failed": 0}
    read_complete, read_failed = study.trials_for_sampler, study.failures_for_sampler

    def complete() -> list[pt.TrialRecord]:
        reads["complete"] += 1
        return read_complete()

    def failed() -> list[pt.TrialRecord]:
        reads["failed"] += 1
        return read_failed()

    study.trials_for_sampler, study.failures_for_sampler = complete, failed  # type: ignore[method-assign]
    for _ in range(6):
        trial = study.ask()
        trial.suggest_float("x", 0.0, 1.0)
        for knob in ("depth", "width", "leaves"):  # three parameters outside the parents' space
            trial.suggest_int(knob, 1, 10, log=True)
        study.tell(trial, {"accuracy": 0.5, "disparity": 0.25})
    # One read of each per trial (the parents and the failure checks share them), where
    # each conditional parameter used to read the complete trials again.
    assert reads == {"complete": 6, "failed": 6}


def test_nearest_failure_is_judged_over_the_parameters_both_trials_have() -> None:
    import numpy as np

    from paretune.samplers._near_failure import mean_distances
    from paretune.samplers._near_failure import nearest_is_failed

    categorical = np.array([False, True, False])
    point = np.array([0.5, 1.0, np.nan])  # the third parameter is one the point lacks
    rows = np.array([[0.8, 1.0, 0.0], [0.5, 0.0, 0.3], [np.nan, np.nan, 0.2]])
    distances = mean_distances(point, rows, categorical)
    # 0.3 over two shared parameters; another category counts 1; nothing shared: infinity
    assert distances[0] == pytest.approx(0.3 / 2**0.5)
    assert distances[1] == pytest.approx(1 / 2**0.5)
    assert distances[2] == np.inf

    complete, failed = np.array([[0.2, 1.0, 0.5]]), np.array([[0.6, 1.0, 0.5]])
    assert nearest_is_failed(point, complete, failed, categorical)
    assert not nearest_is_failed(np.array([0.3, 1.0, 0.5]), complete, failed, categorical)
    assert not nearest_is_failed(point, complete, failed[:0], categorical)
    assert nearest_is_failed(point, complete[:0], failed, categorical)
