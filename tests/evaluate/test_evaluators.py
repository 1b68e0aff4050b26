"""Predictive, calibration, robustness, latency, repeats and the test-set step."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

import paretune as pt


def test_predictive_and_calibration_figures_match_sklearn(credit: Any, fitted: Any) -> None:
    val = credit.validation
    m = pt.evaluate.classifier(fitted, val.X, val.y, metrics=None)
    pred, proba = fitted.predict(val.X), fitted.predict_proba(val.X)[:, 1]
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(val.y, pred))
    assert m["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(val.y, pred))
    assert m["f1"] == pytest.approx(skm.f1_score(val.y, pred))
    assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(val.y, proba))
    assert m["log_loss"] == pytest.approx(skm.log_loss(val.y, proba))
    assert m["brier_score"] == pytest.approx(skm.brier_score_loss(val.y, proba))
    assert 0 < m["expected_calibration_error"] < 0.3
    assert set(m) == set(pt.evaluate.DEFAULT_CLASSIFIER_METRICS)


def test_expected_calibration_error_by_hand() -> None:
    y = np.array([1, 0, 1, 1, 0, 0])
    p = np.array([0.9, 0.9, 0.9, 0.1, 0.1, 0.1])
    # Two bins of three: |2/3 - 0.9| and |1/3 - 0.1|, each weighted 1/2.
    expected = 0.5 * abs(2 / 3 - 0.9) + 0.5 * abs(1 / 3 - 0.1)
    assert pt.evaluate.expected_calibration_error(y, p, n_bins=10) == pytest.approx(expected)
    assert pt.evaluate.expected_calibration_error(y, y.astype(float)) == 0.0


def test_threshold_changes_predictions(credit: Any, fitted: Any) -> None:
    val = credit.validation
    low = pt.evaluate.classifier(fitted, val.X, val.y, metrics=["recall"], threshold=0.05)
    high = pt.evaluate.classifier(fitted, val.X, val.y, metrics=["recall"], threshold=0.95)
    assert low["recall"] == pytest.approx(1.0, abs=0.02) and high["recall"] < 0.5


def test_robustness_degrades_with_noise_and_reports_slices(credit: Any, fitted: Any) -> None:
    val = credit.validation
    young = (val.X["Age13"] < 30).to_numpy()
    robust = pt.evaluate.Robustness(noise=(0.05, 3.0), missing=(0.2,), flips=(0.3,),
                                    slices={"young": young})  # fmt: skip
    m = pt.evaluate.classifier(fitted, val.X, val.y, metrics=["accuracy"], robustness=robust)
    keys = {"accuracy_noise_0.05", "accuracy_noise_3", "accuracy_missing_0.2",
            "accuracy_flip_0.3", "accuracy_slice[young]", "worst_case_accuracy"}  # fmt: skip
    assert keys <= set(m)
    assert m["accuracy_noise_3"] < m["accuracy_noise_0.05"]
    pred = fitted.predict(val.X)
    assert m["accuracy_slice[young]"] == pytest.approx(np.mean(pred[young] == val.y[young]))
    assert m["worst_case_accuracy"] == min(m[k] for k in keys - {"worst_case_accuracy"})


def test_perturbations_are_seeded_and_touch_the_right_columns(credit: Any) -> None:
    X = credit.validation.X
    robust = pt.evaluate.Robustness(noise=(0.5,), missing=(0.1,), flips=(0.5,), seed=3)
    first, again = pt.evaluate.perturbations(X, robust), pt.evaluate.perturbations(X, robust)
    for key in first:
        assert first[key].equals(again[key])
    noisy = first["noise_0.5"]
    assert not np.allclose(noisy["Age13"], X["Age13"])
    assert (noisy["Purpose4"] == X["Purpose4"]).all()  # categorical left alone by noise
    flipped = first["flip_0.5"]
    changed = (flipped["Purpose4"] != X["Purpose4"]).mean()
    assert 0.3 < changed < 0.7 and set(flipped["Purpose4"]) <= set(X["Purpose4"])
    missing = first["missing_0.1"]
    assert 0.05 < missing.isna().to_numpy().mean() < 0.15


def test_an_array_gets_the_same_noise_as_the_same_columns_in_a_frame() -> None:
    # Arrays take one draw for all columns; it must equal the column-by-column draws.
    X = np.random.default_rng(0).normal(size=(50, 4)) * [1.0, 10.0, 0.0, 3.0]
    robust = pt.evaluate.Robustness(noise=(0.2, 1.0), missing=(), flips=(), seed=5)
    from_array = pt.evaluate.perturbations(X, robust)
    from_frame = pt.evaluate.perturbations(pd.DataFrame(X, columns=list("abcd")), robust)
    for key in ("noise_0.2", "noise_1"):
        assert np.array_equal(from_array[key], from_frame[key].to_numpy())
    assert np.array_equal(from_array["noise_1"][:, 2], X[:, 2])  # no spread, no noise
    assert np.std(from_array["noise_1"][:, 1] - X[:, 1]) == pytest.approx(10.0, rel=0.3)


def test_noise_is_one_seeded_normal_draw_per_column_bit_for_bit() -> None:
    # The documented definition written out: per column, in column order, strength after
    # strength, one normal draw scaled by the column's spread.
    X = np.random.default_rng(1).normal(size=(6000, 86))
    robust = pt.evaluate.Robustness(noise=(0.1, 0.3), missing=(), flips=(), seed=7)
    rng = np.random.default_rng(7)
    for strength in (0.1, 0.3):
        expected = X.copy()
        for j in range(X.shape[1]):
            scale = strength * np.nanstd(X[:, j])
            expected[:, j] = X[:, j] + rng.normal(scale=scale, size=len(X))
        assert np.array_equal(pt.evaluate.perturbations(X, robust)[f"noise_{strength:g}"], expected)


def test_model_failing_on_missing_values_gets_a_clear_error(credit: Any) -> None:
    from sklearn.linear_model import LogisticRegression

    pre = credit.preprocessor().fit(credit.train.X)
    X = pre.transform(credit.validation.X)
    model = LogisticRegression(max_iter=500).fit(pre.transform(credit.train.X), credit.train.y)
    with pytest.raises(pt.exceptions.EvaluationInputError, match=r"imputer.*missing=\(\)"):
        pt.evaluate.classifier(model, X, credit.validation.y, metrics=["accuracy"],
                               robustness=pt.evaluate.Robustness())  # fmt: skip
    ok = pt.evaluate.classifier(model, X, credit.validation.y, metrics=["accuracy"],
                                robustness=pt.evaluate.Robustness(missing=()))  # fmt: skip
    assert "accuracy_noise_0.1" in ok and "accuracy_flip_0.1" not in ok  # arrays: no categories


def test_latency_report(credit: Any, fitted: Any) -> None:
    val = credit.validation
    protocol = pt.evaluate.LatencyProtocol(single_repeats=50, batch_repeats=3, batch_size=100,
                                           measure_memory=True)  # fmt: skip
    m = pt.evaluate.classifier(fitted, val.X, val.y, metrics=["latency_p99_ms", "model_size_bytes",
                               "peak_memory_mb"], latency=protocol)  # fmt: skip
    assert set(m.details["latency"]) == {
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
        "latency_p99_noise",
        "model_size_bytes",
        "peak_memory_mb",
    }  # only the parts asked for
    report = pt.evaluate.measure_latency(fitted, val.X, protocol)
    assert set(report) == set(pt.evaluate.LATENCY_METRICS)
    assert 0 < report["latency_p50_ms"] <= report["latency_p95_ms"] <= report["latency_p99_ms"]
    assert report["batch_latency_p50_ms"] > 0 and report["throughput_rows_per_s"] > 0
    assert report["latency_p99_noise"] >= 0
    assert report["latency_reference_ms"] > 0
    assert report["latency_p50_relative"] == pytest.approx(
        report["latency_p50_ms"] / report["latency_reference_ms"]
    )
    assert report["latency_p99_relative"] == pytest.approx(
        report["latency_p99_ms"] / report["latency_reference_ms"]
    )
    assert report["model_size_bytes"] == len(pickle.dumps(fitted, protocol=5))
    assert m["peak_memory_mb"] > 0
    assert set(m) == {"latency_p99_ms", "model_size_bytes", "peak_memory_mb"}


class _ThreadRecorder:
    """A model whose predict records how many BLAS threads numpy may use at that moment."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def predict(self, X: Any) -> np.ndarray:
        from threadpoolctl import threadpool_info

        self.seen |= {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}
        return np.zeros(len(X))


def test_relative_latency_times_the_reference_workload_only_when_asked() -> None:
    X = np.zeros((20, 3))
    quick = pt.evaluate.LatencyProtocol(single_repeats=10, warmup=1, settle_seconds=0)
    model = _CallLog()
    m = pt.evaluate.regressor(model, X, np.zeros(20), metrics=["latency_p99_relative"],
                              latency=quick)  # fmt: skip
    assert set(m) == {"latency_p99_relative"}
    report = m.details["latency"]
    assert {"latency_reference_ms", "latency_p50_relative"} <= set(report)
    assert m["latency_p99_relative"] == pytest.approx(
        report["latency_p99_ms"] / report["latency_reference_ms"]
    )
    assert model.rows.count(1) == 1 + 10  # the reference calls are not the model's


def test_latency_is_timed_with_the_protocols_thread_limit() -> None:
    from threadpoolctl import threadpool_info
    from threadpoolctl import threadpool_limits

    X = np.zeros((20, 3))
    quick = {"single_repeats": 5, "batch_repeats": 1, "warmup": 1}
    with threadpool_limits(limits=2, user_api="blas"):
        before = {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}
        limited, untouched = _ThreadRecorder(), _ThreadRecorder()
        pt.evaluate.measure_latency(limited, X, pt.evaluate.LatencyProtocol(**quick))
        pt.evaluate.measure_latency(
            untouched, X, pt.evaluate.LatencyProtocol(**quick, threads=None)
        )
        after = {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}
    assert limited.seen == {1}
    assert untouched.seen == before
    assert after == before  # the limit is lifted after timing
    with pytest.raises(ValueError, match="threads must be >= 1"):
        pt.evaluate.LatencyProtocol(threads=0)


class _CallLog:
    """A constant classifier that logs how many rows each ``predict`` call got."""

    def __init__(self) -> None:
        self.rows: list[int] = []

    def predict(self, X: Any) -> np.ndarray:
        self.rows.append(len(X))
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize("evaluate", [pt.evaluate.classifier, pt.evaluate.regressor])
def test_latency_is_timed_before_the_evaluations_own_predictions(evaluate: Any) -> None:
    X, y = np.zeros((40, 2)), np.arange(40) % 2
    model = _CallLog()
    quick = pt.evaluate.LatencyProtocol(single_repeats=5, warmup=1, settle_seconds=0)
    evaluate(model, X, y, metrics=["latency_p99_ms"], latency=quick)
    # a prediction of all rows (which may leave a thread pool spinning) comes last
    assert model.rows[-1] == 40
    assert set(model.rows[:-1]) == {1}
    assert len(model.rows) == 1 + 5 + 1  # warm-up, timed calls, the validation prediction


def test_regressor_metrics_and_fairness(credit: Any) -> None:
    from fairlearn.metrics import MetricFrame
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    train, val = credit.train, credit.validation
    target = "Creditamount5"
    model = make_pipeline(credit.preprocessor(), Ridge())
    model.fit(train.X.assign(**{target: 0}), train.X[target])
    X = val.X.assign(**{target: 0})
    m = pt.evaluate.regressor(model, X, val.X[target], sensitive_features=val.sensitive["sex9"],
                              robustness=pt.evaluate.Robustness(noise=(0.5,), missing=(),
                                                                flips=()))  # fmt: skip
    pred = model.predict(X)
    assert m["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(val.X[target], pred)))
    assert m["mae"] == pytest.approx(skm.mean_absolute_error(val.X[target], pred))
    frame = MetricFrame(metrics=skm.mean_absolute_error, y_true=val.X[target], y_pred=pred,
                        sensitive_features=val.sensitive["sex9"])  # fmt: skip
    assert m["mae_difference"] == pytest.approx(frame.difference())
    assert m["worst_group_mae"] == pytest.approx(frame.group_max())
    assert m["worst_case_rmse"] >= m["rmse_noise_0.5"]


def test_repeat_gives_mean_and_t_interval() -> None:
    from scipy import stats

    values = [0.80, 0.82, 0.81, 0.79]
    summary = pt.evaluate.repeat(lambda seed: {"accuracy": values[seed]}, seeds=range(4))
    mean, sd = np.mean(values), np.std(values, ddof=1)
    half = stats.t.ppf(0.975, 3) * sd / 2
    assert summary["accuracy"] == pytest.approx(mean)
    assert summary["accuracy_std"] == pytest.approx(sd)
    assert summary.intervals["accuracy"] == pytest.approx((mean - half, mean + half))
    with pytest.raises(ValueError, match="at least two seeds"):
        pt.evaluate.repeat(lambda s: {"a": 1.0}, seeds=[0])


def test_repeat_over_real_training_seeds(credit: Any) -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline

    def once(seed: int) -> dict[str, float]:
        forest = RandomForestClassifier(n_estimators=20, random_state=seed)
        model = make_pipeline(credit.preprocessor(), forest)
        model.fit(credit.train.X, credit.train.y)
        return pt.evaluate.classifier(model, credit.validation.X, credit.validation.y,
                                      metrics=["accuracy"])  # fmt: skip

    summary = pt.evaluate.repeat(once, seeds=range(3))
    low, high = summary.intervals["accuracy"]
    assert low < summary["accuracy"] < high and summary["accuracy_std"] > 0


def test_tell_stores_the_breakdown_with_the_trial(credit: Any, fitted: Any) -> None:
    study = pt.create_study(objectives={"accuracy": "maximize", "equalized_odds_difference":
                                        "minimize"})  # fmt: skip
    val = credit.validation
    trial = study.ask()
    m = pt.evaluate.classifier(fitted, val.X, val.y, sensitive_features=val.sensitive["sex9"],
                               metrics=["accuracy", "equalized_odds_difference"])  # fmt: skip
    record = study.tell(trial, m)
    assert record.metrics == dict(m)
    stored = record.user_attrs["evaluation"]["by_group"]["sex9"]
    assert stored["female"]["count"] + stored["male"]["count"] == len(val)


def test_test_front_refits_and_gives_bootstrap_intervals(credit: Any, tmp_path: Any) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    url = f"sqlite:///{tmp_path}/front.db"
    study = pt.create_study(study_name="credit", storage=url, seed=0, objectives={
        "accuracy": "maximize", "equalized_odds_difference": "minimize"})  # fmt: skip

    def fit(params: Any) -> Any:
        model = make_pipeline(credit.preprocessor(), LogisticRegression(C=params["C"],
                                                                       max_iter=500))  # fmt: skip
        return model.fit(credit.train.X, credit.train.y)

    val = credit.validation

    def objective(trial: pt.Trial) -> dict[str, float]:
        model = fit({"C": trial.suggest_float("C", 1e-3, 10, log=True)})
        return pt.evaluate.classifier(
            model,
            val.X,
            val.y,
            sensitive_features=val.sensitive["sex9"],
            metrics=["accuracy", "equalized_odds_difference"],
        )

    study.optimize(objective, n_trials=6)
    with pytest.raises(pt.exceptions.TestSetAccessError, match="after optimize"):
        study.optimize(lambda t: credit.test_split(), n_trials=1, catch=())
    test = credit.test_split()
    report = pt.analysis.test_front(study, lambda r: fit(r.params), test.X, test.y,
                                    sensitive_features=test.sensitive["sex9"],
                                    n_resamples=100)  # fmt: skip
    assert [r.trial_number for r in report.results] == [t.number for t in study.pareto_front()]
    for r in report.results:
        low, high = r.test.intervals["accuracy"]
        assert low < r.test["accuracy"] < high and high - low < 0.2
        # A gap is a max over groups: its resampled values sit mostly above the point.
        low, high = r.test.intervals["equalized_odds_difference"]
        assert low <= high and low <= r.test["equalized_odds_difference"] + 0.05
    frame = report.to_frame()
    assert {"test_accuracy_low", "val_accuracy"} <= set(frame.columns)
    stored = pt.load_study(study_name="credit", storage=url).user_attrs["test_evaluation"]
    assert stored[0]["trial"] == report.results[0].trial_number


def test_test_front_predicts_once_per_trial(credit: Any) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.pipeline import make_pipeline

    calls: list[int] = []

    class CountingPipeline(Pipeline):
        def predict(self, X: Any, **params: Any) -> Any:
            calls.append(len(X))
            return super().predict(X, **params)

        def predict_proba(self, X: Any, **params: Any) -> Any:
            calls.append(len(X))
            return super().predict_proba(X, **params)

    def fit(params: Any) -> Any:
        steps = make_pipeline(credit.preprocessor(), LogisticRegression(C=params["C"])).steps
        return CountingPipeline(steps).fit(credit.train.X, credit.train.y)

    study = pt.create_study(objectives={"accuracy": "maximize", "roc_auc": "maximize"})
    for c in (0.01, 1.0):
        study.enqueue({"C": c})
        trial = study.ask()
        trial.suggest_float("C", 1e-3, 10.0, log=True)
        study.tell(trial, {"accuracy": 0.7 + c / 10, "roc_auc": 0.8 - c / 10})
    test = credit.test_split()
    report = pt.analysis.test_front(study, lambda r: fit(r.params), test.X, test.y,
                                    n_resamples=20)  # fmt: skip
    assert len(report.results) == 2
    # roc_auc needs scores: one predict_proba per trial serves the point figures, the
    # 0/1 predictions and the bootstrap.
    assert calls.count(len(test.y)) == 2 * 2  # predict and predict_proba, once per trial
