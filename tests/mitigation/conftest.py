"""Real data (German credit, small) for the mitigation estimators, with one BLAS thread.

Reductions refit the model dozens of times on a few hundred rows; on a shared machine a
second BLAS thread makes each fit several times slower instead of faster.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("fairlearn")


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread() -> Iterator[None]:
    from paretune._threads import native_thread_limit

    with native_thread_limit(1, user_api="blas"):
        yield


@dataclass(frozen=True)
class Credit:
    """German credit: raw frames for pipelines, and the same rows encoded once."""

    data: Any
    X: Any
    y: Any
    groups: Any
    X_val: Any
    y_val: Any
    groups_val: Any


@pytest.fixture(scope="session")
def credit() -> Credit:
    import numpy as np

    from paretune.datasets import load_german_credit

    data = load_german_credit()
    pre = data.preprocessor().fit(data.train.X)
    return Credit(
        data,
        pre.transform(data.train.X),
        np.asarray(data.train.y),
        data.train.sensitive,
        pre.transform(data.validation.X),
        np.asarray(data.validation.y),
        data.validation.sensitive,
    )


@pytest.fixture
def logreg() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=500)
