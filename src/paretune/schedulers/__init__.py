"""Schedulers that stop unpromising trials early from their intermediate reports."""

from paretune.schedulers._base import BaseScheduler as BaseScheduler
from paretune.schedulers._base import Decision as Decision

__all__ = ["BaseScheduler", "Decision"]
