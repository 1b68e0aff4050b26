"""Reading a finished (or running) study: the fidelity calibration, the test-split report,
and nested cross-validation of the whole tuning procedure.

This layer sits above :mod:`paretune.study`; plots, importance and operating-point
selection belong here too.
"""

from paretune.analysis._export import ModelCard as ModelCard
from paretune.analysis._export import data_fingerprint as data_fingerprint
from paretune.analysis._export import export_model as export_model
from paretune.analysis._fidelity_report import FidelityReport as FidelityReport
from paretune.analysis._fidelity_report import RungCalibration as RungCalibration
from paretune.analysis._fidelity_report import fidelity_report as fidelity_report
from paretune.analysis._nested_cv import NestedCVFold as NestedCVFold
from paretune.analysis._nested_cv import NestedCVResult as NestedCVResult
from paretune.analysis._nested_cv import nested_cv as nested_cv
from paretune.analysis._test_front import TEST_EVALUATION_KEY as TEST_EVALUATION_KEY
from paretune.analysis._test_front import TestReport as TestReport
from paretune.analysis._test_front import TestResult as TestResult
from paretune.analysis._test_front import test_front as test_front

__all__ = [
    "TEST_EVALUATION_KEY",
    "FidelityReport",
    "ModelCard",
    "NestedCVFold",
    "NestedCVResult",
    "RungCalibration",
    "TestReport",
    "TestResult",
    "data_fingerprint",
    "export_model",
    "fidelity_report",
    "nested_cv",
    "test_front",
]
