"""Executors: where ``Study.optimize(executor=...)`` runs its trials.

Without an executor, ``optimize`` runs trials on threads of the calling process. An
executor runs them elsewhere while the calling process keeps the call's limits and
callbacks: :class:`RayExecutor` runs each trial as a Ray task on a cluster. Ray is
imported only when a :class:`RayExecutor` is created (``pip install 'paretune[ray]'``).
"""

from paretune.executors._base import BaseExecutor as BaseExecutor
from paretune.executors._ledger import TrialLedger as TrialLedger
from paretune.executors._ray import RayExecutor as RayExecutor

__all__ = ["BaseExecutor", "RayExecutor", "TrialLedger"]
