"""Multi-fidelity studies: the budget a trial trains at.

The calibration report (how well cheap budgets predict the full one) is
:func:`paretune.analysis.fidelity_report`, also ``study.fidelity_report()``.
"""

from paretune.fidelity._fidelity import Fidelity as Fidelity

__all__ = ["Fidelity"]
