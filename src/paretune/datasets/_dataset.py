"""The data set container: a fixed train/validation/test split with sensitive features."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.exceptions import TestSetAccessError

if TYPE_CHECKING:
    import pandas as pd

_search_depth = 0
_search_lock = threading.Lock()


class search_in_progress:
    """Context manager that marks a search as running in this process.

    :meth:`Study.optimize` enters it, so that :meth:`Dataset.test_split` refuses to hand
    out the test rows from inside an objective.
    """

    def __enter__(self) -> None:
        global _search_depth
        with _search_lock:
            _search_depth += 1

    def __exit__(self, *exc: object) -> None:
        global _search_depth
        with _search_lock:
            _search_depth -= 1


@dataclass(frozen=True)
class Split:
    """One part of a data set.

    Attributes:
        X: Feature table, ``n x d`` (pandas, with categorical columns as strings).
        y: Labels, shape ``n`` (0/1 for the classification sets: 1 is the favourable or
            positive outcome named by :attr:`Dataset.positive_label`).
        sensitive: The sensitive features, ``n x k`` (one column per protected attribute).
    """

    X: pd.DataFrame
    y: np.ndarray
    sensitive: pd.DataFrame

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Dataset:
    """A data set with a fixed, seeded train/validation/test split.

    Search uses :attr:`train` and :attr:`validation` only. The test rows come from
    :meth:`test_split`, which raises :class:`~paretune.exceptions.TestSetAccessError`
    while :meth:`Study.optimize <paretune.study.Study.optimize>` runs in this process, so
    an objective cannot peek at them by accident.

    Attributes:
        name: Short name (``"adult"``).
        train: Rows for fitting models.
        validation: Rows for the metrics a study sees.
        target: What the label means.
        positive_label: What ``y == 1`` stands for.
        numeric: Names of numeric feature columns.
        categorical: Names of categorical feature columns.
        citation: Source and licence of the data.
    """

    name: str
    train: Split
    validation: Split
    _test: Split
    target: str
    positive_label: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    citation: str

    def test_split(self) -> Split:
        """The held-out test rows, for the final evaluation of a chosen Pareto set.

        Raises:
            TestSetAccessError: When called while a study's ``optimize`` is running.
        """
        if _search_depth > 0:
            raise TestSetAccessError(
                f"The test split of {self.name!r} was requested while a study is optimizing. "
                "Search on dataset.validation; evaluate the chosen Pareto set on the test "
                "split after optimize() returns (paretune.analysis.test_front)."
            )
        return self._test

    def preprocessor(self) -> Any:
        """An unfitted scikit-learn transformer: numeric columns median-imputed and scaled,
        categorical ones one-hot encoded (unseen or missing categories encode as all zeros).

        Put it in a ``Pipeline`` with the model so latency covers the preprocessing, or fit
        it once and search models on the encoded arrays (faster; latency then covers the
        model only).
        """
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder
        from sklearn.preprocessing import StandardScaler

        return ColumnTransformer(
            [
                (
                    "numeric",
                    make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                    list(self.numeric),
                ),
                (
                    "categorical",
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    list(self.categorical),
                ),
            ]
        )

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, train={len(self.train)}, validation="
            f"{len(self.validation)}, test={len(self._test)}, "
            f"sensitive={list(self.train.sensitive.columns)})"
        )
