"""The acquisition function and its maximiser over the unit cube (or one shape of it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._pareto._dominance import is_pareto_efficient
from paretune._seeding import derive_seed
from paretune.samplers._gp._baseline import likely_pareto_points

if TYPE_CHECKING:
    from torch import Tensor

__all__ = ["acquisition_for", "front_rows", "maximise"]


def _outcome(index: int) -> Callable[[Tensor], Tensor]:
    """A BoTorch outcome constraint: feasible where model output ``index`` is ``<= 0``."""

    def constraint(samples: Tensor) -> Tensor:
        return samples[..., index]

    return constraint


def _first_outcome(samples: Tensor, X: Tensor | None = None) -> Tensor:
    """The single objective of a one-objective study, as a BoTorch MC objective."""
    return samples[..., 0]


def acquisition_for(model: Any, train_x: Tensor, y: np.ndarray, n_constraints: int) -> Any:
    """The acquisition for ``y.shape[1]`` objectives (maximised) and ``n_constraints``
    outcome constraints after them: log noisy EI for one objective, qLogNEHVI for two, and
    qLogNParEGO (a random Chebyshev scalarisation per suggestion) for three or more, where
    qLogNEHVI's box decompositions take minutes per suggestion."""
    import torch
    from botorch.acquisition.logei import qLogNoisyExpectedImprovement
    from botorch.acquisition.multi_objective.logei import qLogNoisyExpectedHypervolumeImprovement
    from botorch.acquisition.multi_objective.objective import IdentityMCMultiOutputObjective
    from botorch.acquisition.multi_objective.parego import qLogNParEGO
    from botorch.acquisition.objective import GenericMCObjective

    m = y.shape[1]
    constraints = [_outcome(m + j) for j in range(n_constraints)] or None
    if m == 1:
        return qLogNoisyExpectedImprovement(
            model,
            X_baseline=train_x,
            objective=GenericMCObjective(_first_outcome),
            constraints=constraints,
        )
    if m == 2:
        span = y.max(axis=0) - y.min(axis=0)
        reference = y.min(axis=0) - 0.1 * np.where(span > 0, span, 1.0)
        two = IdentityMCMultiOutputObjective(outcomes=[0, 1])
        return qLogNoisyExpectedHypervolumeImprovement(
            model,
            ref_point=reference.tolist(),
            # BoTorch's own pruning (prune_baseline=True) keeps the same points slower.
            X_baseline=likely_pareto_points(
                model, train_x, torch.tensor(reference), two, constraints
            ),
            objective=two,
            constraints=constraints,
            prune_baseline=False,
        )
    return qLogNParEGO(
        model,
        X_baseline=train_x,
        objective=IdentityMCMultiOutputObjective(outcomes=list(range(m))),
        constraints=constraints,
        prune_baseline=True,
    )


def front_rows(
    y: np.ndarray,
    cons: np.ndarray,
    *,
    limit: int,
    seed: int,
    number: int,
    among: np.ndarray | None = None,
) -> np.ndarray:
    """Rows of up to ``limit`` feasible observed points no other one dominates.

    ``y`` holds the objectives to maximise, ``cons`` the hard constraints (feasible where
    ``<= 0``); ``seed`` and ``number`` (the trial's) seed the choice of subset. With
    ``among`` (a boolean row mask, e.g. one shape's rows), only those rows compete.
    """
    if not limit:
        return np.zeros(0, dtype=int)
    feasible = np.all(cons <= 0, axis=1)  # all rows when there are no constraints
    feasible = np.flatnonzero(feasible if among is None else feasible & among)
    keep = is_pareto_efficient(-y[feasible])
    rows = feasible[keep]
    if len(rows) > limit:
        rng = np.random.default_rng(derive_seed(seed, "gp-front", number))
        rows = np.sort(rng.choice(rows, size=limit, replace=False))
    return rows


def maximise(
    acquisition: Any,
    x: np.ndarray,
    front: np.ndarray,
    fixed: dict[int, float],
    *,
    num_restarts: int,
    raw_samples: int,
) -> np.ndarray:
    """Maximise ``acquisition`` over the unit cube with the columns ``fixed`` held at their
    values, starting from ``num_restarts`` points picked among ``raw_samples`` random ones
    and from the observed rows ``front`` of ``x``."""
    import torch
    from botorch.optim.optimize import optimize_acqf

    lower, upper = np.zeros(x.shape[1]), np.ones(x.shape[1])
    for j, value in fixed.items():
        lower[j] = upper[j] = value
    bounds = torch.tensor(np.stack([lower, upper]))
    starts: dict[str, Any] = {
        "num_restarts": num_restarts,
        "raw_samples": raw_samples,
        "fixed_features": fixed or None,
    }
    if len(front):
        from botorch.optim.initializers import gen_batch_initial_conditions

        initial = gen_batch_initial_conditions(acquisition, bounds, q=1, **starts)
        observed = torch.tensor(x[front]).unsqueeze(1)
        initial = torch.cat([initial, observed])
        starts = {
            "num_restarts": len(initial),
            "batch_initial_conditions": initial,
            "fixed_features": fixed or None,
        }
    candidate, _ = optimize_acqf(acquisition, bounds=bounds, q=1, **starts)
    return np.asarray(candidate.detach().numpy()[0], dtype=np.float64)
