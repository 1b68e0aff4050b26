"""One native thread per benchmark process. Imports nothing but :mod:`os`, so that a
script can call :func:`one_thread_per_process` before numpy loads."""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread_per_process() -> None:
    """One BLAS/OpenMP thread per process unless the environment sets another number, so
    that ``--workers`` processes do not compete for cores. Call it before numpy, scikit-learn
    or torch is imported: they read these variables once, when they load."""
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
