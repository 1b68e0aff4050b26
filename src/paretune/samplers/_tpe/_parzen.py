"""A multivariate Parzen (kernel density) estimator over encoded parameters.

Numerical dimensions live in ``[0, 1]`` and use Gaussian kernels truncated to that
interval; categorical dimensions use a kernel that puts most mass on the observed choice
and spreads the rest evenly. A prior component (a wide Gaussian, a uniform categorical)
keeps every region reachable. Kernels are products over dimensions, one per observation.
"""

from __future__ import annotations

import copy

import numpy as np
from scipy.special import logsumexp
from scipy.special import ndtr
from scipy.special import ndtri

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


class ParzenEstimator:
    """Kernel density over ``n`` encoded observations of ``d`` parameters.

    Args:
        observations: ``n x d`` encoded values (unit interval or choice index).
        n_choices: For each dimension, the number of choices (categorical) or 0.
        min_bandwidth: For each numerical dimension, the smallest kernel width (half a
            cell for integer or stepped parameters).
        prior_weight: Weight of the prior component relative to one observation.
        weights: Relative weight of each observation (None: all equal).
        adaptive: Scale each dimension's bandwidth by the spread of the observations
            (Scott's rule) instead of using one width for the whole unit interval.
    """

    def __init__(
        self,
        observations: np.ndarray,
        n_choices: np.ndarray,
        min_bandwidth: np.ndarray,
        prior_weight: float = 1.0,
        weights: np.ndarray | None = None,
        adaptive: bool = False,
    ) -> None:
        obs = np.asarray(observations, dtype=np.float64).reshape(-1, len(n_choices))
        self.n_choices = np.asarray(n_choices, dtype=np.int64)
        self.numeric = self.n_choices == 0
        n, d = obs.shape
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        w = w / w.mean() if n and w.sum() > 0 else np.ones(n)
        # Component 0 is the prior; components 1..n the observations.
        self.log_weights = np.log(np.concatenate([[prior_weight], np.maximum(w, 1e-12)]))
        self.log_weights -= logsumexp(self.log_weights)
        n_numeric = int(self.numeric.sum())
        factor = max(n, 1) ** (-1.0 / (n_numeric + 4)) if n_numeric else 0.0
        if adaptive and n > 1:
            spread = np.clip(obs.std(axis=0), 0.05, 0.5)
            bandwidth = np.minimum(1.06 * spread * factor, 0.25)
        else:
            bandwidth = np.full(d, 0.2 * factor)
        self.mus = np.vstack([np.full((1, d), 0.5), obs])
        self.sigmas = np.empty_like(self.mus)
        self.sigmas[0] = 1.0
        self.sigmas[1:] = np.maximum(bandwidth, min_bandwidth)[None, :]
        # Categorical kernels: 1 - eps on the observed choice, eps spread over all choices.
        self.eps = float(np.clip(1.0 / np.sqrt(1.0 + n), 0.05, 0.5))

    @property
    def n_components(self) -> int:
        """Number of mixture components (observations plus the prior)."""
        return int(self.mus.shape[0])

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` encoded points from the mixture."""
        comps = rng.choice(self.n_components, size=size, p=np.exp(self.log_weights))
        d = self.mus.shape[1]
        out = np.empty((size, d))
        for j in range(d):
            if self.numeric[j]:
                mu, sigma = self.mus[comps, j], self.sigmas[comps, j]
                lo, hi = ndtr((0.0 - mu) / sigma), ndtr((1.0 - mu) / sigma)
                u = lo + rng.random(size) * (hi - lo)
                out[:, j] = np.clip(mu + sigma * ndtri(np.clip(u, 1e-12, 1 - 1e-12)), 0.0, 1.0)
            else:
                k = int(self.n_choices[j])
                uniform_pick = rng.integers(0, k, size=size)
                keep = (comps > 0) & (rng.random(size) >= self.eps)
                out[:, j] = np.where(keep, self.mus[comps, j], uniform_pick)
        return out

    def _component_log_kernels(self, points: np.ndarray, dims: np.ndarray) -> np.ndarray:
        """Log kernel of every component at each point, over the dimensions ``dims``."""
        x = np.asarray(points, dtype=np.float64)
        total = np.zeros((x.shape[0], self.n_components))
        for j in np.flatnonzero(dims):
            if self.numeric[j]:
                mu, sigma = self.mus[None, :, j], self.sigmas[None, :, j]
                z = (x[:, j : j + 1] - mu) / sigma
                mass = ndtr((1.0 - mu) / sigma) - ndtr((0.0 - mu) / sigma)
                total += (
                    -0.5 * z**2 - _LOG_SQRT_2PI - np.log(sigma) - np.log(np.maximum(mass, 1e-300))
                )
            else:
                k = int(self.n_choices[j])
                same = x[:, j : j + 1] == self.mus[None, :, j]
                p_obs = np.where(same, 1.0 - self.eps + self.eps / k, self.eps / k)
                p_obs[:, 0] = 1.0 / k  # the prior component is uniform
                total += np.log(p_obs)
        return total

    def log_pdf(self, points: np.ndarray) -> np.ndarray:
        """Log density of each encoded point (``m x d`` -> ``m``)."""
        total = self._component_log_kernels(points, np.ones(self.mus.shape[1], dtype=bool))
        return np.asarray(logsumexp(total + self.log_weights[None, :], axis=1))

    def conditioned(self, given: np.ndarray, values: np.ndarray) -> ParzenEstimator:
        """The density of the other dimensions when the dimensions ``given`` hold ``values``.

        A product-kernel mixture conditions exactly: each component keeps its kernels on
        the other dimensions and is reweighted by its kernel at ``values``. The result
        covers the dimensions where ``given`` is False, in their order.

        Args:
            given: Boolean mask of the known dimensions.
            values: Encoded values of every dimension (those not ``given`` are ignored).
        """
        given = np.asarray(given, dtype=bool)
        point = np.where(given, np.asarray(values, dtype=np.float64), 0.0)[None, :]
        log_kernel = self._component_log_kernels(point, given)[0]
        out = copy.copy(self)
        keep = ~given
        out.n_choices = self.n_choices[keep]
        out.numeric = self.numeric[keep]
        out.mus = self.mus[:, keep]
        out.sigmas = self.sigmas[:, keep]
        weights = self.log_weights + log_kernel
        out.log_weights = weights - logsumexp(weights)
        return out
