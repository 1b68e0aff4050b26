"""A deterministic study (the default) evaluates each configuration once."""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable

import pytest

import paretune as pt
from paretune.exceptions import RepeatedConfigurationWarning
from paretune.samplers import BaseSampler

SAMPLERS: dict[str, Callable[[int], BaseSampler]] = {
    "tpe": lambda seed: pt.samplers.TPESampler(seed=seed, n_startup_trials=4),
    "nsga2": lambda seed: pt.samplers.NSGAIISampler(seed=seed, population_size=4),
    "random": lambda seed: pt.samplers.RandomSampler(seed=seed),
    "sobol": lambda seed: pt.samplers.SobolSampler(seed=seed),
}
if importlib.util.find_spec("botorch") is not None:
    SAMPLERS["gp"] = lambda seed: pt.samplers.GPSampler(
        seed=seed, n_startup_trials=4, num_restarts=2, raw_samples=32
    )


def _one_int(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_int("x", 0, 11)
    return {"loss": (x - 7) ** 2}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_no_value_repeats_until_the_range_is_exhausted(name: str) -> None:
    study = pt.create_study(objectives={"loss": "minimize"}, sampler=SAMPLERS[name](0))
    study.optimize(_one_int, n_trials=12)
    values = [t.params["x"] for t in study.trials]
    assert sorted(values) == list(range(12))
    with pytest.warns(RepeatedConfigurationWarning, match="exhausted"):
        study.optimize(_one_int, n_trials=2)  # nothing left: repeats, with one warning
    assert len(study.trials) == 14


def test_a_grid_is_filled_before_any_repeat() -> None:
    def objective(trial: pt.Trial) -> float:
        a = trial.suggest_categorical("a", ["x", "y", "z"])
        b = trial.suggest_int("b", 1, 4)
        c = trial.suggest_float("c", 0.0, 1.0, step=0.5)
        return {"x": 0.0, "y": 1.0, "z": 2.0}[a] + b + c

    study = pt.create_study(
        objectives={"loss": "minimize"}, sampler=pt.samplers.TPESampler(seed=1, n_startup_trials=5)
    )
    study.optimize(objective, n_trials=36)
    configs = {tuple(sorted(t.params.items())) for t in study.trials}
    assert len(configs) == 36  # 3 x 4 x 3: every combination once


def test_repeats_are_allowed_when_the_objective_is_not_deterministic() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        sampler=pt.samplers.RandomSampler(seed=0),
        deterministic_objective=False,
    )
    study.optimize(lambda t: float(t.suggest_int("x", 0, 3)), n_trials=12)
    assert len({t.params["x"] for t in study.trials}) <= 4
    assert study.is_evaluated({"x": 0}) is False  # the check is off


def test_enqueued_values_are_kept_and_count_as_taken() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"}, sampler=pt.samplers.RandomSampler(seed=0)
    )
    study.enqueue({"x": 1})
    study.enqueue({"x": 1})  # the user asked for this repeat
    study.optimize(lambda t: float(t.suggest_int("x", 0, 3)), n_trials=4)
    values = [t.params["x"] for t in study.trials]
    assert values[:2] == [1, 1] and len(set(values[2:])) == 2
    assert 1 not in values[2:]
    assert study.is_evaluated({"x": 1}) and not study.is_evaluated({"x": 1, "y": 2})


def test_failures_that_blame_the_configuration_count_others_do_not() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"}, sampler=pt.samplers.RandomSampler(seed=0)
    )
    told = study.ask()
    x = told.suggest_int("x", 0, 2)
    study.tell(told, state="failed")  # kind "told": the configuration is blamed
    lost = study.ask()
    y = lost.suggest_int("x", 0, 2)
    study.tell(lost, state="failed", fail_kind="unrelated")  # says nothing about it
    assert y != x
    assert study.is_evaluated({"x": x}) and not study.is_evaluated({"x": y})


def test_threads_never_take_the_same_configuration() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"}, sampler=pt.samplers.RandomSampler(seed=3)
    )
    study.optimize(lambda t: float(t.suggest_int("x", 0, 15)), n_trials=16, n_workers=4)
    assert sorted(t.params["x"] for t in study.trials) == list(range(16))


def test_the_setting_is_stored_with_the_study(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    pt.create_study(
        objectives={"loss": "minimize"}, study_name="s", storage=url, deterministic_objective=False
    )
    assert pt.load_study(study_name="s", storage=url).deterministic_objective is False
    again = pt.create_study(
        objectives={"loss": "minimize"}, study_name="s", storage=url, load_if_exists=True
    )
    assert again.deterministic_objective is False  # None keeps the stored setting
    assert pt.load_study(
        study_name="s", storage=url, deterministic_objective=True
    ).deterministic_objective
    assert pt.load_study(study_name="s", storage=url).deterministic_objective


def test_parameter_constraints_hold_for_replacements() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        sampler=pt.samplers.RandomSampler(seed=0),
        param_constraints=[lambda p: p.get("x", 0) % 2 == 0],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepeatedConfigurationWarning)
        study.optimize(lambda t: float(t.suggest_int("x", 0, 9)), n_trials=5)
    assert sorted(t.params["x"] for t in study.trials) == [0, 2, 4, 6, 8]
