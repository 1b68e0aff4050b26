"""Fairness data sets shipped with paretune, with fixed train/validation/test splits.

Examples:
    >>> from paretune.datasets import load_german_credit
    >>> data = load_german_credit()
    >>> len(data.train), len(data.validation)
    (600, 200)
"""

from paretune.datasets._dataset import Dataset as Dataset
from paretune.datasets._dataset import Split as Split
from paretune.datasets._loaders import load_adult as load_adult
from paretune.datasets._loaders import load_compas as load_compas
from paretune.datasets._loaders import load_german_credit as load_german_credit

__all__ = ["Dataset", "Split", "load_adult", "load_compas", "load_german_credit"]
