"""Studies: create, load, list, delete, and the :class:`Study` itself."""

from paretune.study._copy import copy_study as copy_study
from paretune.study._create import create_study as create_study
from paretune.study._create import delete_study as delete_study
from paretune.study._create import list_studies as list_studies
from paretune.study._create import load_study as load_study
from paretune.study._reevaluate import Reevaluation as Reevaluation
from paretune.study._reevaluate import RepeatSummary as RepeatSummary
from paretune.study._study import Study as Study

__all__ = [
    "Reevaluation",
    "RepeatSummary",
    "Study",
    "copy_study",
    "create_study",
    "delete_study",
    "list_studies",
    "load_study",
]
