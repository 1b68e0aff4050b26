"""Soft constraints (penalties) and known constraints on parameters."""

from __future__ import annotations

import pytest

import paretune as pt
from paretune.exceptions import InvalidConfigurationError
from paretune.exceptions import InvalidObjectiveError

SAMPLERS = {
    "random": lambda: pt.samplers.RandomSampler(seed=0),
    "sobol": lambda: pt.samplers.SobolSampler(seed=0),
    "tpe": lambda: pt.samplers.TPESampler(seed=0, n_startup_trials=5),
    "nsga2": lambda: pt.samplers.NSGAIISampler(seed=0, population_size=6),
}


def test_soft_constraint_penalises_losses_but_keeps_feasibility() -> None:
    soft = pt.Constraint("latency", "<=", 10.0, soft=True, weight=0.01)
    study = pt.create_study(objectives={"accuracy": "maximize"}, constraints={"latency": soft})
    fast = study.tell(study.ask(), {"accuracy": 0.90, "latency": 5.0})
    slow = study.tell(study.ask(), {"accuracy": 0.95, "latency": 20.0})
    assert fast.feasible and slow.feasible and slow.constraints == {}
    # Loss = -accuracy + 0.01 * max(0, latency - 10): -0.90 vs -0.95 + 0.10 = -0.85.
    assert study.losses([fast, slow]).ravel().tolist() == pytest.approx([-0.90, -0.85])
    assert [t.number for t in study.pareto_front()] == [0]


def test_soft_constraints_survive_storage(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/soft.db"
    soft = pt.Constraint("latency", ">=", 1.0, soft=True, weight=2.0)
    pt.create_study(
        study_name="s", objectives={"a": "minimize"}, constraints={"latency": soft}, storage=url
    )
    loaded = pt.load_study(study_name="s", storage=url)
    assert loaded.constraints == (soft,)
    assert "soft, weight 2" in str(loaded.constraints[0])


def test_bad_soft_weight() -> None:
    with pytest.raises(InvalidObjectiveError, match="positive"):
        pt.Constraint("latency", "<=", 1.0, soft=True, weight=0.0)


def heads_objective(trial: pt.Trial) -> dict[str, float]:
    d_model = trial.suggest_int("d_model", 32, 256, step=32)
    n_heads = trial.suggest_int("n_heads", 1, 12)
    assert d_model % n_heads == 0, "a parameter constraint let an invalid pair through"
    return {"loss": abs(d_model - 128) / 128 + abs(n_heads - 8) / 8, "size": d_model * n_heads}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_known_constraints_never_reach_the_objective(name: str) -> None:
    study = pt.create_study(
        objectives={"loss": "minimize", "size": "minimize"},
        sampler=SAMPLERS[name](),
        param_constraints=[lambda p: p["d_model"] % p["n_heads"] == 0],
    )
    study.optimize(heads_objective, n_trials=40)
    assert all(t.state is pt.TrialState.COMPLETE for t in study.trials)
    assert len({(t.params["d_model"], t.params["n_heads"]) for t in study.trials}) > 5


def test_impossible_parameter_constraint_fails_the_trial_with_a_reason() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        param_constraints=[lambda p: p["x"] > 2.0],
    )
    with pytest.warns(pt.exceptions.FailedTrialsWarning):
        study.optimize(lambda t: {"loss": t.suggest_float("x", 0.0, 1.0)}, n_trials=2)
    reason = study.trials[0].fail_reason or ""
    assert "InvalidConfigurationError" in reason and "'x'" in reason
    assert study.trials[0].params == {}


def test_enqueued_configuration_that_breaks_a_constraint_is_refused() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize", "size": "minimize"},
        param_constraints=[lambda p: p["d_model"] % p["n_heads"] == 0],
    )
    study.enqueue({"d_model": 96, "n_heads": 5})
    trial = study.ask()
    trial.suggest_int("d_model", 32, 256, step=32)
    with pytest.raises(InvalidConfigurationError, match="enqueue a valid configuration"):
        trial.suggest_int("n_heads", 1, 12)


def test_param_constraints_must_be_callable() -> None:
    with pytest.raises(TypeError, match="functions of the parameters"):
        pt.create_study(objectives={"loss": "minimize"}, param_constraints=["x > 1"])  # type: ignore[list-item]
