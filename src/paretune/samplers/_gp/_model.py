"""The Gaussian processes: one per outcome (objectives, hard constraints, failures)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

if TYPE_CHECKING:
    from torch import Tensor

__all__ = [
    "BATCHED_OUTCOMES",
    "KERNELS",
    "LOW_NOISE_FLOOR",
    "fitted_model",
    "import_botorch",
    "noise_floor",
]

KERNELS = ("rbf", "matern52")
"""The covariance functions the GPs offer."""

BATCHED_OUTCOMES = 5
"""Outcome columns (objectives plus hard constraints) from which they are fitted as one
batched GP instead of a list of single-output GPs: the same model (a GP per outcome, each
with its own hyperparameters), answering a posterior in one call instead of one per
outcome."""

LOW_NOISE_FLOOR = 1e-6
"""The least noise variance (of standardised outcomes) the default allows from
:data:`BATCHED_OUTCOMES` outcome columns on; below that, BoTorch's own 1e-4."""

_INSTALL_HINT = (
    "GPSampler needs BoTorch and PyTorch: install the extra with "
    "`pip install 'paretune[bo]'` (it pins torch 2.13.0; on a machine without a GPU, "
    "install the CPU build first: `pip install torch==2.13.0 --index-url "
    "https://download.pytorch.org/whl/cpu`)."
)


def import_botorch() -> Any:
    """Import BoTorch and PyTorch, or raise ImportError with the install hint."""
    try:
        with warnings.catch_warnings():
            # GPyTorch's helpers still use torch.jit.script, which torch deprecates at
            # import; not the user's to act on, and an error under ``-W error``.
            warnings.simplefilter("ignore", DeprecationWarning)
            import botorch
            import linear_operator.utils  # noqa: F401
            import torch  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return botorch


def noise_floor(setting: float | None, n_outcomes: int) -> float:
    """The GPs' least noise variance: ``setting``, or the default for ``n_outcomes``."""
    if setting is not None:
        return setting
    from botorch.models.utils.gpytorch_modules import MIN_INFERRED_NOISE_LEVEL

    return LOW_NOISE_FLOOR if n_outcomes >= BATCHED_OUTCOMES else MIN_INFERRED_NOISE_LEVEL


def _likelihood(batch_shape: Any, floor: float) -> Any:
    """BoTorch's default Gaussian likelihood for a GP (LogNormal(-4, 1) prior on the noise
    variance), with ``floor`` as the noise variance's lower bound; None (BoTorch builds
    its own) where ``floor`` is BoTorch's, so those fits stay exactly BoTorch's."""
    import torch
    from botorch.models.utils.gpytorch_modules import MIN_INFERRED_NOISE_LEVEL

    if floor == MIN_INFERRED_NOISE_LEVEL:
        return None
    from gpytorch.constraints import GreaterThan
    from gpytorch.likelihoods import GaussianLikelihood
    from gpytorch.priors import LogNormalPrior

    prior = LogNormalPrior(loc=-4.0, scale=1.0)
    return GaussianLikelihood(
        noise_prior=prior,
        batch_shape=torch.Size() if batch_shape is None else batch_shape,
        noise_constraint=GreaterThan(floor, transform=None, initial_value=prior.mode),
    )


def fitted_model(
    train_x: Tensor, outcomes: np.ndarray, failed_x: Tensor, *, kernel: str, floor: float
) -> Any:
    """A GP per outcome column (objectives, then constraints), each with its own
    hyperparameters, fitted jointly; with failed trials (``failed_x``), one more over
    every trial: -1 complete, +1 failed.

    From :data:`BATCHED_OUTCOMES` outcome columns on, the outcomes' GPs are one batched
    model over their shared inputs. Every GP's noise variance is bounded below by
    ``floor``; ``kernel`` is one of :data:`KERNELS`, with BoTorch's lengthscale prior
    scaled to the number of parameters.
    """
    import torch
    from botorch.fit import fit_gpytorch_mll
    from botorch.models.gp_regression import SingleTaskGP
    from botorch.models.model_list_gp_regression import ModelListGP
    from botorch.models.transforms.outcome import Standardize
    from botorch.models.utils.gpytorch_modules import get_covar_module_with_dim_scaled_prior
    from gpytorch.mlls import ExactMarginalLogLikelihood
    from gpytorch.mlls import SumMarginalLogLikelihood

    def gps(x: Tensor, y: Tensor) -> Any:
        batch = torch.Size([y.shape[1]]) if y.shape[1] > 1 else None
        return SingleTaskGP(
            x,
            y,
            likelihood=_likelihood(batch, floor),
            covar_module=get_covar_module_with_dim_scaled_prior(
                ard_num_dims=x.shape[1], batch_shape=batch, use_rbf_kernel=kernel == "rbf"
            ),
            outcome_transform=Standardize(m=y.shape[1]),
        )

    y = torch.tensor(outcomes)
    batched = outcomes.shape[1] >= BATCHED_OUTCOMES
    if batched and not len(failed_x):
        single = gps(train_x, y)
        fit_gpytorch_mll(ExactMarginalLogLikelihood(single.likelihood, single))
        return single
    if batched:
        models = [gps(train_x, y)]
    else:
        models = [gps(train_x, y[:, [k]]) for k in range(outcomes.shape[1])]
    if len(failed_x):
        label = torch.cat([-torch.ones(len(train_x), 1), torch.ones(len(failed_x), 1)])
        models.append(gps(torch.cat([train_x, failed_x]), label.double()))
    model = ModelListGP(*models)
    fit_gpytorch_mll(SumMarginalLogLikelihood(model.likelihood, model))
    return model
