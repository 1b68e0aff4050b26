"""The GP sampler's baseline pruning keeps exactly the points BoTorch's own pruning keeps."""

from __future__ import annotations

import pytest

pytest.importorskip("botorch", reason="the 'bo' extra is not installed")

import torch
from botorch.acquisition.multi_objective.objective import IdentityMCMultiOutputObjective
from botorch.acquisition.multi_objective.utils import prune_inferior_points_multi_objective
from botorch.models.gp_regression import SingleTaskGP
from botorch.models.model_list_gp_regression import ModelListGP
from botorch.utils.multi_objective.pareto import is_non_dominated

from paretune.samplers._gp._baseline import likely_pareto_points
from paretune.samplers._gp._baseline import non_dominated_2d


@pytest.mark.parametrize("integer_values", [False, True])
def test_non_dominated_2d_matches_botorch_with_and_without_ties(integer_values: bool) -> None:
    generator = torch.Generator().manual_seed(0)
    for _ in range(50):
        n = int(torch.randint(1, 40, (1,), generator=generator))
        if integer_values:  # many equal rows and equal coordinates
            values = torch.randint(0, 4, (6, n, 2), generator=generator).double()
        else:
            values = torch.randn(6, n, 2, generator=generator, dtype=torch.double)
        expected = is_non_dominated(values, deduplicate=False)
        assert torch.equal(non_dominated_2d(values), expected)


def test_non_dominated_2d_on_a_small_example() -> None:
    values = torch.tensor([[3.0, 1.0], [1.0, 3.0], [2.0, 2.0], [1.0, 1.0], [3.0, 1.0], [2.0, 0.5]])
    assert non_dominated_2d(values).tolist() == [True, True, True, False, True, False]


def test_non_dominated_2d_rejects_three_objectives() -> None:
    with pytest.raises(ValueError, match="two objectives"):
        non_dominated_2d(torch.zeros(4, 3))


def _model(x: torch.Tensor, columns: torch.Tensor) -> ModelListGP:
    models = [SingleTaskGP(x, columns[:, [k]]) for k in range(columns.shape[1])]
    return ModelListGP(*models).eval()


@pytest.mark.parametrize("with_constraint", [False, True])
def test_likely_pareto_points_are_botorchs_from_the_same_random_state(
    with_constraint: bool,
) -> None:
    generator = torch.Generator().manual_seed(1)
    x = torch.rand(60, 3, generator=generator, dtype=torch.double)
    f1 = x[:, 0]
    f2 = 1 - x[:, 0].sqrt() + 0.3 * x[:, 1]  # a ZDT1-like trade-off to maximise
    slack = x[:, 2] - 0.5  # feasible where <= 0
    model = _model(x, torch.stack([f1, -f2, slack], dim=1))
    objective = IdentityMCMultiOutputObjective(outcomes=[0, 1])
    constraints = [lambda samples: samples[..., 2]] if with_constraint else None
    reference = torch.tensor([-0.1, -1.5], dtype=torch.double)

    torch.manual_seed(7)
    expected = prune_inferior_points_multi_objective(
        model, x, reference, objective=objective, constraints=constraints
    )
    after_botorch = torch.rand(1)
    torch.manual_seed(7)
    kept = likely_pareto_points(model, x, reference, objective, constraints)
    assert torch.equal(kept, expected)
    assert 0 < len(kept) < len(x)  # the check means something: some points pruned
    assert torch.equal(torch.rand(1), after_botorch)  # and the random state moves alike
