"""Samplers: strategies that propose parameter values.

``RandomSampler`` and ``SobolSampler`` ship today; every sampler implements
:class:`BaseSampler`.
"""

from paretune.samplers._base import BaseSampler as BaseSampler
from paretune.samplers._random import RandomSampler as RandomSampler
from paretune.samplers._sobol import SobolSampler as SobolSampler

__all__ = ["BaseSampler", "RandomSampler", "SobolSampler"]
