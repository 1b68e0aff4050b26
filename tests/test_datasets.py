"""The shipped data sets: shapes, labels, a fixed split and a sealed test split."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import paretune as pt
from paretune.datasets import load_adult
from paretune.datasets import load_compas
from paretune.datasets import load_german_credit

pytest.importorskip("pandas")


@pytest.mark.parametrize(
    ("loader", "rows", "sensitive", "positive_share"),
    [
        (load_adult, 30162, "sex", (0.24, 0.25)),
        (load_compas, 6172, "race", (0.45, 0.46)),
        (load_german_credit, 1000, "sex9", (0.69, 0.71)),
    ],
)
def test_loaders_split_every_row_once(loader, rows, sensitive, positive_share) -> None:  # type: ignore[no-untyped-def]
    data = loader()
    parts = [data.train, data.validation, data.test_split()]
    assert sum(len(p) for p in parts) == rows
    assert [round(len(p) / rows, 2) for p in parts] == [0.6, 0.2, 0.2]
    for part in parts:
        assert len(part.X) == len(part.y) == len(part.sensitive)
        assert set(np.unique(part.y)) == {0, 1}
        assert positive_share[0] <= part.y.mean() <= positive_share[1]  # stratified
        assert list(part.sensitive.columns) == [sensitive]
    assert set(data.numeric) | set(data.categorical) == set(data.train.X.columns)
    assert data.citation


def test_split_is_fixed_across_processes() -> None:
    code = (
        "from paretune.datasets import load_compas; d = load_compas(); "
        "print(int(d.train.X['priors_count'].sum()), int(d.validation.y.sum()))"
    )
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}  # fmt: skip
    data = load_compas()
    assert runs == {f"{data.train.X['priors_count'].sum()} {data.validation.y.sum()}\n"}
    assert not load_compas(seed=1).train.y[:50].tolist() == data.train.y[:50].tolist() or \
        not load_compas(seed=1).train.X.equals(data.train.X)  # fmt: skip


def test_options() -> None:
    small = load_adult(max_rows=1000, sensitive=("sex", "race"), sensitive_as_features=False)
    assert len(small.train) + len(small.validation) + len(small.test_split()) == 1000
    assert {"sex", "race"}.isdisjoint(small.train.X.columns)
    assert list(small.train.sensitive.columns) == ["sex", "race"]
    with pytest.raises(ValueError, match="Unknown sensitive feature"):
        load_adult(sensitive=("gender",))
    with pytest.raises(ValueError, match="sum to 1"):
        load_adult(split=(0.5, 0.2, 0.2))


def test_test_split_is_sealed_during_optimize() -> None:
    data = load_german_credit()
    study = pt.create_study(objectives={"n": "maximize"})
    seen: list[int] = []

    def objective(trial: pt.Trial) -> dict[str, float]:
        seen.append(len(data.test_split()))
        return {"n": 1.0}

    with pytest.warns(pt.exceptions.FailedTrialsWarning, match="2 x TestSetAccessError"):
        study.optimize(objective, n_trials=2)
    assert seen == [] and all(t.state is pt.TrialState.FAILED for t in study.trials)
    assert "TestSetAccessError" in (study.trials[0].traceback or "")
    assert len(data.test_split()) == 200  # after the search it is available


def test_preprocessor_encodes_every_column_without_missing_values() -> None:
    pytest.importorskip("sklearn")
    data = load_german_credit()
    encoded = data.preprocessor().fit(data.train.X).transform(data.validation.X)
    assert encoded.shape[0] == 200 and np.isfinite(encoded).all()
