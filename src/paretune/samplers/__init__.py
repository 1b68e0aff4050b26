"""Samplers: strategies that propose parameter values.

Every sampler implements :class:`BaseSampler`. ``RandomSampler`` and ``SobolSampler``
spread trials evenly; ``TPESampler`` models good and bad regions for several objectives
and constraints.
"""

from paretune.samplers._auto import AutoSampler as AutoSampler
from paretune.samplers._base import BaseSampler as BaseSampler
from paretune.samplers._gp import GPSampler as GPSampler
from paretune.samplers._nsga2 import NSGAIISampler as NSGAIISampler
from paretune.samplers._nsga3 import NSGAIIISampler as NSGAIIISampler
from paretune.samplers._random import RandomSampler as RandomSampler
from paretune.samplers._sobol import SobolSampler as SobolSampler
from paretune.samplers._tpe.sampler import TPESampler as TPESampler

__all__ = [
    "AutoSampler",
    "BaseSampler",
    "GPSampler",
    "NSGAIIISampler",
    "NSGAIISampler",
    "RandomSampler",
    "SobolSampler",
    "TPESampler",
]
