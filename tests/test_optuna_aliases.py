"""Optuna's names, kept as aliases: n_jobs, best_trials, directions."""

from __future__ import annotations

import os

import pytest

import paretune as pt


def _study() -> pt.Study:
    return pt.create_study(objectives={"accuracy": "maximize", "eo_diff": "minimize"}, seed=0)


def _objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    return {"accuracy": x, "eo_diff": x * x}


def test_n_jobs_is_n_workers() -> None:
    study = _study()
    study.optimize(_objective, n_trials=6, n_jobs=2)
    study.optimize(_objective, n_trials=2, n_jobs=2, n_workers=2)
    study.optimize(_objective, n_trials=2, n_jobs=-1)
    assert len(study.trials) == 10
    with pytest.raises(ValueError, match="alias of `n_workers`"):
        study.optimize(_objective, n_trials=2, n_jobs=2, n_workers=3)
    with pytest.raises(ValueError, match="`n_jobs` must be a positive integer or -1"):
        study.optimize(_objective, n_trials=2, n_jobs=0)
    assert os.cpu_count()


def test_best_trials_is_the_front_and_directions_the_objectives() -> None:
    study = _study()
    study.optimize(_objective, n_trials=8)
    assert study.best_trials == study.pareto_front() != []
    assert study.directions == (pt.Direction.MAXIMIZE, pt.Direction.MINIMIZE)
    assert study.directions == ("maximize", "minimize")
