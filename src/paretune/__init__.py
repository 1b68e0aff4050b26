"""paretune: multi-objective, constraint-aware tuning for models that must be accurate,
fair, robust and fast.

Examples:
    >>> import paretune as pt
    >>> study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
    >>> study.optimize(lambda t: {"loss": t.suggest_float("x", -1, 1) ** 2}, n_trials=5)
    >>> len(study.trials)
    5
"""

from typing import TYPE_CHECKING

from paretune import distributions as distributions
from paretune import exceptions as exceptions
from paretune import logging as logging
from paretune import pareto as pareto
from paretune import samplers as samplers
from paretune import schedulers as schedulers
from paretune import storages as storages
from paretune._version import __version__ as __version__
from paretune.constraints import Constraint as Constraint
from paretune.exceptions import TrialStopped as TrialStopped
from paretune.exceptions import UnrelatedFailure as UnrelatedFailure
from paretune.fidelity import Fidelity as Fidelity
from paretune.objectives import Direction as Direction
from paretune.study import Study as Study
from paretune.study import copy_study as copy_study
from paretune.study import create_study as create_study
from paretune.study import delete_study as delete_study
from paretune.study import list_studies as list_studies
from paretune.study import load_study as load_study
from paretune.trial import FailKind as FailKind
from paretune.trial import Trial as Trial
from paretune.trial import TrialRecord as TrialRecord
from paretune.trial import TrialState as TrialState

if TYPE_CHECKING:
    from paretune import analysis as analysis
    from paretune import datasets as datasets
    from paretune import evaluate as evaluate
    from paretune import executors as executors
    from paretune import importance as importance
    from paretune import integrations as integrations
    from paretune import mitigation as mitigation
    from paretune import select as select
    from paretune import sklearn as sklearn
    from paretune import visualization as visualization

__all__ = [
    "Constraint",
    "Direction",
    "FailKind",
    "Fidelity",
    "Study",
    "Trial",
    "TrialRecord",
    "TrialState",
    "TrialStopped",
    "UnrelatedFailure",
    "__version__",
    "analysis",
    "copy_study",
    "create_study",
    "datasets",
    "delete_study",
    "distributions",
    "evaluate",
    "exceptions",
    "executors",
    "importance",
    "integrations",
    "list_studies",
    "logging",
    "load_study",
    "mitigation",
    "pareto",
    "samplers",
    "schedulers",
    "select",
    "sklearn",
    "storages",
    "visualization",
]

_LAZY_SUBPACKAGES = (
    "analysis",
    "datasets",
    "evaluate",
    "executors",
    "importance",
    "integrations",
    "mitigation",
    "select",
    "sklearn",
    "visualization",
)
"""Subpackages loaded on first use: they pull in scikit-learn, fairlearn or pandas."""


def __getattr__(name: str) -> object:
    if name in _LAZY_SUBPACKAGES:
        import importlib

        module = importlib.import_module(f"paretune.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'paretune' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
