"""Every fairness figure equals fairlearn's own for the same predictions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fairlearn import metrics as fm

import paretune as pt
from paretune.evaluate._bootstrap import CountScorer

FAIRLEARN = {
    "demographic_parity_difference": fm.demographic_parity_difference,
    "demographic_parity_ratio": fm.demographic_parity_ratio,
    "equalized_odds_difference": fm.equalized_odds_difference,
    "equalized_odds_ratio": fm.equalized_odds_ratio,
    "equal_opportunity_difference": fm.equal_opportunity_difference,
    "equal_opportunity_ratio": fm.equal_opportunity_ratio,
    "accuracy_difference": fm.accuracy_score_difference,
}


def _worst_group_accuracy(y: Any, pred: Any, sensitive_features: Any) -> float:
    from sklearn.metrics import accuracy_score

    frame = fm.MetricFrame(
        metrics=accuracy_score, y_true=y, y_pred=pred, sensitive_features=sensitive_features
    )
    return float(frame.group_min())


def _reference(name: str, y: Any, pred: Any, sf: Any) -> float:
    if name == "worst_group_accuracy":
        return _worst_group_accuracy(y, pred, sf)
    return float(FAIRLEARN[name](y, pred, sensitive_features=sf))


def test_every_figure_matches_fairlearn_on_real_predictions(credit: Any, fitted: Any) -> None:
    val = credit.validation
    names = list(pt.evaluate.CLASSIFIER_FAIRNESS)
    m = pt.evaluate.classifier(
        fitted, val.X, val.y, sensitive_features=val.sensitive, metrics=names, min_group_size=5
    )
    pred = fitted.predict(val.X)
    assert set(FAIRLEARN) | {"worst_group_accuracy"} == set(names)
    for name in names:
        # Headline: the intersection of both features; then each feature alone.
        assert m[name] == pytest.approx(_reference(name, val.y, pred, val.sensitive), abs=1e-12)
        for column in val.sensitive.columns:
            alone = val.sensitive[column].to_numpy()
            expected = _reference(name, val.y, pred, alone)
            assert m[f"{name}[{column}]"] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_bootstrap_counts_reproduce_fairlearn_on_the_original_rows(seed: int) -> None:
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = 500
    y = (rng.random(n) < 0.4).astype(int)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    proba = np.clip(pred * 0.7 + rng.random(n) * 0.3, 0, 1)
    sf = pd.DataFrame({"a": rng.choice(["x", "y", "z"], n), "b": rng.choice(["u", "v"], n)})
    names = [*pt.evaluate.CLASSIFIER_FAIRNESS, "accuracy", "f1", "balanced_accuracy", "roc_auc"]
    counted = CountScorer(y, pred, proba, sf, names)(np.arange(n))
    for name in pt.evaluate.CLASSIFIER_FAIRNESS:
        assert counted[name] == pytest.approx(_reference(name, y, pred, sf), abs=1e-12)
        expected = _reference(name, y, pred, sf["a"].to_numpy())
        assert counted[f"{name}[a]"] == pytest.approx(expected, abs=1e-12)
    full = pt.evaluate.classifier(_Fixed(pred, proba), np.zeros((n, 1)), y, metrics=names[-4:])
    for name in names[-4:]:
        assert counted[name] == pytest.approx(full[name], abs=1e-12)


class _Fixed:
    """A 'model' whose outputs are given: isolates the scoring from any training."""

    def __init__(self, pred: np.ndarray, proba: np.ndarray) -> None:
        self._pred, self._proba = pred, proba

    def predict(self, X: Any) -> np.ndarray:
        return self._pred[: len(X)]

    def predict_proba(self, X: Any) -> np.ndarray:
        p = self._proba[: len(X)]
        return np.column_stack([1 - p, p])


def test_by_group_table_counts_and_rates(credit: Any, fitted: Any) -> None:
    val = credit.validation
    m = pt.evaluate.classifier(
        fitted, val.X, val.y, sensitive_features=val.sensitive["sex9"], metrics=["accuracy"]
    )
    table = m.by_group["sex9"]
    assert sum(g["count"] for g in table.values()) == len(val)
    pred = fitted.predict(val.X)
    female = (val.sensitive["sex9"] == "female").to_numpy()
    assert table["female"]["accuracy"] == pytest.approx(np.mean(pred[female] == val.y[female]))
    assert table["female"]["selection_rate"] == pytest.approx(pred[female].mean())


def test_intersection_table_counts_every_pair_of_groups(credit: Any, fitted: Any) -> None:
    val = credit.validation
    m = pt.evaluate.classifier(
        fitted, val.X, val.y, sensitive_features=val.sensitive, metrics=["accuracy"],
        min_group_size=1,
    )  # fmt: skip
    key = " & ".join(val.sensitive.columns)
    expected = val.sensitive.astype(str).agg(" & ".join, axis=1).value_counts().to_dict()
    assert {g: row["count"] for g, row in m.by_group[key].items()} == expected
    for column in val.sensitive.columns:
        alone = val.sensitive[column].astype(str).value_counts().to_dict()
        assert {g: row["count"] for g, row in m.by_group[column].items()} == alone


def test_small_groups_warn_and_name_the_group(credit: Any, fitted: Any) -> None:
    val = credit.validation
    with pytest.warns(pt.exceptions.SmallGroupWarning, match=r"Housing15=\w+ \(\d+ rows\)"):
        pt.evaluate.classifier(
            fitted,
            val.X,
            val.y,
            sensitive_features=val.sensitive,
            metrics=["equalized_odds_difference"],
            min_group_size=30,
        )


def test_metricframe_gets_one_weighted_row_per_distinct_outcome() -> None:
    import pandas as pd

    from paretune.evaluate._fairness import _distinct_outcomes

    rng = np.random.default_rng(3)
    n = 2000
    y, pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    sf = pd.DataFrame({"a": rng.choice(["x", "y", "z"], n), "b": rng.choice(["u", "v"], n)})
    rows, weights = _distinct_outcomes(y, pred, sf)
    triples = [(sf["a"][i], sf["b"][i], y[i], pred[i]) for i in range(n)]
    expected = pd.Series(triples).value_counts()
    assert len(rows) == len(expected) <= 3 * 2 * 4
    assert {triples[i]: w for i, w in zip(rows, weights, strict=True)} == expected.to_dict()
