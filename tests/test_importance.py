"""Parameter importance: known-answer problems, conditional spaces, constraints, errors."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import paretune as pt
from paretune.importance import DEFAULT_QUANTILE
from paretune.importance import importances
from paretune.importance import param_importances
from paretune.importance._axes import axis_for
from paretune.importance._divergence import top_mask
from paretune.importance._ped_anova import _raw_importance
from paretune.importance._targets import find_target

Objective = Callable[[pt.Trial], dict[str, float]]


def _study(
    objective: Objective,
    n_trials: int,
    *,
    seed: int = 0,
    objectives: dict[str, str] | None = None,
    constraints: dict[str, Any] | None = None,
) -> pt.Study:
    study = pt.create_study(
        objectives=objectives or {"loss": "minimize"},
        constraints=constraints,
        sampler=pt.samplers.RandomSampler(seed=seed),
    )
    study.optimize(objective, n_trials=n_trials)
    return study


def _strong_weak_none(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    trial.suggest_float("z", 0.0, 1.0)
    return {"loss": 4 * (x - 0.3) ** 2 + (y - 0.5) ** 2}


def _log_and_categorical(trial: pt.Trial) -> dict[str, float]:
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "rmsprop", "sgd"])
    trial.suggest_float("z", 0.0, 1.0)
    penalty = {"adam": 0.0, "rmsprop": 0.5, "sgd": 1.0}[str(optimizer)]
    return {"loss": abs(math.log10(lr) + 3) + 0.5 * penalty}


@pytest.mark.parametrize(
    ("objective", "strong", "weak"),
    [(_strong_weak_none, "x", "y"), (_log_and_categorical, "lr", "optimizer")],
    ids=["floats", "log-and-categorical"],
)
def test_ranks_a_strong_then_a_weak_parameter_above_an_irrelevant_one(
    objective: Objective, strong: str, weak: str
) -> None:
    ranked = 0
    for seed in range(5):
        imp = param_importances(_study(objective, 80, seed=seed), "loss")
        assert set(imp) == {strong, weak, "z"}
        assert sum(imp.values()) == pytest.approx(1.0)
        assert list(imp.values()) == sorted(imp.values(), reverse=True)
        assert next(iter(imp)) == strong and imp[strong] > 0.5
        ranked += imp[strong] > imp[weak] > imp["z"] and imp["z"] < 0.1
    assert ranked >= 4  # about 95% of seeds rank all three right at 80 trials


def test_the_direction_decides_which_trials_are_the_best() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return {"score": max(x - 0.8, 0.0) - max(0.2 - y, 0.0)}  # x lifts it, y sinks it

    maximised = _study(objective, 60, objectives={"score": "maximize"})
    minimised = _study(objective, 60, objectives={"score": "minimize"})
    assert list(param_importances(maximised, "score")) == ["x", "y"]
    assert list(param_importances(minimised, "score")) == ["y", "x"]


def test_trials_tied_at_the_cut_are_kept_or_left_out_together() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.suggest_float("z", 0.0, 1.0)
        return {"score": 1.0 if x > 0.9 else 0.0}  # a few best, the rest tied

    imp = param_importances(_study(objective, 60, objectives={"score": "maximize"}), "score")
    assert imp["x"] > 0.9


def test_a_constraint_target_ranks_the_parameter_its_violation_depends_on() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        width = trial.suggest_int("width", 1, 64, log=True)
        trial.suggest_float("z", 0.0, 1.0)
        return {"loss": (x - 0.7) ** 2, "latency_ms": 2.0 * width + 3.0 * x}

    study = _study(objective, 60, constraints={"latency_ms": ("<=", 40.0)})
    both = importances(study)
    assert list(both) == ["loss", "latency_ms"]
    assert next(iter(both["latency_ms"])) == "width" and both["latency_ms"]["width"] > 0.6
    assert next(iter(both["loss"])) == "x"
    assert param_importances(study, "latency_ms") == both["latency_ms"]


def test_two_objectives_with_different_drivers_get_different_rankings() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return {"error": x, "fairness": y + 0.1 * x}

    study = _study(objective, 40, objectives={"error": "minimize", "fairness": "maximize"})
    both = importances(study)
    assert list(both["error"]) == ["x", "y"]
    assert list(both["fairness"]) == ["y", "x"]


def _conditional(trial: pt.Trial) -> dict[str, float]:
    model = trial.suggest_categorical("model", ["linear", "tree", "knn"])
    if model == "tree":
        depth = trial.suggest_int("depth", 1, 16)
        return {"loss": (depth - 10) ** 2 / 25}  # the best trials are trees near depth 10
    if model == "knn":
        k = trial.suggest_int("k", 1, 50)
        return {"loss": 4.0 + abs(k - 25) / 25}  # k matters, but no knn reaches the top
    trial.suggest_float("C", 1e-3, 1e3, log=True)
    return {"loss": 3.5}  # every linear model is as good as another


def test_conditional_parameters_are_scored_over_the_trials_that_have_them() -> None:
    study = _study(_conditional, 60)
    imp = param_importances(study, "loss")
    assert set(imp) == {"model", "depth", "k", "C"}
    assert list(imp)[:2] == ["model", "depth"] and imp["depth"] > 0.1
    # Neither branch reaches the top: what matters inside them does not matter here.
    assert imp["k"] == 0.0 and imp["C"] == 0.0
    assert sum(imp.values()) == pytest.approx(1.0)


def test_a_conditional_parameter_is_weighted_by_its_share_of_the_top_and_of_all() -> None:
    study = _study(_conditional, 60)
    trials = study.get_trials()
    losses = np.asarray([find_target(study, "loss").loss(r) for r in trials])
    top = top_mask(losses, DEFAULT_QUANTILE)
    have = np.asarray(["depth" in r.params for r in trials])
    a, b = top[have].sum() / top.sum(), have.mean()
    assert 0.0 < b < a <= 1.0
    trees = [r for r, keep in zip(trials, have, strict=True) if keep]
    values = [r.params["depth"] for r in trees]
    within = axis_for([r.distributions["depth"] for r in trees], values).divergence(
        values, top[have]
    )
    assert within > 0.0
    assert _raw_importance(trials, top, "depth") == pytest.approx(within * a * a / b)


def test_a_parameter_present_in_fewer_than_five_trials_scores_zero() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number < 4:
            trial.suggest_float("rare", 0.0, 1.0)
        return {"loss": x}

    imp = param_importances(_study(objective, 30), "loss")
    assert imp == {"x": 1.0, "rare": 0.0}


def test_uses_the_full_budget_trials_of_a_study_with_a_fidelity() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        sampler=pt.samplers.RandomSampler(seed=0),
        scheduler=pt.schedulers.ASHAScheduler(bias_guard=0.5),
        seed=0,
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        assert trial.budget is not None
        return {"loss": y if trial.budget == 9 else x}  # cheap rungs mislead

    study.optimize(objective, n_trials=120)
    assert next(iter(param_importances(study, "loss"))) == "y"
    assert next(iter(param_importances(study, "loss", budget=1))) == "x"


def test_too_few_trials_at_the_full_budget_names_the_budgets_that_have_enough() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        sampler=pt.samplers.RandomSampler(seed=0),
        scheduler=pt.schedulers.ASHAScheduler(),
        seed=0,
    )
    study.optimize(lambda t: {"loss": t.suggest_float("x", 0.0, 1.0)}, n_trials=12)
    with pytest.raises(ValueError, match=r"at least 5 complete trials.*epochs=9") as info:
        param_importances(study, "loss")
    assert "budget=" in str(info.value) and "1 (" in str(info.value)


def test_unknown_target_names_the_valid_ones() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        return {"acc": trial.suggest_float("x", 0.0, 1.0), "latency": 1.0}

    study = _study(
        objective, 6, objectives={"acc": "maximize"}, constraints={"latency": ("<=", 2.0)}
    )
    with pytest.raises(ValueError, match=r"'accuracy'.*\['acc'\].*\['latency'\]"):
        param_importances(study, "accuracy")


def test_too_few_trials_says_how_many_there_are_and_how_many_are_needed() -> None:
    study = _study(lambda t: {"loss": t.suggest_float("x", 0.0, 1.0)}, 4)
    with pytest.raises(ValueError, match=r"at least 5 complete trials.* has 4"):
        param_importances(study, "loss")
    with pytest.raises(ValueError, match=r"at least 5"):
        importances(study)


@pytest.mark.parametrize(("n_trials", "complete"), [(8, 4), (9, 5)])
def test_only_complete_trials_count(n_trials: int, complete: int) -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        return {"loss": float("nan") if trial.number % 2 else x}  # odd trials fail

    with pytest.warns(pt.exceptions.FailedTrialsWarning):
        study = _study(objective, n_trials)
    if complete < 5:
        with pytest.raises(ValueError, match=rf"has {complete}; run more trials"):
            param_importances(study, "loss")
    else:
        assert param_importances(study, "loss") == {"x": 1.0}


def test_one_parameter_gets_all_the_importance() -> None:
    study = _study(lambda t: {"loss": t.suggest_float("x", 0.0, 1.0) ** 2}, 10)
    assert param_importances(study, "loss") == {"x": 1.0}


def test_all_zero_when_nothing_varies() -> None:
    def objective(trial: pt.Trial) -> dict[str, float]:
        trial.suggest_float("x", 0.0, 1.0)
        trial.suggest_categorical("c", ["a", "b"])
        return {"loss": 1.0}

    assert param_importances(_study(objective, 20), "loss") == {"c": 0.0, "x": 0.0}


def test_is_deterministic_and_restricts_to_the_given_params() -> None:
    study = _study(_strong_weak_none, 40)
    assert param_importances(study, "loss") == param_importances(study, "loss")
    two = param_importances(study, "loss", params=["y", "z"])
    assert set(two) == {"y", "z"} and sum(two.values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"\['w'\].*\['x', 'y', 'z'\]"):
        param_importances(study, "loss", params=["w", "x"])


@pytest.mark.parametrize("quantile", [0.0, 1.0, -0.2])
def test_rejects_a_quantile_outside_the_open_unit_interval(quantile: float) -> None:
    study = _study(_strong_weak_none, 10)
    with pytest.raises(ValueError, match=r"`quantile` must lie in \(0, 1\)"):
        param_importances(study, "loss", quantile=quantile)


def test_budget_needs_a_fidelity() -> None:
    study = _study(_strong_weak_none, 10)
    with pytest.raises(ValueError, match=r"`budget` is for studies with a fidelity"):
        importances(study, budget=3)


def test_a_constraint_on_an_objective_metric_is_not_listed_twice() -> None:
    study = _study(
        lambda t: {"acc": t.suggest_float("x", 0.0, 1.0)},
        10,
        objectives={"acc": "maximize"},
        constraints={"acc": (">=", 0.5)},
    )
    assert list(importances(study)) == ["acc"]


def test_is_reachable_lazily_from_the_top_level_package() -> None:
    code = (
        "import sys, paretune as pt; loaded = 'paretune.importance' in sys.modules; "
        "pt.importance.param_importances; print(loaded, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
