"""Gaussian-process Bayesian optimisation through BoTorch (the ``bo`` extra)."""

from __future__ import annotations

import contextlib
import secrets
import threading
import warnings
from collections.abc import Callable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._pareto._dominance import is_pareto_efficient
from paretune._seeding import derive_seed
from paretune.distributions import Distribution
from paretune.samplers._base import BaseSampler
from paretune.samplers._cache import FinishedTrialCache
from paretune.samplers._gp_baseline import likely_pareto_points
from paretune.samplers._sobol import SobolSampler
from paretune.samplers._space import decode
from paretune.samplers._space import has_space
from paretune.samplers._space import union_space

if TYPE_CHECKING:
    from torch import Tensor

    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["GPSampler"]

KERNELS = ("rbf", "matern52")
"""The covariance functions :class:`GPSampler` offers."""

CONDITIONAL = ("common", "joint")
"""How :class:`GPSampler` treats parameters that only some trials have."""

BATCHED_OUTCOMES = 5
"""Outcome columns (objectives plus hard constraints) from which :class:`GPSampler` fits
them as one batched GP instead of a list of single-output GPs. The two are the same model
(a GP per outcome, each with its own hyperparameters); the batch answers a posterior in one
call instead of one per outcome. On OSY (two objectives, six constraints) a suggestion at
30 trials took 5.7 s instead of 13.1 s; on ZDT1 (two outcomes) a 100-trial run 94 s instead
of 103 s, too little to leave the list that every other benchmark row was measured with
(``benchmarks/RESULTS.md``)."""

LOW_NOISE_FLOOR = 1e-6
"""The GPs' lower bound on noise variance (of standardised outcomes) that the default
:class:`GPSampler` uses from :data:`BATCHED_OUTCOMES` outcome columns on, as Optuna's
GPSampler does everywhere; BoTorch's own floor, used below, is 1e-4. The higher floor
blurs each GP by about 1% of its outcome's spread, which cost the last percent of
hypervolume on OSY, whose front lies on the vertices of its six constraints
(``benchmarks/RESULTS.md``); the problems with fewer outcomes were measured with
BoTorch's floor and keep it."""

INACTIVE = -0.5
"""Encoded value of a parameter a trial does not have (the unit cube is ``[0, 1]``)."""

_INSTALL_HINT = (
    "GPSampler needs BoTorch and PyTorch: install the extra with "
    "`pip install 'paretune[bo]'` (it pins torch 2.13.0; a plain `torch` may pull a "
    "CUDA build of several GB)."
)


def _import_botorch() -> Any:
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


_THREADS_LOCK = threading.Lock()
_threads_users = 0
_threads_before = 0


@contextlib.contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Run PyTorch's intra-op pool at ``threads`` inside the block, then restore it.

    A study's GPs are a few dozen points: two or more threads mostly add synchronisation,
    which costs several times the work itself when the cores are busy. The pool is
    process-wide, so concurrent suggestions share one setting, restored by the last to
    leave.
    """
    global _threads_users, _threads_before
    if threads is None:
        yield
        return
    import torch

    with _THREADS_LOCK:
        if _threads_users == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(threads)
        _threads_users += 1
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _threads_users -= 1
            if _threads_users == 0:
                torch.set_num_threads(_threads_before)


def _outcome(index: int) -> Callable[[Tensor], Tensor]:
    """A BoTorch outcome constraint: feasible where model output ``index`` is ``<= 0``."""

    def constraint(samples: Tensor) -> Tensor:
        return samples[..., index]

    return constraint


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


def _first_outcome(samples: Tensor, X: Tensor | None = None) -> Tensor:
    """The single objective of a one-objective study, as a BoTorch MC objective."""
    return samples[..., 0]


class GPSampler(BaseSampler):
    """Bayesian optimisation with Gaussian processes for small budgets (BoTorch).

    After ``n_startup_trials`` Sobol trials, one Gaussian process per objective and per
    hard constraint is fitted on the parameters every complete trial has (encoded in the
    unit cube; categorical choices as evenly spaced levels). The next point maximises
    log noisy expected hypervolume improvement (qLogNEHVI) for two objectives; for three
    or more, log noisy expected improvement of a Chebyshev scalarisation with random
    weights drawn per suggestion (qLogNParEGO), as qLogNEHVI then takes minutes per
    suggestion; for one objective, log noisy expected improvement. Every acquisition is
    weighted by the modelled probability that every constraint holds.

    Conditional spaces: by default (``conditional="common"``) the GPs model the parameters
    every complete trial has, and the rest come from the Sobol fallback (Optuna's
    GPSampler does the same with random draws). ``conditional="joint"`` models every
    parameter any complete trial has: a parameter a trial lacks is encoded as
    :data:`INACTIVE` (outside the unit cube, so no trial that has the parameter looks like
    one that lacks it), and each *shape* seen (the set of parameters a complete trial has,
    e.g. one model family's knobs) is searched apart, its missing parameters held at
    :data:`INACTIVE` and a categorical parameter that took one value in all of its trials
    (the family that opens that shape) held at that value; the best point over the shapes
    is proposed. Shapes are learned from the trials, so a branch that no complete trial
    has reached yet (one the Sobol start missed) is not proposed by the model. Joint mode
    finds a branch's own best knob where common mode leaves it to chance; on the
    benchmark's two conditional problems the two modes scored the same while joint mode
    took two to three times as long per run (``benchmarks/RESULTS.md``), hence the
    default.

    Failed trials (the objective raised or returned NaN or a missing metric; not those
    whose worker process ended) add one more constraint: a Gaussian process over every
    trial with the space's parameters, fitted to -1 for complete and +1 for failed, must
    be <= 0. The acquisition is then weighted down where failures were seen; without it,
    the same data gives the same maximiser, and a study whose best-looking point crashes
    would propose that point for ever. Without failures the proposals are unchanged.

    Needs the optional extra: ``pip install 'paretune[bo]'``.

    Args:
        seed: Seed for the start design and the acquisition optimiser.
        n_startup_trials: Complete trials drawn by Sobol before the model is used.
        num_restarts: Restarts of the acquisition optimiser.
        raw_samples: Random points used to pick the restarts.
        front_starts: Also start the acquisition optimiser from up to this many observed
            feasible Pareto-optimal points (a seeded random subset when there are more),
            so the local search can fill gaps along the front found so far; 0 uses only
            the restarts drawn from ``raw_samples``.
        threads: PyTorch threads while fitting and optimising, restored afterwards. The
            setting is process-wide: PyTorch work in other threads during a suggestion
            gets it too. None leaves PyTorch's setting alone.
        kernel: ``"matern52"`` (default) or ``"rbf"`` (BoTorch's default), each with
            BoTorch's lengthscale prior scaled to the number of parameters. Matern 5/2
            suits objectives that change quickly along a parameter, and was level with or
            ahead of RBF on the samplers benchmark.
        conditional: ``"common"`` (default) models only the parameters every trial has;
            ``"joint"`` models conditional parameters too, searching each shape of the
            space apart. Both are the same on a flat space.
        noise_floor: The least noise variance each GP may infer, on standardised
            outcomes (each GP keeps BoTorch's LogNormal(-4, 1) prior on it). None
            (default): :data:`LOW_NOISE_FLOOR` from :data:`BATCHED_OUTCOMES` outcome
            columns (objectives plus hard constraints) on, BoTorch's 1e-4 below. A low
            floor lets the GPs interpolate deterministic objectives and constraints
            closely; a noisy objective is better served by the higher one.

    Raises:
        ImportError: With the install hint, when BoTorch or PyTorch is missing.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        n_startup_trials: int = 10,
        num_restarts: int = 4,
        raw_samples: int = 128,
        front_starts: int = 4,
        threads: int | None = 1,
        kernel: str = "matern52",
        conditional: str = "common",
        noise_floor: float | None = None,
    ) -> None:
        _import_botorch()
        if kernel not in KERNELS:
            raise ValueError(
                f"kernel must be one of {', '.join(map(repr, KERNELS))}, got {kernel!r}."
            )
        if conditional not in CONDITIONAL:
            raise ValueError(
                f"conditional must be one of {', '.join(map(repr, CONDITIONAL))}, "
                f"got {conditional!r}."
            )
        self.kernel = kernel
        self.conditional = conditional
        self.seed = secrets.randbits(31) if seed is None else int(seed)
        self.n_startup_trials = n_startup_trials
        self.num_restarts = num_restarts
        self.raw_samples = raw_samples
        if front_starts < 0:
            raise ValueError(f"front_starts must be >= 0, got {front_starts}.")
        self.front_starts = front_starts
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be >= 1 or None, got {threads}.")
        self.threads = threads
        if noise_floor is not None and not 0.0 < noise_floor < 1.0:
            raise ValueError(
                f"noise_floor must lie in (0, 1) (a variance of standardised outcomes) or "
                f"be None, got {noise_floor}."
            )
        self.noise_floor = noise_floor
        self._startup = SobolSampler(seed=self.seed)
        self._cache = FinishedTrialCache()

    def reseed_rng(self, seed: int) -> None:
        """Use ``seed`` from now on."""
        self.seed = int(seed)
        self._startup.reseed_rng(seed)

    def infer_relative_search_space(
        self, study: Study, trial: TrialRecord
    ) -> dict[str, Distribution]:
        """Once the model is in use: every parameter a complete trial has (``"joint"``),
        or those every complete trial has (``"common"``)."""
        complete = study.trials_for_sampler()
        if len(complete) < max(self.n_startup_trials, 2):
            return self._startup.infer_relative_search_space(study, trial)
        if self.conditional == "joint":
            return union_space(complete)
        return self._cache.intersection_space(study, complete)

    def sample_relative(
        self, study: Study, trial: TrialRecord, search_space: dict[str, Distribution]
    ) -> dict[str, Any]:
        """Maximise the acquisition function over ``search_space``."""
        complete = study.trials_for_sampler()
        if len(complete) < max(self.n_startup_trials, 2) or not search_space:
            return self._startup.sample_relative(study, trial, search_space)
        levels = self._levels(search_space)

        def unit(rows: np.ndarray) -> np.ndarray:
            return np.where(levels > 1, (rows + 0.5) / np.maximum(levels, 1), rows)

        x_unit = unit(self._cache.encode(study, complete, search_space))
        shapes = _shapes(x_unit, levels)
        fits = has_space if len(shapes) == 1 else _fits
        failed = [t for t in study.failures_for_sampler() if fits(t, search_space)]
        failed_unit = unit(self._cache.encode(study, failed, search_space))
        if len(shapes) > 1:  # only failed trials of a shape some complete trial has
            seen = {tuple(~np.isnan(row)) for row in x_unit}
            failed_unit = failed_unit[[tuple(~np.isnan(row)) in seen for row in failed_unit]]
        x_unit, failed_unit = (np.where(np.isnan(a), INACTIVE, a) for a in (x_unit, failed_unit))
        losses, _ = self._cache.losses_and_violations(study, complete)
        hard = [c for c in study.constraints if not c.soft]
        cons = np.array([[t.constraints[c.metric] for c in hard] for t in complete])
        with warnings.catch_warnings(), _torch_threads(self.threads):
            # Jitter and optimiser notices from GPyTorch/BoTorch internals: not actionable.
            from botorch.exceptions.warnings import BotorchWarning
            from linear_operator.utils.warnings import NumericalWarning

            warnings.simplefilter("ignore", NumericalWarning)
            warnings.simplefilter("ignore", BotorchWarning)
            warnings.filterwarnings("ignore", "Optimization failed", RuntimeWarning)
            # PyTorch's deprecation notices on the sparse tensors that linear_operator builds
            # to interleave a list of models where one is batched (many outcomes and failed
            # trials): about linear_operator's internals, not the user's code.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"linear_operator\.")
            best, shape = self._optimise(
                x_unit,
                -losses,
                cons.reshape(len(complete), len(hard)),
                trial,
                failed_unit,
                shapes,
            )
        row = np.where(levels > 1, np.floor(best * levels).clip(0, levels - 1), best)
        active = [j for j in range(len(levels)) if j not in shape or shape[j] != INACTIVE]
        names = list(search_space)
        proposal = decode(row[active], {names[j]: search_space[names[j]] for j in active})
        return proposal if study.params_allowed(proposal) else {}

    @staticmethod
    def _levels(space: dict[str, Distribution]) -> np.ndarray:
        return np.array([len(getattr(d, "choices", ())) for d in space.values()], dtype=float)

    def _fitted_model(self, train_x: Tensor, outcomes: np.ndarray, failed_x: Tensor) -> Any:
        """A GP per outcome column (objectives, then constraints), each with its own
        hyperparameters, fitted jointly; with failed trials (``failed_x``), one more over
        every trial: -1 complete, +1 failed.

        From :data:`BATCHED_OUTCOMES` outcome columns on, the outcomes' GPs are one batched
        model over their shared inputs, which answers a posterior in one call where a list
        of single-output GPs makes one call per outcome. Every GP's noise variance is
        bounded below by :meth:`_noise_floor`.
        """
        import torch
        from botorch.fit import fit_gpytorch_mll
        from botorch.models.gp_regression import SingleTaskGP
        from botorch.models.model_list_gp_regression import ModelListGP
        from botorch.models.transforms.outcome import Standardize
        from botorch.models.utils.gpytorch_modules import get_covar_module_with_dim_scaled_prior
        from gpytorch.mlls import ExactMarginalLogLikelihood
        from gpytorch.mlls import SumMarginalLogLikelihood

        floor = self._noise_floor(outcomes.shape[1])

        def gps(x: Tensor, y: Tensor) -> Any:
            batch = torch.Size([y.shape[1]]) if y.shape[1] > 1 else None
            return SingleTaskGP(
                x,
                y,
                likelihood=_likelihood(batch, floor),
                covar_module=get_covar_module_with_dim_scaled_prior(
                    ard_num_dims=x.shape[1], batch_shape=batch, use_rbf_kernel=self.kernel == "rbf"
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

    def _noise_floor(self, n_outcomes: int) -> float:
        """The GPs' least noise variance for a fit of ``n_outcomes`` outcome columns."""
        if self.noise_floor is not None:
            return self.noise_floor
        from botorch.models.utils.gpytorch_modules import MIN_INFERRED_NOISE_LEVEL

        return LOW_NOISE_FLOOR if n_outcomes >= BATCHED_OUTCOMES else MIN_INFERRED_NOISE_LEVEL

    def _optimise(
        self,
        x: np.ndarray,
        y: np.ndarray,
        cons: np.ndarray,
        trial: TrialRecord,
        failed: np.ndarray,
        shapes: list[dict[int, float]],
    ) -> tuple[np.ndarray, dict[int, float]]:
        """The acquisition's maximiser over the shapes (see :func:`_shapes`), and its shape."""
        import torch
        from botorch.acquisition.logei import qLogNoisyExpectedImprovement
        from botorch.acquisition.multi_objective.logei import (
            qLogNoisyExpectedHypervolumeImprovement,
        )
        from botorch.acquisition.multi_objective.objective import IdentityMCMultiOutputObjective
        from botorch.acquisition.multi_objective.parego import qLogNParEGO
        from botorch.acquisition.objective import GenericMCObjective

        torch.manual_seed(derive_seed(self.seed, "gp", trial.number))
        train_x = torch.tensor(x, dtype=torch.float64)
        outcomes = np.hstack([y, cons]) if cons.size else y
        failed_x = torch.tensor(failed, dtype=torch.float64)
        model = self._fitted_model(train_x, outcomes, failed_x)
        m = y.shape[1]
        # The failure model is one more outcome constraint: "would not fail" is <= 0.
        n_constraints = cons.shape[1] + (1 if len(failed) else 0)
        constraints = [_outcome(m + j) for j in range(n_constraints)] or None
        if m == 1:
            acquisition: Any = qLogNoisyExpectedImprovement(
                model,
                X_baseline=train_x,
                objective=GenericMCObjective(_first_outcome),
                constraints=constraints,
            )
        elif m == 2:
            span = y.max(axis=0) - y.min(axis=0)
            reference = y.min(axis=0) - 0.1 * np.where(span > 0, span, 1.0)
            two = IdentityMCMultiOutputObjective(outcomes=[0, 1])
            acquisition = qLogNoisyExpectedHypervolumeImprovement(
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
        else:
            # Three or more objectives: qLogNEHVI needs one box decomposition per posterior
            # sample of the baseline, minutes per suggestion at three objectives; a random
            # Chebyshev scalarisation per suggestion (ParEGO) costs what one objective does.
            acquisition = qLogNParEGO(
                model,
                X_baseline=train_x,
                objective=IdentityMCMultiOutputObjective(outcomes=list(range(m))),
                constraints=constraints,
                prune_baseline=True,
            )
        if len(shapes) == 1:  # a flat space: the whole cube
            return self._maximise(acquisition, x, y, cons, trial.number, {}), {}
        best: tuple[float, np.ndarray, dict[int, float]] | None = None
        for fixed in shapes:
            point = self._maximise(acquisition, x, y, cons, trial.number, fixed)
            with torch.no_grad():
                value = float(acquisition(torch.tensor(point).reshape(1, 1, -1)).item())
            if best is None or value > best[0]:
                best = (value, point, fixed)
        assert best is not None
        return best[1], best[2]

    def _maximise(
        self,
        acquisition: Any,
        x: np.ndarray,
        y: np.ndarray,
        cons: np.ndarray,
        number: int,
        fixed: dict[int, float],
    ) -> np.ndarray:
        """Maximise ``acquisition`` over the unit cube with the columns ``fixed`` held at
        their values, starting also from the observed front points of that shape."""
        import torch
        from botorch.optim.optimize import optimize_acqf

        lower, upper = np.zeros(x.shape[1]), np.ones(x.shape[1])
        for j, value in fixed.items():
            lower[j] = upper[j] = value
        bounds = torch.tensor(np.stack([lower, upper]))
        in_shape = (
            np.all([x[:, j] == value for j, value in fixed.items()], axis=0) if fixed else None
        )
        front = self._front_rows(y, cons, number, in_shape)
        starts: dict[str, Any] = {
            "num_restarts": self.num_restarts,
            "raw_samples": self.raw_samples,
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

    def _front_rows(
        self, y: np.ndarray, cons: np.ndarray, number: int, among: np.ndarray | None = None
    ) -> np.ndarray:
        """Rows of up to ``front_starts`` feasible observed points no other one dominates.

        ``y`` holds the objectives to maximise, ``cons`` the hard constraints (feasible
        where ``<= 0``); ``number`` (the trial's) seeds the choice of subset. With
        ``among`` (a boolean row mask, e.g. one shape's rows), only those rows compete.
        """
        if not self.front_starts:
            return np.zeros(0, dtype=int)
        feasible = np.all(cons <= 0, axis=1)  # all rows when there are no constraints
        feasible = np.flatnonzero(feasible if among is None else feasible & among)
        losses = -y[feasible]
        keep = is_pareto_efficient(losses)
        rows = feasible[keep]
        if len(rows) > self.front_starts:
            rng = np.random.default_rng(derive_seed(self.seed, "gp-front", number))
            rows = np.sort(rng.choice(rows, size=self.front_starts, replace=False))
        return rows

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Parameters the model did not propose (outside the modelled space or the chosen
        shape, or during the start) come from the Sobol fallback."""
        return self._startup.sample_independent(study, trial, name, distribution)


def _fits(trial: TrialRecord, space: dict[str, Distribution]) -> bool:
    """Whether ``trial``'s parameters in ``space`` have the space's distributions."""
    return all(trial.distributions[name] == space[name] for name in trial.params if name in space)


def _shapes(x_unit: np.ndarray, levels: np.ndarray) -> list[dict[int, float]]:
    """The shapes of the encoded trials ``x_unit`` (NaN where a trial lacks a parameter):
    per distinct set of present columns, the columns to hold fixed: the missing ones at
    :data:`INACTIVE`, and a categorical one (``levels > 1``) at the one value all of the
    shape's trials took. One shape with nothing fixed on a flat space."""
    present = ~np.isnan(x_unit)
    if present.all():
        return [{}]
    shapes: list[dict[int, float]] = []
    for mask in np.unique(present, axis=0):
        rows = x_unit[np.all(present == mask, axis=1)]
        fixed = {int(j): INACTIVE for j in np.flatnonzero(~mask)}
        for j in np.flatnonzero(mask & (levels > 1)):
            if np.all(rows[:, j] == rows[0, j]):
                fixed[int(j)] = float(rows[0, j])
        shapes.append(fixed)
    return shapes
