"""Real data sets, and one native (BLAS, OpenMP) thread for these tests: the searches fit
hundreds of small models, and native threads fighting over a few cores make them ten
times slower."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("fairlearn")
threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.fixture(autouse=True, scope="package")
def one_blas_thread() -> Iterator[None]:
    with threadpoolctl.threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def cancer() -> tuple[Any, Any]:
    """Breast cancer (569 rows, 30 features), standardised."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def credit() -> tuple[Any, Any, Any]:
    """German credit's training split, encoded: features, labels, the sex9 groups."""
    from paretune.datasets import load_german_credit

    data = load_german_credit()
    X = data.preprocessor().fit_transform(data.train.X)
    return X, data.train.y, data.train.sensitive["sex9"].to_numpy()
