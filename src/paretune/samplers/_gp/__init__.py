"""Gaussian-process Bayesian optimisation through BoTorch (the ``bo`` extra).

``sampler`` holds the thin :class:`GPSampler`; ``_model`` fits the GPs, ``_acquisition``
builds and maximises the acquisition function, ``_shapes`` encodes conditional spaces,
``_baseline`` prunes the observed points of a hypervolume acquisition, and ``_threads``
bounds PyTorch's thread pool during a suggestion.
"""

from paretune.samplers._gp.sampler import GPSampler as GPSampler

__all__ = ["GPSampler"]
