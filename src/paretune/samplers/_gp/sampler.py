"""The thin sampler class: when to use the model, and how its proposal is decoded."""

from __future__ import annotations

import secrets
import warnings
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._seeding import derive_seed
from paretune.distributions import Distribution
from paretune.samplers._base import BaseSampler
from paretune.samplers._cache import FinishedTrialCache
from paretune.samplers._gp import _model
from paretune.samplers._gp._acquisition import acquisition_for
from paretune.samplers._gp._acquisition import front_rows
from paretune.samplers._gp._acquisition import maximise
from paretune.samplers._gp._shapes import INACTIVE
from paretune.samplers._gp._shapes import fits
from paretune.samplers._gp._shapes import levels_of
from paretune.samplers._gp._shapes import shapes
from paretune.samplers._gp._threads import torch_threads
from paretune.samplers._sobol import SobolSampler
from paretune.samplers._space import decode
from paretune.samplers._space import has_space
from paretune.samplers._space import union_space

if TYPE_CHECKING:
    from torch import Tensor

    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["CONDITIONAL", "GPSampler"]

CONDITIONAL = ("common", "joint")
"""How :class:`GPSampler` treats parameters that only some trials have."""


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
    ``INACTIVE`` (outside the unit cube, so no trial that has the parameter looks like
    one that lacks it), and each *shape* seen (the set of parameters a complete trial has,
    e.g. one model family's knobs) is searched apart, its missing parameters held at
    ``INACTIVE`` and a categorical parameter that took one value in all of its trials
    (the family that opens that shape) held at that value; the best point over the shapes
    is proposed. Shapes are learned from the trials, so a branch that no complete trial
    has reached yet (one the Sobol start missed) is not proposed by the model. Joint mode
    finds a branch's own best knob where common mode leaves it to chance, at two to three
    times the cost per suggestion.

    Failed trials (the objective raised or returned NaN or a missing metric; not those
    whose worker process ended) add one more constraint: a Gaussian process over every
    trial with the space's parameters, fitted to -1 for complete and +1 for failed, must
    be <= 0. The acquisition is then weighted down where failures were seen; without it,
    the same data gives the same maximiser, and a study whose best-looking point crashes
    would propose that point for ever. Without failures the proposals are unchanged.

    Warm start: the complete trials of the studies a study warm-starts from (see
    :meth:`~paretune.study.Study.trials_for_sampler`) are observations of the GPs like the
    study's own, with the same weight, and count towards ``n_startup_trials``.

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
            suits objectives that change quickly along a parameter.
        conditional: ``"common"`` (default) models only the parameters every trial has;
            ``"joint"`` models conditional parameters too, searching each shape of the
            space apart. Both are the same on a flat space.
        noise_floor: The least noise variance each GP may infer, on standardised
            outcomes (each GP keeps BoTorch's LogNormal(-4, 1) prior on it). None
            (default): 1e-6 from five outcome columns (objectives plus hard constraints)
            on, BoTorch's 1e-4 below. A low
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
        _model.import_botorch()
        if kernel not in _model.KERNELS:
            raise ValueError(
                f"kernel must be one of {', '.join(map(repr, _model.KERNELS))}, got {kernel!r}."
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
        levels = levels_of(search_space)

        def unit(rows: np.ndarray) -> np.ndarray:
            return np.where(levels > 1, (rows + 0.5) / np.maximum(levels, 1), rows)

        x_unit = unit(self._cache.encode(study, complete, search_space))
        found = shapes(x_unit, levels)
        fit = has_space if len(found) == 1 else fits
        failed = [t for t in study.failures_for_sampler() if fit(t, search_space)]
        failed_unit = unit(self._cache.encode(study, failed, search_space))
        if len(found) > 1:  # only failed trials of a shape some complete trial has
            seen = {tuple(~np.isnan(row)) for row in x_unit}
            failed_unit = failed_unit[[tuple(~np.isnan(row)) in seen for row in failed_unit]]
        x_unit, failed_unit = (np.where(np.isnan(a), INACTIVE, a) for a in (x_unit, failed_unit))
        losses, _ = self._cache.losses_and_violations(study, complete)
        hard = [c for c in study.constraints if not c.soft]
        cons = np.array([[t.constraints[c.metric] for c in hard] for t in complete])
        with warnings.catch_warnings(), torch_threads(self.threads):
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
                found,
            )
        row = np.where(levels > 1, np.floor(best * levels).clip(0, levels - 1), best)
        active = [j for j in range(len(levels)) if j not in shape or shape[j] != INACTIVE]
        names = list(search_space)
        proposal = decode(row[active], {names[j]: search_space[names[j]] for j in active})
        return proposal if study.params_allowed(proposal) else {}

    def _fitted_model(self, train_x: Tensor, outcomes: np.ndarray, failed_x: Tensor) -> Any:
        """The GPs of :func:`~paretune.samplers._gp._model.fitted_model` with this
        sampler's kernel and noise floor."""
        floor = _model.noise_floor(self.noise_floor, outcomes.shape[1])
        return _model.fitted_model(train_x, outcomes, failed_x, kernel=self.kernel, floor=floor)

    def _optimise(
        self,
        x: np.ndarray,
        y: np.ndarray,
        cons: np.ndarray,
        trial: TrialRecord,
        failed: np.ndarray,
        found: list[dict[int, float]],
    ) -> tuple[np.ndarray, dict[int, float]]:
        """The acquisition's maximiser over the shapes ``found``, and its shape."""
        import torch

        torch.manual_seed(derive_seed(self.seed, "gp", trial.number))
        train_x = torch.tensor(x, dtype=torch.float64)
        outcomes = np.hstack([y, cons]) if cons.size else y
        failed_x = torch.tensor(failed, dtype=torch.float64)
        model = self._fitted_model(train_x, outcomes, failed_x)
        # The failure model is one more outcome constraint: "would not fail" is <= 0.
        n_constraints = cons.shape[1] + (1 if len(failed) else 0)
        acquisition = acquisition_for(model, train_x, y, n_constraints)

        def best_in(fixed: dict[int, float]) -> np.ndarray:
            in_shape = (
                np.all([x[:, j] == value for j, value in fixed.items()], axis=0) if fixed else None
            )
            front = front_rows(
                y,
                cons,
                limit=self.front_starts,
                seed=self.seed,
                number=trial.number,
                among=in_shape,
            )
            return maximise(
                acquisition,
                x,
                front,
                fixed,
                num_restarts=self.num_restarts,
                raw_samples=self.raw_samples,
            )

        if len(found) == 1:  # a flat space: the whole cube
            return best_in({}), {}
        best: tuple[float, np.ndarray, dict[int, float]] | None = None
        for fixed in found:
            point = best_in(fixed)
            with torch.no_grad():
                value = float(acquisition(torch.tensor(point).reshape(1, 1, -1)).item())
            if best is None or value > best[0]:
                best = (value, point, fixed)
        assert best is not None
        return best[1], best[2]

    def sample_independent(
        self, study: Study, trial: TrialRecord, name: str, distribution: Distribution
    ) -> Any:
        """Parameters the model did not propose (outside the modelled space or the chosen
        shape, or during the start) come from the Sobol fallback."""
        return self._startup.sample_independent(study, trial, name, distribution)
