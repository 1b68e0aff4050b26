"""Loaders for the shipped fairness data sets (Adult, COMPAS, German credit).

Each reads the gzip copy in ``data/`` (attribution in ``data/README.md``), drops rows with
missing values, and splits the rows once, stratified by label, with a fixed seed: the same
call gives the same split on every machine.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from paretune.datasets._dataset import Dataset
from paretune.datasets._dataset import Split

if TYPE_CHECKING:
    import pandas as pd

_ADULT_COLUMNS = (
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
)  # fmt: skip

_CITATIONS = {
    "adult": "UCI Adult (Census Income), Becker & Kohavi 1996, CC BY 4.0.",
    "compas": "ProPublica 'Machine Bias' COMPAS two-year recidivism data (Broward County).",
    "german_credit": "UCI Statlog (German Credit), Hofmann 1994, CC BY 4.0.",
}


@functools.cache
def _read(file: str) -> pd.DataFrame:
    import pandas as pd

    path = resources.files("paretune.datasets").joinpath("data", file)
    with resources.as_file(path) as local:
        if file == "adult.csv.gz":
            return pd.read_csv(
                local,
                header=None,
                names=list(_ADULT_COLUMNS),
                skipinitialspace=True,
                na_values=["?", "MissingValue"],  # both spellings occur in copies
            )
        return pd.read_csv(local)


def _check_split(fractions: Sequence[float]) -> tuple[float, float, float]:
    if len(fractions) != 3 or any(not 0 < f < 1 for f in fractions):
        raise ValueError(
            "split must be three fractions in (0, 1) for train, validation and test, "
            f"but got {tuple(fractions)!r}."
        )
    if not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"split fractions must sum to 1, but got {sum(fractions)!r}.")
    return float(fractions[0]), float(fractions[1]), float(fractions[2])


def _build(
    name: str,
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    target: str,
    positive_label: str,
    sensitive: Sequence[str],
    sensitive_as_features: bool,
    split: Sequence[float],
    seed: int,
    max_rows: int | None,
) -> Dataset:
    train_f, val_f, _ = _check_split(split)
    unknown = [s for s in sensitive if s not in frame.columns]
    if unknown or not sensitive:
        raise ValueError(
            f"Unknown sensitive feature(s) {unknown!r} for {name!r}; choose from "
            f"{list(frame.columns)}."
        )
    if max_rows is not None and max_rows < 30:
        raise ValueError(f"max_rows must be at least 30, but got {max_rows}.")
    rng = np.random.default_rng(seed)
    # Stratified shuffle: each label's rows are dealt into the three parts in proportion.
    parts: list[list[np.ndarray]] = [[], [], []]
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        if max_rows is not None:
            rows = rows[: max(3, round(max_rows * len(rows) / len(y)))]
        a = round(train_f * len(rows))
        b = a + round(val_f * len(rows))
        for part, chunk in zip(parts, (rows[:a], rows[a:b], rows[b:]), strict=True):
            part.append(chunk)
    sens = frame[list(sensitive)].astype(str)
    features = frame if sensitive_as_features else frame.drop(columns=list(sensitive))
    import pandas as pd

    categorical = tuple(
        c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])
    )
    numeric = tuple(c for c in features.columns if c not in categorical)

    def make(indices: list[np.ndarray]) -> Split:
        rows = np.sort(np.concatenate(indices))
        return Split(
            X=features.iloc[rows].reset_index(drop=True),
            y=y[rows],
            sensitive=sens.iloc[rows].reset_index(drop=True),
        )

    return Dataset(
        name=name,
        train=make(parts[0]),
        validation=make(parts[1]),
        _test=make(parts[2]),
        target=target,
        positive_label=positive_label,
        numeric=numeric,
        categorical=categorical,
        citation=_CITATIONS[name],
    )


def load_adult(
    *,
    sensitive: Sequence[str] = ("sex",),
    sensitive_as_features: bool = True,
    split: Sequence[float] = (0.6, 0.2, 0.2),
    seed: int = 0,
    max_rows: int | None = None,
) -> Dataset:
    """UCI Adult: does a person's income exceed $50K a year (30,162 complete rows)?

    Args:
        sensitive: Protected attributes returned as sensitive features: any of ``"sex"``,
            ``"race"``, ``"age"`` (numbers; bin them yourself) or another column.
        sensitive_as_features: Keep the sensitive columns among the model's features.
        split: Fractions of rows for train, validation and test.
        seed: Seed of the split (the default gives the documented split).
        max_rows: Use a stratified subsample of this many rows (for quick runs).

    Returns:
        The data set; ``y == 1`` means income above $50K.

    Examples:
        >>> from paretune.datasets import load_adult
        >>> data = load_adult(max_rows=1000)
        >>> len(data.train), list(data.train.sensitive.columns)
        (600, ['sex'])
    """
    frame = _read("adult.csv.gz").dropna().reset_index(drop=True)
    y = (frame.pop("income") == ">50K").to_numpy(dtype=int)
    frame = frame.drop(columns=["fnlwgt", "education"])  # sampling weight; education_num
    return _build(
        "adult",
        frame,
        y,
        target="income above $50K",
        positive_label=">50K",
        sensitive=sensitive,
        sensitive_as_features=sensitive_as_features,
        split=split,
        seed=seed,
        max_rows=max_rows,
    )


def load_compas(
    *,
    sensitive: Sequence[str] = ("race",),
    sensitive_as_features: bool = False,
    split: Sequence[float] = (0.6, 0.2, 0.2),
    seed: int = 0,
    max_rows: int | None = None,
) -> Dataset:
    """ProPublica's COMPAS data: is a defendant re-arrested within two years (6,172 rows)?

    Features are demographics and criminal history only; the COMPAS tool's own scores are
    not shipped. Race is excluded from the features by default.

    Args:
        sensitive: Protected attributes: any of ``"race"``, ``"sex"``, ``"age_cat"``.
        sensitive_as_features: Keep the sensitive columns among the model's features.
        split: Fractions of rows for train, validation and test.
        seed: Seed of the split.
        max_rows: Use a stratified subsample of this many rows.

    Returns:
        The data set; ``y == 1`` means recidivism within two years.
    """
    frame = _read("compas.csv.gz").dropna().reset_index(drop=True)
    y = frame.pop("two_year_recid").to_numpy(dtype=int)
    return _build(
        "compas",
        frame,
        y,
        target="re-arrest within two years",
        positive_label="recidivism",
        sensitive=sensitive,
        sensitive_as_features=sensitive_as_features,
        split=split,
        seed=seed,
        max_rows=max_rows,
    )


def load_german_credit(
    *,
    sensitive: Sequence[str] = ("sex9",),
    sensitive_as_features: bool = True,
    split: Sequence[float] = (0.6, 0.2, 0.2),
    seed: int = 0,
    max_rows: int | None = None,
) -> Dataset:
    """UCI Statlog German credit: is an applicant a good credit risk (1,000 rows)?

    Column names keep the source's numbering (``sex9``, ``Age13``, ...).

    Args:
        sensitive: Protected attributes: ``"sex9"``, ``"Age13"`` (numbers) or others.
        sensitive_as_features: Keep the sensitive columns among the model's features.
        split: Fractions of rows for train, validation and test.
        seed: Seed of the split.
        max_rows: Use a stratified subsample of this many rows.

    Returns:
        The data set; ``y == 1`` means a good credit risk.
    """
    frame = _read("german_credit.csv.gz").dropna().reset_index(drop=True)
    y = (frame.pop("classlabel21") == 1).to_numpy(dtype=int)
    return _build(
        "german_credit",
        frame,
        y,
        target="good credit risk",
        positive_label="good",
        sensitive=sensitive,
        sensitive_as_features=sensitive_as_features,
        split=split,
        seed=seed,
        max_rows=max_rows,
    )
