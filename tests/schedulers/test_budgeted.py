"""Budgeted multi-fidelity studies: what ``ask`` hands out, promotions, and the front."""

from __future__ import annotations

import collections
import multiprocessing as mp

import pytest

import paretune as pt
from paretune.schedulers import ASHAScheduler
from paretune.schedulers import HyperbandScheduler
from paretune.schedulers import SuccessiveHalvingScheduler


def _quality_objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    return {"loss": x + 1.0 / float(trial.budget)}  # the rank of x is the same at every budget


def test_successive_halving_promotes_the_best_third_of_a_full_rung() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=SuccessiveHalvingScheduler(eta=3),
        seed=1,
    )
    study.optimize(_quality_objective, n_trials=13)
    by_budget = collections.defaultdict(list)
    for record in study.trials:
        by_budget[record.budget].append(record)
    assert {b: len(rs) for b, rs in by_budget.items()} == {1: 9, 3: 3, 9: 1}
    xs = sorted(r.params["x"] for r in by_budget[1])
    assert sorted(r.params["x"] for r in by_budget[3]) == xs[:3]
    assert by_budget[9][0].params["x"] == xs[0]
    frame = study.trials_dataframe()
    assert frame["budget"].tolist() == [r.budget for r in study.trials]
    assert frame["config"].nunique() == 9
    # the first nine all ran before any promotion: a synchronous rung
    assert [r.budget for r in study.trials[:9]] == [1] * 9


def test_asha_promotes_as_soon_as_a_rung_allows_it() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=ASHAScheduler(eta=3),
        seed=0,
    )
    budgets = []
    for _ in range(14):
        trial = study.ask()
        budgets.append(trial.budget)
        study.tell(trial, _quality_objective(trial))
    # rung 0 promotes one of every three finished; rung 1 after three of its own
    assert budgets == [1, 1, 1, 3, 1, 1, 1, 3, 1, 1, 1, 3, 9, 1]


def test_a_promoted_trial_keeps_its_parameters_and_knows_where_it_came_from() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=ASHAScheduler(eta=3),
        seed=0,
    )
    for _ in range(3):
        trial = study.ask()
        assert trial.previous_budget is None and trial.previous_trial is None
        trial.set_user_attr("checkpoint", f"ckpt-{trial.number}.pt")
        study.tell(trial, _quality_objective(trial))
    promoted = study.ask()
    parent = promoted.previous_trial
    assert parent is not None
    assert promoted.budget == 3 and promoted.previous_budget == 1
    assert promoted.config == parent.number
    assert promoted.suggest_float("x", 0.0, 1.0) == parent.params["x"]
    assert parent.user_attrs["checkpoint"] == f"ckpt-{parent.number}.pt"
    assert parent.params["x"] == min(t.params["x"] for t in study.trials[:3])
    record = study.tell(promoted, _quality_objective(promoted))
    assert record.placement is not None and record.placement.previous_trial == parent.number


def test_the_default_scheduler_is_hyperband_and_budgets_are_typed() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"}, fidelity=pt.Fidelity("data_fraction", 1 / 9, 1.0)
    )
    assert isinstance(study.scheduler, HyperbandScheduler)
    assert study.scheduler.skip_costly and study.scheduler.safe_first
    trial = study.ask()  # safe first: the first bracket trains at the full budget
    assert trial.budget == pytest.approx(1.0) and isinstance(trial.budget, float)
    assert pt.create_study(objectives={"a": "minimize"}).ask().budget is None


def test_the_front_and_the_sampler_use_comparable_budgets() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize", "cost": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=HyperbandScheduler(eta=3),
        seed=3,
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        return {"loss": x + 1.0 / trial.budget, "cost": 1 - x}

    study.optimize(objective, n_trials=60)
    front = study.pareto_front()
    assert front and all(r.budget == 9 for r in front)
    view = study.trials_for_sampler()
    counts = collections.Counter(r.budget for r in study.get_trials(states=("complete",)))
    enough = [b for b, n in counts.items() if n >= 10]
    assert {r.budget for r in view} == {max(enough)}


def test_a_hopeless_configuration_is_never_promoted() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        constraints={
            "latency_ms": pt.Constraint("latency_ms", "<=", 5.0, fidelity_behaviour="independent")
        },
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=ASHAScheduler(eta=3),
        seed=0,
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        return {"loss": x, "latency_ms": 100.0 if x < 0.5 else 1.0}  # the best are too slow

    study.optimize(objective, n_trials=40)
    promoted = [r for r in study.trials if r.budget > 1]
    assert promoted and all(r.params["x"] >= 0.5 for r in promoted)


def test_loading_with_another_fidelity_is_refused(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/f.db"
    pt.create_study(
        study_name="s", objectives={"a": "minimize"}, storage=url, fidelity=pt.Fidelity("e", 1, 9)
    )
    loaded = pt.load_study(study_name="s", storage=url)
    assert loaded.fidelity == pt.Fidelity("e", 1, 9)
    with pytest.raises(pt.exceptions.StudyIncompatibleError, match="fidelity"):
        pt.create_study(
            study_name="s",
            objectives={"a": "minimize"},
            storage=url,
            fidelity=pt.Fidelity("e", 1, 27),
            load_if_exists=True,
        )
    with pytest.raises(TypeError, match="Fidelity"):
        pt.create_study(objectives={"a": "minimize"}, fidelity=("epochs", 1, 9))  # type: ignore[arg-type]


def test_create_trial_once_lets_exactly_one_caller_through(storage_url) -> None:
    study = pt.create_study(objectives={"a": "minimize"}, storage=storage_url)
    storage, study_id = study.storage, study._info.study_id
    made = [
        storage.create_trial_once(
            study_id, "promote:0:3", state=pt.TrialState.WAITING, seed_for=lambda n: n, now=0.0
        )
        for _ in range(3)
    ]
    assert made[0] is not None and made[1] is None and made[2] is None
    assert len(study.trials) == 1


@pytest.mark.parametrize("n_workers", [1, 4])
@pytest.mark.parametrize(
    "scheduler", [ASHAScheduler, SuccessiveHalvingScheduler, HyperbandScheduler]
)
def test_threads_share_a_budgeted_study_without_double_promotions(
    n_workers: int, scheduler: type[pt.schedulers.BaseScheduler]
) -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=scheduler(eta=3),  # type: ignore[call-arg]
        seed=0,
    )
    study.optimize(_quality_objective, n_trials=60, n_workers=n_workers)
    assert len(study.trials) == 60
    placed = collections.Counter((r.config, r.budget) for r in study.trials)
    assert max(placed.values()) == 1
    assert any(r.budget == 9 for r in study.trials)


def _worker(url: str) -> None:
    study = pt.load_study(study_name="mf", storage=url, scheduler=ASHAScheduler(eta=3))
    study.optimize(_quality_objective, n_trials=25)


def test_processes_share_a_budgeted_study_without_double_promotions(shared_url: str) -> None:
    pt.create_study(
        study_name="mf",
        objectives={"loss": "minimize"},
        storage=shared_url,
        fidelity=pt.Fidelity("epochs", 1, 9),
        seed=0,
    )
    ctx = mp.get_context("spawn")
    workers = [ctx.Process(target=_worker, args=(shared_url,)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    study = pt.load_study(study_name="mf", storage=shared_url)
    assert [r.number for r in study.trials] == list(range(100))
    placed = collections.Counter((r.config, r.budget) for r in study.trials)
    assert max(placed.values()) == 1
    assert sum(r.budget == 3 for r in study.trials) >= 10


def test_max_cost_stops_starting_trials_once_compute_is_spent() -> None:
    import time

    # A random sampler: the default's first trials also pay for importing its models.
    study = pt.create_study(
        objectives={"loss": "minimize"}, sampler=pt.samplers.RandomSampler(seed=0)
    )

    def objective(trial: pt.Trial) -> float:
        time.sleep(0.05)
        return trial.suggest_float("x", 0.0, 1.0)

    study.optimize(objective, n_trials=200, max_cost=0.25)
    assert 5 <= len(study.trials) < 50
    assert sum(r.duration or 0.0 for r in study.trials[:-1]) < 0.25
    with pytest.raises(ValueError, match="max_cost"):
        study.optimize(objective, n_trials=1, max_cost=0)
    with pytest.raises(ValueError, match="n_workers"):
        study.optimize(objective, n_trials=1, n_workers=0)
