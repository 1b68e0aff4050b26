"""Multi-fidelity studies: the budget a trial trains at, and how well cheap budgets predict."""

from paretune.fidelity._fidelity import Fidelity as Fidelity
from paretune.fidelity._report import FidelityReport as FidelityReport
from paretune.fidelity._report import RungCalibration as RungCalibration

__all__ = ["Fidelity", "FidelityReport", "RungCalibration"]
