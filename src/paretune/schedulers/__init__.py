"""Schedulers: which budget each trial trains at, and which trials stop early.

All rank several objectives under constraints (see :mod:`paretune.schedulers._rungs` for
the rule) and work both in the training loop (``trial.report`` / ``trial.should_stop``) and
with a budgeted study (``create_study(fidelity=...)``, ``trial.budget``).
"""

from paretune.schedulers._asha import ASHAScheduler as ASHAScheduler
from paretune.schedulers._base import BaseScheduler as BaseScheduler
from paretune.schedulers._base import Decision as Decision
from paretune.schedulers._base import Job as Job
from paretune.schedulers._halving import HyperbandScheduler as HyperbandScheduler
from paretune.schedulers._halving import SuccessiveHalvingScheduler as SuccessiveHalvingScheduler
from paretune.schedulers._median import MedianStoppingScheduler as MedianStoppingScheduler

__all__ = [
    "ASHAScheduler",
    "BaseScheduler",
    "Decision",
    "HyperbandScheduler",
    "Job",
    "MedianStoppingScheduler",
    "SuccessiveHalvingScheduler",
]
