"""Pieces of the model-based samplers: operators, estimator, default choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import integrate

import paretune as pt
from paretune.samplers import AutoSampler
from paretune.samplers import TPESampler
from paretune.samplers._nsga2 import polynomial_mutation
from paretune.samplers._nsga2 import sbx_crossover
from paretune.samplers._split import select_best
from paretune.samplers._tpe._parzen import ParzenEstimator


def test_genetic_operators_stay_in_the_unit_interval() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b = rng.random(5), rng.random(5)
        a[0], b[0] = 0.0, 1.0
        child = sbx_crossover(rng, a, b, eta=5.0)
        assert ((child >= 0) & (child <= 1)).all()
        mutated = polynomial_mutation(rng, child, eta=5.0)
        assert ((mutated >= 0) & (mutated <= 1)).all()


def test_sbx_children_of_identical_parents_are_the_parent() -> None:
    rng = np.random.default_rng(1)
    parent = np.array([0.2, 0.7])
    np.testing.assert_allclose(sbx_crossover(rng, parent, parent, eta=5.0), parent)


def test_parzen_density_integrates_to_one_and_samples_match_it() -> None:
    obs = np.array([[0.1], [0.15], [0.8]])
    est = ParzenEstimator(obs, np.array([0]), np.array([1e-3]))
    total, _ = integrate.quad(lambda x: float(np.exp(est.log_pdf(np.array([[x]])))[0]), 0, 1)
    assert total == pytest.approx(1.0, abs=1e-6)
    samples = est.sample(np.random.default_rng(0), 20000)[:, 0]
    # The share of samples below 0.5 matches the density's mass there.
    below, _ = integrate.quad(lambda x: float(np.exp(est.log_pdf(np.array([[x]])))[0]), 0, 0.5)
    assert np.mean(samples < 0.5) == pytest.approx(below, abs=0.02)


def test_categorical_kernel_probabilities_sum_to_one() -> None:
    obs = np.array([[0.0], [0.0], [2.0]])
    est = ParzenEstimator(obs, np.array([3]), np.array([0.0]))
    probs = np.exp(est.log_pdf(np.array([[0.0], [1.0], [2.0]])))
    assert probs.sum() == pytest.approx(1.0)
    assert probs[0] > probs[2] > probs[1]


def test_conditioned_parzen_density_is_the_joint_over_the_marginal() -> None:
    obs = np.array([[0.1, 0.2, 0.0], [0.9, 0.7, 1.0], [0.5, 0.5, 1.0]])
    est = ParzenEstimator(obs, np.array([0, 0, 2]), np.array([1e-3, 1e-3, 0.0]))
    given = np.array([True, False, True])
    cond = est.conditioned(given, np.array([0.85, np.nan, 1.0]))

    def density(y: float) -> float:
        return float(np.exp(cond.log_pdf(np.array([[y]])))[0])

    total, _ = integrate.quad(density, 0, 1)
    assert total == pytest.approx(1.0, abs=1e-6)
    ys = np.array([0.05, 0.4, 0.75])
    joint = est.log_pdf(np.column_stack([np.full(3, 0.85), ys, np.ones(3)]))
    ratio = joint - cond.log_pdf(ys[:, None])  # log p(x, y) - log p(y | x) = log p(x)
    assert np.ptp(ratio) == pytest.approx(0.0, abs=1e-9)
    # Given x near the second observation, y's mass moves to that observation's 0.7.
    assert density(0.7) > 3 * density(0.2)


def _matching_knobs_objective(trial: pt.Trial) -> dict[str, float]:
    """A front along u = w: branch "a"'s two knobs must agree, wherever they lie."""
    family = trial.suggest_categorical("family", ["a", "b"])
    if family == "a":
        u = trial.suggest_float("u", 0.0, 1.0)
        w = trial.suggest_float("w", 0.0, 1.0)
        middle, miss = (u + w) / 2, 4 * (u - w) ** 2
    else:
        middle, miss = 0.5, 0.5 + 0.1 * trial.suggest_float("v", 0.0, 1.0)
    return {"f1": middle + miss, "f2": 1 - middle + miss}


def _late_branch_params(
    objective: Callable[[pt.Trial], dict[str, float]], seed: int, mode: str
) -> list[dict[str, Any]]:
    """Parameters of trials 30-59 that reached branch "a" (have ``u``), one TPE mode."""
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        sampler=TPESampler(seed=seed, conditional=mode),
        seed=seed,
    )
    study.optimize(objective, n_trials=60)
    return [dict(t.params) for t in study.trials[30:] if "u" in t.params]


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_branch_mode_proposes_a_branchs_knobs_together(seed: int) -> None:
    # The good trials of branch "a" spread along u = w. One at a time, u and w are drawn
    # from that spread apart; as a branch, from the same good trial, so they agree.
    correlation = {}
    for mode in ("single", "branch"):
        late = _late_branch_params(_matching_knobs_objective, seed, mode)
        us, ws = np.array([[p["u"], p["w"]] for p in late]).T
        correlation[mode] = float(np.corrcoef(us, ws)[0, 1])
    assert correlation["branch"] > 0.85
    assert correlation["single"] < correlation["branch"] - 0.2


def _kind_objective(trial: pt.Trial) -> dict[str, float]:
    """Both kinds are on the front; branch "a"'s knob u must suit the trial's kind."""
    kind = trial.suggest_categorical("kind", ["lo", "hi"])
    family = trial.suggest_categorical("family", ["a", "b"])
    if family == "b":
        miss = 0.6 + 0.1 * trial.suggest_float("v", 0.0, 1.0)
    else:
        miss = abs(trial.suggest_float("u", 0.0, 1.0) - (0.1 if kind == "lo" else 0.9))
    return {
        "f1": miss + (0.0 if kind == "lo" else 0.5),
        "f2": miss + (0.5 if kind == "lo" else 0.0),
    }


@pytest.mark.parametrize("seed", [0, 3])
def test_branch_mode_conditions_on_the_categorical_choices_the_trial_holds(seed: int) -> None:
    # The good u is near 0.1 for kind "lo" and near 0.9 for "hi". Conditioned on the
    # trial's kind (a shared choice that differs between branch "a"'s trials), u lands on
    # its own side; one at a time, it is drawn from both sides' good trials.
    own_side = {}
    for mode in ("single", "branch"):
        late = _late_branch_params(_kind_objective, seed, mode)
        own_side[mode] = float(np.mean([(p["u"] < 0.5) == (p["kind"] == "lo") for p in late]))
    assert own_side["branch"] > 0.85
    assert own_side["single"] < own_side["branch"] - 0.15


def test_distinct_good_set_counts_a_repeated_result_once() -> None:
    losses = np.array([[1.0, 0.0], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.6, 0.6]])
    violations = np.zeros(6)
    plain = TPESampler(seed=0)._good_set(losses, violations, 4)
    distinct = TPESampler(seed=0, distinct_good=True)._good_set(losses, violations, 4)
    # Plainly, the front's five rows compete for four places: two copies of (1, 0) get in.
    assert plain.tolist() == [False, True, True, True, True, False]
    # The first (1, 0) stays good; its repeats make room for the next-best distinct row.
    assert distinct.tolist() == [True, True, False, True, False, True]


def _plateau_objective(trial: pt.Trial) -> dict[str, float]:
    """A front whose f2 = 0 end is one result that a third of the space returns."""
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    if x < 0.3:  # like a model that predicts one class: always the same two losses
        return {"f1": 1.0, "f2": 0.0}
    return {"f1": 1.0 - 0.8 * x + (y - 0.5) ** 2, "f2": 0.5 * x + (y - 0.5) ** 2}


def test_distinct_good_set_spends_fewer_trials_repeating_a_result() -> None:
    on_plateau = {}
    for distinct in (False, True):
        count = 0
        for seed in (0, 4):
            study = pt.create_study(
                objectives={"f1": "minimize", "f2": "minimize"},
                sampler=TPESampler(seed=seed, distinct_good=distinct),
                seed=seed,
            )
            study.optimize(_plateau_objective, n_trials=60)
            count += sum(t.params["x"] < 0.3 for t in study.trials[20:])
        on_plateau[distinct] = count
    assert on_plateau[True] <= on_plateau[False] - 6


def test_branch_mode_is_named_or_refused() -> None:
    with pytest.raises(ValueError, match="'single' or 'branch'"):
        TPESampler(conditional="joint")


def test_good_set_prefers_feasible_then_front_then_contribution() -> None:
    losses = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0], [0.49, 0.52], [0.0, 0.0]])
    violations = np.array([0.0, 0.0, 0.0, 0.0, 1.0])  # the ideal point is infeasible
    keep = select_best(losses, violations, 3)
    # Front: rows 0, 1, 2, 3 (feasible); 3 is nearly a duplicate of 1, so the greedy
    # hypervolume choice keeps the extremes and one of the two middle points.
    assert keep[0] and keep[2] and not keep[4]
    assert keep[1] != keep[3]


def test_auto_sampler_picks_tpe_by_number_of_objectives_without_gps() -> None:
    auto = AutoSampler(seed=0, use_gp=False)
    two = pt.create_study(objectives={"a": "minimize", "b": "minimize"}, sampler=auto)
    three = pt.create_study(
        objectives={"a": "minimize", "b": "minimize", "c": "minimize"}, sampler=auto
    )
    chosen_two, chosen_three = auto.choose(two), auto.choose(three)
    assert isinstance(chosen_two, TPESampler) and chosen_two.multivariate
    assert chosen_two.conditional == "branch" and chosen_two.distinct_good
    assert isinstance(chosen_three, TPESampler) and not chosen_three.multivariate
    assert chosen_three.conditional == "single" and chosen_three.distinct_good
    assert isinstance(pt.create_study(objectives={"a": "minimize"}).sampler, AutoSampler)


def test_auto_sampler_leaves_gps_for_conditional_spaces_fidelities_and_long_studies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("botorch", reason="the 'bo' extra is not installed")
    from paretune.samplers import GPSampler
    from paretune.samplers import _auto

    def flat(trial: pt.Trial) -> float:
        return trial.suggest_float("x", 0.0, 1.0)

    def conditional(trial: pt.Trial) -> float:  # trials alternate between two branches
        name = "x" if trial.number % 2 == 0 else "y"
        return trial.suggest_float(name, 0.0, 1.0)

    auto = AutoSampler(seed=0, use_gp=True)  # GPs whenever the study suits them
    assert auto.use_gp
    study = pt.create_study(objectives={"f": "minimize"}, sampler=auto)
    study.optimize(flat, n_trials=3)  # Sobol start, no model fitted yet
    assert isinstance(auto.choose(study), GPSampler)
    monkeypatch.setattr(_auto, "GP_MAX_TRIALS", 3)
    assert isinstance(auto.choose(study), TPESampler)  # past the GP budget

    mixed = pt.create_study(objectives={"f": "minimize"}, sampler=auto)
    mixed.optimize(conditional, n_trials=2)
    assert isinstance(auto.choose(mixed), TPESampler)

    budgeted = pt.create_study(
        objectives={"f": "minimize"}, fidelity=pt.Fidelity("epochs", 1, 9), sampler=auto
    )
    assert isinstance(auto.choose(budgeted), TPESampler)


def test_infeasible_problem_is_reported_not_silently_empty() -> None:
    study = pt.create_study(objectives={"a": "minimize"}, constraints={"a": ("<=", -1.0)}, seed=0)
    study.optimize(lambda t: {"a": t.suggest_float("x", 0.0, 1.0)}, n_trials=15)
    with pytest.warns(pt.exceptions.NoFeasibleTrialWarning, match="a <= -1"):
        assert study.pareto_front() == []


def test_das_dennis_directions() -> None:
    from paretune.samplers._nsga3 import reference_directions

    dirs = reference_directions(3, 4)
    assert dirs.shape == (15, 3)  # C(3 + 4 - 1, 4)
    np.testing.assert_allclose(dirs.sum(axis=1), 1.0)
    assert len({tuple(r) for r in dirs.round(9)}) == 15


def test_nsga3_keeps_spread_on_a_three_objective_front() -> None:
    from paretune.samplers import NSGAIIISampler

    sampler = NSGAIIISampler(seed=0, population_size=10)
    # One generation's survivors from a front with a dense cluster and a few spread points.
    rng = np.random.default_rng(0)
    cluster = np.abs(rng.normal([0.7, 0.2, 0.1], 0.01, size=(20, 3)))
    spread = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0], [0, 0.5, 0.5]], float)
    losses = np.vstack([cluster, spread])
    losses /= losses.sum(axis=1, keepdims=True)  # all on one simplex front
    keep = sampler._elite(losses, np.zeros(len(losses)), 10, generation=1)
    assert keep.sum() == 10
    assert keep[20:].all()  # every isolated direction survives the cluster


def test_union_space_keeps_every_parameter_but_those_with_clashing_distributions() -> None:
    from paretune.samplers._space import encode
    from paretune.samplers._space import union_space
    from paretune.trial import TrialRecord
    from paretune.trial import TrialState

    unit = pt.distributions.FloatDistribution(0.0, 1.0)
    wide = pt.distributions.FloatDistribution(0.0, 2.0)
    family = pt.distributions.CategoricalDistribution(["a", "b"])

    def record(number: int, params: dict, dists: dict) -> TrialRecord:
        return TrialRecord(number, TrialState.COMPLETE, params=params, distributions=dists)

    trials = [
        record(0, {"family": "a", "u": 0.25, "w": 0.5}, {"family": family, "u": unit, "w": unit}),
        record(1, {"family": "b", "v": 0.75, "w": 1.5}, {"family": family, "v": unit, "w": wide}),
    ]
    space = union_space(trials)
    assert list(space) == ["family", "u", "v"]  # "w" has two distributions: left out
    np.testing.assert_array_equal(
        encode(trials, space), np.array([[0.0, 0.25, np.nan], [1.0, np.nan, 0.75]])
    )


def test_the_default_uses_gps_only_for_trials_slow_enough_to_pay(monkeypatch) -> None:
    pytest.importorskip("botorch")
    import time

    from paretune.samplers import _auto

    def cheap(trial: pt.Trial) -> float:
        return trial.suggest_float("x", 0.0, 1.0) ** 2

    def slow(trial: pt.Trial) -> float:
        time.sleep(0.02)
        return cheap(trial)

    sampler = pt.samplers.AutoSampler(seed=0)
    study = pt.create_study(objectives={"f": "minimize"}, sampler=sampler)
    study.optimize(cheap, n_trials=12)
    assert type(sampler.choose(study)).__name__ == "TPESampler"  # a GP would cost more
    # Trials far slower than a (guessed) suggestion: the GP pays for itself.
    monkeypatch.setattr(_auto, "GP_FIRST_GUESS_S", 0.001)
    slow_study = pt.create_study(objectives={"f": "minimize"}, sampler=sampler)
    slow_study.optimize(slow, n_trials=11)
    assert type(sampler.choose(slow_study)).__name__ == "GPSampler"
    forced = pt.samplers.AutoSampler(seed=0, use_gp=True)
    forced_study = pt.create_study(objectives={"f": "minimize"}, sampler=forced)
    forced_study.optimize(cheap, n_trials=11)
    assert type(forced.choose(forced_study)).__name__ == "GPSampler"
