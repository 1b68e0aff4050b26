"""paretune's and Optuna's samplers as contenders on a :class:`~harness.problem.Problem`.

A run is ``budget`` sequential trials of one study; its history is each trial's outcome
in order (:data:`harness.score.Outcome`: ``None`` where the objective raised or returned
NaN). Both libraries see the same space and objective; constraints go to Optuna through
``constraints_func``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from harness.contender import Contender
from harness.problem import Problem
from harness.score import Outcome

PARETUNE_LIBRARIES = ("paretune", "numpy", "scipy")
OPTUNA_LIBRARIES = ("optuna", "numpy", "scipy")
TORCH_LIBRARIES = ("torch", "botorch", "gpytorch")
"""Added for contenders that fit Gaussian processes (paretune's default fits them when
the ``bo`` extra is installed)."""


def paretune_study(problem: Problem, seed: int, budget: int, sampler: Any) -> list[Outcome]:
    """``budget`` trials of a paretune study with ``sampler`` (None: the default)."""
    import paretune as pt

    study = pt.create_study(
        objectives={f"f{i}": "minimize" for i in range(problem.n_objectives)},
        constraints={f"c{j}": ("<=", 0.0) for j in range(problem.n_constraints)},
        sampler=sampler,
        seed=seed,
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        objs, cons = problem.evaluate(problem.suggest(trial))
        return {
            **{f"f{i}": v for i, v in enumerate(objs)},
            **{f"c{j}": v for j, v in enumerate(cons)},
        }

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("paretune").setLevel(logging.ERROR)
        study.optimize(objective, n_trials=budget)
    outcomes: list[Outcome] = []
    for t in study.trials:
        if t.state is pt.TrialState.COMPLETE:
            objs = [float(t.metrics[f"f{i}"]) for i in range(problem.n_objectives)]
            cons = [float(t.metrics[f"c{j}"]) for j in range(problem.n_constraints)]
            outcomes.append((objs, cons))
        else:
            outcomes.append(None)
    return outcomes


def optuna_study(problem: Problem, seed: int, budget: int, sampler_name: str) -> list[Outcome]:
    """``budget`` trials of an Optuna study with ``optuna.samplers.<sampler_name>``,
    failures caught as Optuna users catch them (``catch=(Exception,)``)."""
    import optuna

    optuna.logging.set_verbosity(logging.ERROR)
    warnings.filterwarnings("ignore")
    kwargs: dict[str, Any] = {"seed": seed}
    if problem.n_constraints:
        kwargs["constraints_func"] = lambda t: t.user_attrs["constraints"]
    sampler = getattr(optuna.samplers, sampler_name)(**kwargs)
    study = optuna.create_study(directions=["minimize"] * problem.n_objectives, sampler=sampler)

    def objective(trial: optuna.Trial) -> tuple[float, ...]:
        objs, cons = problem.evaluate(problem.suggest(trial))
        trial.set_user_attr("constraints", [float(c) for c in cons])
        return tuple(objs)

    study.optimize(objective, n_trials=budget, catch=(Exception,))
    outcomes: list[Outcome] = []
    for t in study.trials:
        if t.state is optuna.trial.TrialState.COMPLETE:
            outcomes.append((list(t.values), list(t.user_attrs["constraints"])))
        else:
            outcomes.append(None)
    return outcomes


def paretune_contender(
    name: str,
    sampler: str | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    variant: str | None = None,
    make: Callable[[int], Any] | None = None,
) -> Contender:
    """paretune with ``paretune.samplers.<sampler>(seed=seed, **options)`` (``sampler``
    None: the study's default, AutoSampler). ``make(seed)``, when given, builds the
    sampler instead, and ``variant`` (required with it) says how it differs."""
    if (make is None) != (variant is None):
        raise ValueError("make and variant go together")
    settings: dict[str, Any] = {"library": "paretune", "sampler": sampler or "default"}
    if options:
        settings["options"] = dict(options)
    if variant:
        settings["variant"] = variant

    def build(seed: int) -> Any:
        if make is not None:
            return make(seed)
        if sampler is None:
            return None
        import paretune as pt

        return getattr(pt.samplers, sampler)(seed=seed, **(options or {}))

    def run(problem: Problem, seed: int, budget: float) -> list[Outcome]:
        return paretune_study(problem, seed, int(budget), build(seed))

    uses_gp = sampler in (None, "GPSampler", "AutoSampler")
    libraries = PARETUNE_LIBRARIES + (TORCH_LIBRARIES if uses_gp else ())
    return Contender(name, settings, run, libraries)


def optuna_contender(name: str, sampler: str) -> Contender:
    """Optuna with ``optuna.samplers.<sampler>(seed=seed)`` and its defaults."""

    def run(problem: Problem, seed: int, budget: float) -> list[Outcome]:
        return optuna_study(problem, seed, int(budget), sampler)

    libraries = OPTUNA_LIBRARIES + (TORCH_LIBRARIES if sampler == "GPSampler" else ())
    return Contender(name, {"library": "optuna", "sampler": sampler}, run, libraries)
