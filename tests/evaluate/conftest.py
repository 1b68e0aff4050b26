"""A real fitted model on real data (German credit, small and fast) for the evaluators."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("fairlearn")


@pytest.fixture(scope="session")
def credit() -> Any:
    from paretune.datasets import load_german_credit

    return load_german_credit(sensitive=("sex9", "Housing15"))


@pytest.fixture(scope="session")
def fitted(credit: Any) -> Any:
    """A logistic-regression pipeline fitted on German credit's training split."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(credit.preprocessor(), LogisticRegression(max_iter=500))
    return model.fit(credit.train.X, credit.train.y)
