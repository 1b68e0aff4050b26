"""The BoTorch GP sampler (optional ``bo`` extra)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import paretune as pt

pytest.importorskip("botorch", reason="the 'bo' extra is not installed")


def constrained(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    shift = 0.0 if kind == "a" else 0.3
    return {"f1": x + shift, "f2": (1 - x) ** 2 + y + shift, "s": x + y}


def test_gp_sampler_proposes_valid_feasible_points() -> None:
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        constraints={"s": ("<=", 1.0)},
        sampler=pt.samplers.GPSampler(seed=0, n_startup_trials=6, raw_samples=32),
    )
    study.optimize(constrained, n_trials=14)
    modelled = study.trials[6:]
    for t in modelled:
        assert 0.0 <= t.params["x"] <= 1.0 and t.params["kind"] in ("a", "b")
    assert np.mean([t.feasible for t in modelled]) >= 0.5
    assert study.pareto_front()


def test_gp_single_objective_improves_on_the_start() -> None:
    study = pt.create_study(
        objectives={"loss": "minimize"},
        sampler=pt.samplers.GPSampler(seed=1, n_startup_trials=5, raw_samples=32),
    )
    study.optimize(lambda t: (t.suggest_float("x", -2.0, 2.0) - 0.7) ** 2, n_trials=12)
    start = min(t.metrics["loss"] for t in study.trials[:5])
    assert min(t.metrics["loss"] for t in study.trials[5:]) < start


def test_gp_three_objectives_propose_points_the_front_keeps() -> None:
    def sphere(trial: pt.Trial) -> dict[str, float]:  # a DTLZ2-like front on the sphere
        a = trial.suggest_float("a", 0.0, 1.0) * np.pi / 2
        b = trial.suggest_float("b", 0.0, 1.0) * np.pi / 2
        g = 1.0 + (trial.suggest_float("c", 0.0, 1.0) - 0.5) ** 2
        return {
            "f1": g * np.cos(a) * np.cos(b),
            "f2": g * np.cos(a) * np.sin(b),
            "f3": g * np.sin(a),
        }

    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize", "f3": "minimize"},
        sampler=pt.samplers.GPSampler(seed=0, n_startup_trials=10, raw_samples=32),
    )
    study.optimize(sphere, n_trials=22)
    modelled = study.trials[10:]
    start_gap = np.median([abs(t.params["c"] - 0.5) for t in study.trials[:10]])
    # The first modelled points may explore the box's faces; by the last ones the
    # scalarised searches sit near the front (c = 0.5).
    last_gap = np.median([abs(t.params["c"] - 0.5) for t in modelled[-4:]])
    assert last_gap < min(start_gap, 0.15)
    assert any(t in study.pareto_front() for t in modelled)


def test_missing_extra_gives_the_install_hint() -> None:
    code = (
        "import sys; sys.modules['botorch'] = None\n"
        "import paretune as pt\n"
        "try:\n    pt.samplers.GPSampler()\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'paretune[bo]'" in out.stdout


def test_gp_work_runs_on_one_torch_thread_and_restores_the_setting() -> None:
    import torch

    seen: list[int] = []

    class Recording(pt.samplers.GPSampler):
        def _optimise(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(torch.get_num_threads())
            return super()._optimise(*args, **kwargs)

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        study = pt.create_study(
            objectives={"loss": "minimize"},
            sampler=Recording(seed=0, n_startup_trials=3, raw_samples=16),
        )
        study.optimize(lambda t: (t.suggest_float("x", 0.0, 1.0) - 0.3) ** 2, n_trials=5)
        assert seen == [1, 1]
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_gp_threads_must_be_positive() -> None:
    with pytest.raises(ValueError, match="threads must be >= 1 or None"):
        pt.samplers.GPSampler(threads=0)


@pytest.mark.parametrize(
    ("kernel", "expected"), [("rbf", "RBFKernel"), ("matern52", "MaternKernel")]
)
def test_gp_kernel_choice_builds_that_covariance(kernel: str, expected: str) -> None:
    import torch

    sampler = pt.samplers.GPSampler(seed=0, kernel=kernel)
    x = torch.rand(8, 3, dtype=torch.float64)
    outcomes = np.column_stack([x.sum(dim=1).numpy(), (x[:, 0] - 0.5).numpy()])
    model = sampler._fitted_model(x, outcomes, torch.zeros((0, 3), dtype=torch.float64))
    kernels = [type(m.covar_module).__name__ for m in model.models]
    assert kernels == [expected, expected]
    if kernel == "matern52":
        assert all(m.covar_module.nu == 2.5 for m in model.models)
    # Failed trials add a model of failure over every trial, with the same kernel.
    failed = torch.rand(2, 3, dtype=torch.float64)
    model = sampler._fitted_model(x, outcomes, failed)
    assert [type(m.covar_module).__name__ for m in model.models] == [expected] * 3
    inputs = model.models[2].train_inputs[0]
    assert inputs.shape == (10, 3) and torch.equal(inputs[8:], failed)


def _five_outcomes() -> tuple[Any, np.ndarray]:
    """Twenty seeded points in the unit cube and five exact functions of them."""
    import torch

    torch.manual_seed(0)
    x = torch.rand(20, 3, dtype=torch.float64)
    columns = [x.sum(1), x[:, 0] - 0.5, torch.sin(6 * x[:, 1]), x[:, 2] ** 2, x[:, 0] * x[:, 1]]
    return x, torch.stack(columns, dim=1).numpy()


def test_gp_many_outcomes_share_one_batched_model_equal_to_the_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch

    import paretune.samplers._gp._model as gp_module

    # Both fits with the floor that five outcomes get by default (below five, BoTorch's).
    sampler = pt.samplers.GPSampler(seed=0, noise_floor=gp_module.LOW_NOISE_FLOOR)
    x, outcomes = _five_outcomes()  # two objectives and three constraints
    assert outcomes.shape[1] == gp_module.BATCHED_OUTCOMES
    none = torch.zeros((0, 3), dtype=torch.float64)
    batched = sampler._fitted_model(x, outcomes, none)
    assert batched.num_outputs == 5 and batched.covar_module.batch_shape == torch.Size([5])
    # Each outcome has its own lengthscales: long along the inputs it does not depend on.
    lengthscales = batched.covar_module.lengthscale.detach().reshape(5, 3)
    assert lengthscales[1, 1:].min() > 10 * lengthscales[1, 0]  # x0 - 0.5
    assert lengthscales[2, [0, 2]].min() > 10 * lengthscales[2, 1]  # sin(6 x1)
    # The same model as the list of single-output GPs that fewer outcomes get.
    with monkeypatch.context() as patch:
        patch.setattr(gp_module, "BATCHED_OUTCOMES", 99)
        listed = sampler._fitted_model(x, outcomes, none)
    assert type(listed).__name__ == "ModelListGP" and len(listed.models) == 5
    test_x = torch.rand(50, 3, dtype=torch.float64)
    with torch.no_grad():
        one, many = batched.posterior(test_x), listed.posterior(test_x)
        assert torch.allclose(one.mean, many.mean, atol=1e-5)
        assert torch.allclose(one.variance, many.variance, rtol=1e-3)
    # Failed trials add the failure GP beside the batch.
    failed = torch.rand(2, 3, dtype=torch.float64)
    with_failures = sampler._fitted_model(x, outcomes, failed)
    assert [m.num_outputs for m in with_failures.models] == [5, 1]
    assert with_failures.models[1].train_inputs[0].shape == (22, 3)


def _noise_floors(model: Any) -> list[float]:
    """The lower bound on noise variance of each GP in ``model`` (a list or one GP)."""
    models = getattr(model, "models", [model])
    return [float(m.likelihood.noise_covar.raw_noise_constraint.lower_bound) for m in models]


def test_gp_noise_floor_is_low_from_five_outcomes_and_botorchs_below() -> None:
    import torch

    import paretune.samplers._gp._model as gp_module

    x, five = _five_outcomes()
    none, failed = torch.zeros((0, 3), dtype=torch.float64), torch.rand(2, 3, dtype=torch.float64)
    default = pt.samplers.GPSampler(seed=0)
    many = default._fitted_model(x, five, none)
    assert _noise_floors(many) == pytest.approx([gp_module.LOW_NOISE_FLOOR])
    # These outcomes are exact functions of x: the fit uses the room below BoTorch's floor.
    assert float(many.likelihood.noise.detach().min()) < 1e-4
    # The failure GP beside the batch gets the same floor.
    assert _noise_floors(default._fitted_model(x, five, failed)) == pytest.approx([1e-6, 1e-6])
    # Fewer outcomes keep BoTorch's own likelihood, floor 1e-4.
    two = default._fitted_model(x, five[:, :2], none)
    assert _noise_floors(two) == pytest.approx([1e-4, 1e-4])
    # An explicit floor holds for any number of outcomes.
    chosen = pt.samplers.GPSampler(seed=0, noise_floor=1e-3)._fitted_model(x, five[:, :2], failed)
    assert _noise_floors(chosen) == pytest.approx([1e-3, 1e-3, 1e-3])


@pytest.mark.parametrize("floor", [0.0, -1e-6, 1.0])
def test_gp_noise_floor_outside_0_1_names_the_range(floor: float) -> None:
    with pytest.raises(ValueError, match=r"noise_floor must lie in \(0, 1\)"):
        pt.samplers.GPSampler(noise_floor=floor)


def test_gp_default_kernel_is_matern52() -> None:
    assert pt.samplers.GPSampler(seed=0).kernel == "matern52"


def test_gp_rbf_kernel_studies_propose_valid_points() -> None:
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        constraints={"s": ("<=", 1.0)},
        sampler=pt.samplers.GPSampler(seed=0, n_startup_trials=6, raw_samples=32, kernel="rbf"),
    )
    study.optimize(constrained, n_trials=10)
    assert all(0.0 <= t.params["x"] <= 1.0 for t in study.trials[6:])
    assert study.pareto_front()


def test_gp_unknown_kernel_names_the_choices() -> None:
    with pytest.raises(ValueError, match="kernel must be one of 'rbf', 'matern52'"):
        pt.samplers.GPSampler(kernel="matern")


def test_gp_front_starts_are_feasible_non_dominated_points() -> None:
    from paretune.samplers._gp._acquisition import front_rows

    y = -np.array([[0.0, 3.0], [1.0, 1.0], [3.0, 0.0], [2.0, 2.0], [0.5, 0.5]])  # maximised
    cons = np.array([[0.0], [-1.0], [-1.0], [-1.0], [1.0]])  # the last is infeasible
    rows = front_rows(y, cons, limit=2, seed=0, number=7)
    assert len(rows) == 2 and set(rows) <= {0, 1, 2}
    assert front_rows(y, cons, limit=2, seed=0, number=7).tolist() == rows.tolist()  # seeded
    assert front_rows(y, cons, limit=0, seed=0, number=7).size == 0


def test_gp_front_starts_study_proposes_valid_points() -> None:
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"},
        constraints={"s": ("<=", 1.0)},
        sampler=pt.samplers.GPSampler(seed=0, n_startup_trials=6, raw_samples=32, front_starts=3),
    )
    study.optimize(constrained, n_trials=10)
    assert all(0.0 <= t.params["x"] <= 1.0 for t in study.trials[6:])
    assert study.pareto_front()


def test_gp_front_starts_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="front_starts must be >= 0"):
        pt.samplers.GPSampler(front_starts=-1)


def branches(trial: pt.Trial) -> float:
    """A conditional space whose best point needs a branch's own knob: family "a" at
    u = 0.83 (loss 0), family "b" no better than 0.3."""
    if trial.suggest_categorical("family", ["a", "b"]) == "a":
        return (trial.suggest_float("u", 0.0, 1.0) - 0.83) ** 2
    return 0.3 + (trial.suggest_float("v", 0.0, 1.0) - 0.1) ** 2


def test_gp_joint_mode_models_a_branch_knob_the_common_mode_leaves_to_chance() -> None:
    best = {}
    for mode in ("joint", "common"):
        study = pt.create_study(
            objectives={"loss": "minimize"},
            sampler=pt.samplers.GPSampler(
                seed=3, n_startup_trials=6, raw_samples=32, conditional=mode
            ),
        )
        study.optimize(branches, n_trials=16)
        modelled = study.trials[6:]
        for t in modelled:  # each trial has exactly its branch's knob
            assert set(t.params) == {"family", "u" if t.params["family"] == "a" else "v"}
        best[mode] = min(t.metrics["loss"] for t in modelled)
        if mode == "joint":
            assert sum(t.params["family"] == "a" for t in modelled) >= 8
    assert best["joint"] < 1e-3
    assert best["joint"] < best["common"]


def test_gp_shapes_hold_missing_columns_and_one_valued_categoricals() -> None:
    from paretune.samplers._gp._shapes import INACTIVE
    from paretune.samplers._gp._shapes import shapes as _shapes

    nan = np.nan
    # columns: family (2 levels, unit values 0.25 / 0.75), u (family a), v (family b), w
    x = np.array([[0.25, 0.1, nan, 0.5], [0.25, 0.9, nan, 0.2], [0.75, nan, 0.3, 0.4]], dtype=float)
    levels = np.array([2, 0, 0, 0], dtype=float)
    shapes = sorted(_shapes(x, levels), key=lambda s: sorted(s.items()))
    assert shapes == [{0: 0.25, 2: INACTIVE}, {0: 0.75, 1: INACTIVE}]
    assert _shapes(np.nan_to_num(x), levels) == [{}]  # a flat space: nothing held


def test_gp_joint_and_common_agree_on_a_flat_space() -> None:
    proposals = []
    for mode in ("joint", "common"):
        study = pt.create_study(
            objectives={"f1": "minimize", "f2": "minimize"},
            constraints={"s": ("<=", 1.0)},
            sampler=pt.samplers.GPSampler(
                seed=0, n_startup_trials=6, raw_samples=32, conditional=mode
            ),
        )
        study.optimize(constrained, n_trials=9)
        proposals.append([t.params for t in study.trials])
    assert proposals[0] == proposals[1]


def test_gp_unknown_conditional_mode_names_the_choices() -> None:
    with pytest.raises(ValueError, match="conditional must be one of 'common', 'joint'"):
        pt.samplers.GPSampler(conditional="union")


def test_gp_joint_mode_proposes_a_branch_with_no_knobs_when_it_is_best() -> None:
    def objective(trial: pt.Trial) -> float:  # family "b" has no parameter of its own
        if trial.suggest_categorical("family", ["a", "b"]) == "a":
            return (trial.suggest_float("u", 0.0, 1.0) - 0.83) ** 2
        return -0.5

    study = pt.create_study(
        objectives={"loss": "minimize"},
        sampler=pt.samplers.GPSampler(
            seed=0, n_startup_trials=6, raw_samples=32, conditional="joint"
        ),
        deterministic_objective=False,  # repeats allowed: the model's own choice shows
    )
    study.optimize(objective, n_trials=10)
    assert [dict(t.params) for t in study.trials[6:]] == [{"family": "b"}] * 4
