"""The observed points worth keeping in a noisy hypervolume acquisition (two objectives).

BoTorch's qLogNEHVI can prune its baseline itself: it draws 2,048 posterior samples of the
observed points and keeps those that are Pareto-optimal in at least one. Its dominance
check loops over the points in Python, which costs seconds per suggestion past a hundred
trials. :func:`likely_pareto_points` draws the same samples in the same order and finds
the same points with a sort per sample, so a suggestion proposes the same configuration
in less time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import Tensor

__all__ = ["PRUNING_SAMPLES", "likely_pareto_points", "non_dominated_2d"]

PRUNING_SAMPLES = 2048
"""Posterior samples behind the pruning (BoTorch's own default)."""


def non_dominated_2d(values: Tensor) -> Tensor:
    """Which rows no other row dominates, for two objectives to maximise.

    A row is dominated when another is at least as good in both objectives and better in
    one; equal rows do not dominate each other. Batched over leading dimensions.

    Args:
        values: A ``batch x n x 2`` tensor.

    Returns:
        A ``batch x n`` boolean tensor, true for the non-dominated rows.
    """
    import torch

    if values.shape[-1] != 2:
        raise ValueError(f"non_dominated_2d needs two objectives, got {values.shape[-1]}.")
    n = values.shape[-2]
    # Order by the first objective, best first, ties by the second, best first (two
    # stable sorts). A row can only be dominated by rows before it in this order.
    by_second = torch.sort(values[..., 1], dim=-1, descending=True, stable=True).indices
    first = values[..., 0].gather(-1, by_second)
    order = by_second.gather(-1, torch.sort(first, dim=-1, descending=True, stable=True).indices)
    y0 = values[..., 0].gather(-1, order)
    y1 = values[..., 1].gather(-1, order)
    positions = torch.arange(n, device=values.device).expand_as(order)
    # The first position of each run of equal first objectives.
    starts_run = torch.ones_like(order, dtype=torch.bool)
    starts_run[..., 1:] = y0[..., 1:] != y0[..., :-1]
    run_start = torch.where(starts_run, positions, torch.zeros_like(positions)).cummax(-1).values
    # Best second objective among the rows strictly better in the first objective.
    best_before = torch.full_like(y1, -torch.inf)
    best_before[..., 1:] = y1[..., :-1].cummax(-1).values
    better_first = best_before.gather(-1, run_start) >= y1
    # Within a run, its first row has the best second objective.
    better_second = y1.gather(-1, run_start) > y1
    sorted_keep = ~(better_first | better_second) & ~torch.isnan(values).any(-1).gather(-1, order)
    keep = torch.empty_like(sorted_keep)
    keep.scatter_(-1, order, sorted_keep)
    return keep


def likely_pareto_points(
    model: object,
    x: Tensor,
    ref_point: Tensor,
    objective: Callable[..., Tensor],
    constraints: list[Callable[[Tensor], Tensor]] | None,
) -> Tensor:
    """The rows of ``x`` Pareto-optimal and feasible in at least one posterior sample.

    The same rows, drawn from the same random state, as BoTorch's
    ``prune_inferior_points_multi_objective`` keeps with its defaults, for a model of two
    objectives to maximise.

    Args:
        model: A fitted BoTorch model of the objectives (and constraints).
        x: The observed points, ``n x d``.
        ref_point: The hypervolume reference point; rows must beat it in both objectives.
        objective: The multi-output objective picking the two objectives from samples.
        constraints: BoTorch outcome constraints (feasible where ``<= 0``), or None.

    Returns:
        The kept rows of ``x``, in their order.
    """
    import torch
    from botorch.sampling.get_sampler import get_sampler
    from botorch.utils.objective import compute_feasibility_indicator

    with torch.no_grad():
        posterior = model.posterior(X=x)  # type: ignore[attr-defined]
    sampler = get_sampler(posterior=posterior, sample_shape=torch.Size([PRUNING_SAMPLES]))
    samples = sampler(posterior)
    values = objective(samples=samples, X=x)
    infeasible = ~compute_feasibility_indicator(constraints=constraints, samples=samples)
    if infeasible.any():
        values[infeasible] = ref_point
    pareto = non_dominated_2d(values) & (values > ref_point).all(dim=-1)
    kept = pareto.to(dtype=x.dtype).mean(dim=0).nonzero().view(-1)
    return x[kept]
