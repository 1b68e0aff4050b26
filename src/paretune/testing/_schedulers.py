"""The scheduler contract: budgets on the rungs, promotions, stops, determinism."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import paretune as pt
from paretune.exceptions import FailedTrialsWarning
from paretune.schedulers import BaseScheduler

__all__ = ["SchedulerContract"]

SchedulerFactory = Callable[[], BaseScheduler]
"""Makes a fresh scheduler."""

_FIDELITY = pt.Fidelity("epochs", 1, 27)
_STEPS = 27


def _budgeted_objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    if kind == "b" and x > 0.9:
        raise ValueError("this region crashes")
    budget = float(trial.budget or _FIDELITY.high)
    return {"f1": x + 1.0 / budget, "f2": (1.0 - x) ** 2 + 1.0 / budget, "c": x}


def _loop_objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    metrics = {"f1": x, "f2": 1.0 - x, "c": x}
    for step in range(1, _STEPS + 1):
        metrics = {"f1": x + 1.0 / step, "f2": (1.0 - x) ** 2 + 1.0 / step, "c": x}
        trial.report(metrics, step=step)
        if trial.should_stop():
            raise pt.TrialStopped(trial.stop_reason or "stopped by the scheduler")
    return metrics


def _run_budgeted(study: pt.Study, n_trials: int) -> None:
    with warnings.catch_warnings():  # the crashing region is on purpose
        warnings.simplefilter("ignore", FailedTrialsWarning)
        study.optimize(_budgeted_objective, n_trials=n_trials, catch=(ValueError,))


def _study(scheduler: BaseScheduler, *, budgeted: bool, seed: int) -> pt.Study:
    return pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        constraints={"c": ("<=", 0.95)},
        fidelity=_FIDELITY if budgeted else None,
        scheduler=scheduler,
        sampler=pt.samplers.RandomSampler(seed=seed),
        seed=seed,
    )


class SchedulerContract:
    """Tests every scheduler passes, budgeted (a fidelity of 1 to 27 epochs) and in the
    training loop (27 reported steps). Subclass it in a test module and give it a
    ``make_scheduler`` fixture returning a factory of fresh schedulers::

        class TestMyScheduler(SchedulerContract):
            @pytest.fixture
            def make_scheduler(self):
                return lambda: MyScheduler(min_resource=1, max_resource=27)

    Set ``deterministic = False`` for a scheduler that decides from wall-clock durations
    (its decisions then differ between runs by design).
    """

    deterministic = True
    n_trials = 40

    def test_budgeted_trials_train_within_the_fidelity_and_promotions_keep_parameters(
        self, make_scheduler: SchedulerFactory
    ) -> None:
        study = _study(make_scheduler(), budgeted=True, seed=0)
        _run_budgeted(study, self.n_trials)
        by_number = {t.number: t for t in study.trials}
        assert len(by_number) == self.n_trials
        for trial in study.trials:
            assert trial.state.is_finished
            assert trial.budget is not None and _FIDELITY.low <= trial.budget <= _FIDELITY.high
            assert isinstance(trial.budget, type(_FIDELITY.high))
            placement = trial.placement
            assert placement is not None
            if placement.previous_trial is not None:
                parent = by_number[placement.previous_trial]
                assert dict(trial.params) == dict(parent.params)
                assert parent.budget is not None and trial.budget > parent.budget
                assert trial.config == parent.config

    def test_budgeted_decisions_repeat_with_the_same_seed(
        self, make_scheduler: SchedulerFactory
    ) -> None:
        if not self.deterministic:
            return

        def plan(seed: int) -> list[tuple[float | None, int]]:
            study = _study(make_scheduler(), budgeted=True, seed=seed)
            _run_budgeted(study, self.n_trials)
            return [(t.budget, t.config) for t in study.trials]

        assert plan(5) == plan(5)

    def test_in_loop_trials_stop_only_after_reports_and_repeat_with_the_seed(
        self, make_scheduler: SchedulerFactory
    ) -> None:
        def run(seed: int) -> list[tuple[str, int]]:
            study = _study(make_scheduler(), budgeted=False, seed=seed)
            study.optimize(_loop_objective, n_trials=self.n_trials)
            outcome = []
            for trial in study.trials:
                assert trial.state in (pt.TrialState.COMPLETE, pt.TrialState.STOPPED)
                last = max(trial.intermediate)
                if trial.state is pt.TrialState.STOPPED:
                    assert last < _STEPS and trial.fail_reason
                else:
                    assert last == _STEPS
                outcome.append((trial.state.value, last))
            return outcome

        first = run(2)
        if self.deterministic:
            assert first == run(2)

    def test_guards_are_fixed_by_the_study_seed(self, make_scheduler: SchedulerFactory) -> None:
        scheduler = make_scheduler()
        study = _study(scheduler, budgeted=True, seed=9)
        draws = [scheduler.guards(study, n) for n in range(50)]
        assert all(isinstance(d, bool) for d in draws)
        again = _study(make_scheduler(), budgeted=True, seed=9)
        assert draws == [make_scheduler().guards(again, n) for n in range(50)]
