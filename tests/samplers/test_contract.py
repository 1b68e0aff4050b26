"""The contract every sampler honours: bounds, types, conditional spaces, determinism."""

from __future__ import annotations

import importlib.util
import inspect
import json
import pathlib
import subprocess
import sys
import textwrap
from collections.abc import Callable

import numpy as np
import pytest

import paretune as pt
from paretune.samplers import AutoSampler
from paretune.samplers import BaseSampler
from paretune.samplers import GPSampler
from paretune.samplers import NSGAIIISampler
from paretune.samplers import NSGAIISampler
from paretune.samplers import RandomSampler
from paretune.samplers import SobolSampler
from paretune.samplers import TPESampler
from paretune.testing import SamplerContract
from paretune.testing import mixed_objective

SAMPLERS: dict[str, Callable[[int], BaseSampler]] = {
    "random": lambda seed: RandomSampler(seed=seed),
    "sobol": lambda seed: SobolSampler(seed=seed),
    "tpe": lambda seed: TPESampler(seed=seed, n_startup_trials=5),
    "tpe-branch": lambda seed: TPESampler(seed=seed, n_startup_trials=5, conditional="branch"),
    "nsga2": lambda seed: NSGAIISampler(seed=seed, population_size=8),
    # The default's TPE route; its GP route is GPSampler, tested in test_gp.py.
    "auto": lambda seed: AutoSampler(seed=seed, use_gp=False),
    "nsga3": lambda seed: NSGAIIISampler(seed=seed, population_size=8),
}
if importlib.util.find_spec("botorch") is not None:
    # The default's GP route, with a short start and a cheap acquisition optimiser so the
    # contract runs in seconds; the GP's search quality is pinned in test_gp.py.
    SAMPLERS["gp"] = lambda seed: GPSampler(
        seed=seed, n_startup_trials=6, num_restarts=2, raw_samples=32
    )
    # Conditional parameters modelled too, each shape of the space searched apart.
    SAMPLERS["gp-joint"] = lambda seed: GPSampler(
        seed=seed, n_startup_trials=6, num_restarts=2, raw_samples=32, conditional="joint"
    )
# Longest contract study per sampler: a GP suggestion on this mixed space costs about a
# second, so the GP's studies stop at 9 trials (three of them modelled).
MAX_TRIALS = {"gp": 9, "gp-joint": 9}
ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_study(name: str, seed: int, n: int = 40) -> pt.Study:
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"}, sampler=SAMPLERS[name](seed)
    )
    study.optimize(mixed_objective, n_trials=min(n, MAX_TRIALS.get(name, n)))
    return study


class TestEverySampler(SamplerContract):
    """paretune.testing's sampler contract, run on every configuration in SAMPLERS."""

    @pytest.fixture(params=sorted(SAMPLERS))
    def make_sampler(self, request: pytest.FixtureRequest) -> Callable[[int], BaseSampler]:
        self.max_trials = MAX_TRIALS.get(request.param)
        return SAMPLERS[request.param]


def test_every_public_sampler_runs_the_contract() -> None:
    concrete = {
        name
        for name in pt.samplers.__all__
        if isinstance(getattr(pt.samplers, name), type)
        and not inspect.isabstract(getattr(pt.samplers, name))
        and name != "BaseSampler"
    }
    covered = {type(make(0)).__name__ for make in SAMPLERS.values()}
    assert concrete <= covered, f"no contract run for {sorted(concrete - covered)}"


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_reproducible_in_a_fresh_process(name: str) -> None:
    code = textwrap.dedent(
        f"""
        import json
        from tests.samplers.test_contract import SAMPLERS, run_study
        study = run_study({name!r}, seed=11, n=20)
        print(json.dumps([dict(t.params) for t in study.trials], sort_keys=True))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    here = [dict(t.params) for t in run_study(name, seed=11, n=20).trials]
    assert json.loads(out) == json.loads(json.dumps(here, sort_keys=True))


@pytest.mark.parametrize("name", ["random", "sobol"])
def test_space_filling_samplers_cover_the_range_evenly(name: str) -> None:
    study = pt.create_study(objectives={"f": "minimize"}, sampler=SAMPLERS[name](0))
    study.optimize(lambda t: t.suggest_float("u", 0.0, 1.0), n_trials=64)
    values = np.array([t.params["u"] for t in study.trials])
    counts = np.histogram(values, bins=4, range=(0, 1))[0]
    assert counts.min() >= 8  # 16 expected per bin


def test_sobol_is_more_even_than_random() -> None:
    def discrepancy(make: Callable[[int], BaseSampler]) -> float:
        from scipy.stats import qmc

        study = pt.create_study(objectives={"f": "minimize"}, sampler=make(0))
        study.optimize(
            lambda t: t.suggest_float("a", 0, 1) + t.suggest_float("b", 0, 1), n_trials=65
        )
        points = np.array([[t.params["a"], t.params["b"]] for t in study.trials[1:]])
        return float(qmc.discrepancy(points))

    assert discrepancy(SAMPLERS["sobol"]) < discrepancy(SAMPLERS["random"])


MODEL_BASED = ["tpe", "nsga2", "auto"]


def constrained_problem(trial: pt.Trial) -> dict[str, float]:
    """Two objectives on [0, 1]^4; feasible only where x0 + x1 >= 1.2 (about a third)."""
    x = np.array([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(4)])
    g = 1.0 + 4.0 * float(np.sum((x[2:] - 0.5) ** 2))
    return {"f1": x[0] * g, "f2": (1.0 - x[0]) * g, "s": float(x[0] + x[1])}


def _run(name: str, seed: int, n: int = 80) -> pt.Study:
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        constraints={"s": (">=", 1.2)},
        sampler=SAMPLERS[name](seed),
    )
    study.optimize(constrained_problem, n_trials=n)
    return study


@pytest.mark.parametrize("name", MODEL_BASED)
def test_model_based_samplers_beat_random_search(name: str) -> None:
    reference = {"f1": 3.0, "f2": 3.0}
    ours = [_run(name, seed).hypervolume(reference) for seed in range(3)]
    rand = [_run("random", seed).hypervolume(reference) for seed in range(3)]
    assert np.median(ours) > np.median(rand)


@pytest.mark.parametrize("name", MODEL_BASED)
def test_model_based_samplers_learn_the_feasible_region(name: str) -> None:
    def late_feasible_share(sampler: str) -> float:
        shares = []
        for seed in range(3):
            late = _run(sampler, seed).trials[40:]
            shares.append(np.mean([t.feasible for t in late]))
        return float(np.median(shares))

    assert late_feasible_share(name) > late_feasible_share("random") + 0.1
