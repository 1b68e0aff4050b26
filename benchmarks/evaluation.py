"""Evaluation-layer benchmark: overhead against training time, latency stability, and
paretune's fairness figures against calling fairlearn's functions directly.

For each model family of ``paretune demo`` (its parameters at a middle setting), trained on
all of Adult's training split (encoded once, as the demo does):

* training seconds (the median of ``--timings`` fits);
* the demo's evaluation (accuracy, equalized-odds difference, p99 latency with the demo's
  protocol) and a full evaluation (every default metric, four fairness figures with the
  per-group table, robustness to noise at two strengths, default latency protocol), in
  seconds (the median of ``--timings`` calls) and as a share of training time;
* the same fairness figures from fairlearn's own functions (one call each), as a time
  ratio to paretune's (which shares one MetricFrame between figures), fastest of 3 each;
* p99 single-row latency measured ``--repeats`` times: its spread (max - min over the
  median) beside the noise the protocol reports;
* the median single-row p50 of the demo's model (its own ``ThresholdedClassifier``) beside
  the same model thresholded by scikit-learn's ``FixedThresholdClassifier`` (fitted alike);
* a second table: the same model fitted with the process's default thread pools (as an
  objective that does not limit them would), its training seconds beside the demo's (one
  BLAS thread), and its p99 measured right after that fit and one prediction of the
  validation rows, without the protocol's settle step (``settle_seconds=0``) and with it
  (median of ``--after-fit`` fits each), with the seconds each latency measurement took.

* a third table: where the demo's evaluation goes, each part timed alone (the median of
  ``--timings`` calls, with one BLAS thread as in the demo): paretune's fairness figures
  (one fairlearn ``MetricFrame``) on fixed predictions, the 100 single-row predictions
  behind the p99 (rows sliced beforehand), one prediction of the validation rows, and
  their sum as a share of training: the least the demo's evaluation can cost with
  fairlearn and a 100-call p99.

* with ``--stability N`` only: N back-to-back p99 measurements per model at 100, 200, 400
  and 1,000 single-row calls, their spread beside the protocol's noise figure, and the
  spread of the figures relative to the protocol's reference workload.

    python benchmarks/evaluation.py [--repeats 5] [--after-fit 5] [--timings 5]
    python benchmarks/evaluation.py --stability 20
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from typing import Any

import numpy as np

import paretune as pt
from harness.cli import make_parser
from harness.table import Column
from harness.table import Table
from harness.versions import version_stamp
from paretune.demo import _LATENCY
from paretune.demo import _Encoded
from paretune.demo import _fit
from paretune.demo import _one_blas_thread
from paretune.demo import build_model
from paretune.demo import evaluate_on_validation
from paretune.evaluate._fairness import classifier_fairness

FAMILIES = {
    "hgb": {"model": "hgb", "learning_rate": 0.1, "max_iter": 100, "max_leaf_nodes": 31,
            "l2": 1e-3, "threshold": 0.5},
    "logreg": {"model": "logreg", "C": 1.0, "threshold": 0.5},
    "mlp": {"model": "mlp", "hidden": 32, "alpha": 1e-3, "lr": 3e-3, "epochs": 12,
            "threshold": 0.5},
}  # fmt: skip
FAIRNESS = ["demographic_parity_difference", "equalized_odds_difference",
            "equal_opportunity_difference", "worst_group_accuracy"]  # fmt: skip
LIBRARIES = ("numpy", "scikit-learn", "fairlearn", "threadpoolctl")
"""Besides paretune: the libraries whose versions the stamp under the tables names."""
MODEL = Column("model", 7, align="<")
MAIN_TABLE = Table(
    MODEL, Column("train s", 8, ".2f"), Column("demo eval s", 12, ".3f"),
    Column("share", 7, ".1%"), Column("full eval s", 12, ".3f"), Column("share", 7, ".1%"),
    Column("fairlearn/pt", 13, lambda v: f"{v:.2f}x"), Column("p99 ms", 7, ".3f"),
    Column("spread", 7, ".1%"), Column("noise", 7, ".1%"), Column("p50 spread", 10, ".1%"),
    Column("p50 ms", 7, ".3f"), Column("sklearn FTC p50 ms", 18, ".3f"),
)  # fmt: skip
AFTER_FIT_TABLE = Table(
    MODEL, Column("train s", 8, ".2f"), Column("one BLAS thread s", 18, ".2f"),
    Column("p99 ms, no settle", 18, ".3f"), Column("p99 ms, settled", 16, ".3f"),
    Column("timing s, no settle", 20, ".3f"), Column("settled", 8, ".3f"),
)  # fmt: skip
FLOOR_TABLE = Table(
    MODEL, Column("demo eval", 10, ".1f"), Column("fairness", 9, ".1f"),
    Column("100 rows", 9, ".1f"), Column("val pred", 9, ".1f"), Column("sum", 7, ".1f"),
    Column("sum / train", 12, ".1%"),
)  # fmt: skip
STABILITY_TABLE = Table(
    MODEL, Column("calls", 6, "d"), Column("p99 ms", 7, ".3f"), Column("IQR/med", 8, ".1%"),
    Column("spread", 7, ".1%"), Column("noise", 6, ".1%"), Column("within", 7, ".0%"),
    Column("p50 spread", 10, ".1%"), Column("p50 IQR", 8, ".1%"),
    Column("p50/ref IQR", 11, ".1%"), Column("p99/ref IQR", 11, ".1%"),
    Column("s/measurement", 14, ".3f"),
)  # fmt: skip


def _median_timed(call: Any, repeats: int) -> tuple[float, Any]:
    """Median seconds of ``repeats`` calls, and the last call's result."""
    seconds, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = call()
        seconds.append(time.perf_counter() - start)
    return float(np.median(seconds)), out


def _timed(call: Any, repeats: int = 1) -> tuple[float, Any]:
    """Fastest of ``repeats`` calls, in seconds, and the last call's result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = call()
        best = min(best, time.perf_counter() - start)
    return best, out


def _fairlearn_direct(y: np.ndarray, pred: np.ndarray, sex: np.ndarray) -> dict[str, float]:
    from fairlearn import metrics as fm
    from sklearn.metrics import accuracy_score

    return {
        "demographic_parity_difference": fm.demographic_parity_difference(
            y, pred, sensitive_features=sex
        ),
        "equalized_odds_difference": fm.equalized_odds_difference(y, pred, sensitive_features=sex),
        "equal_opportunity_difference": fm.equal_opportunity_difference(
            y, pred, sensitive_features=sex
        ),
        "worst_group_accuracy": fm.MetricFrame(
            metrics=accuracy_score, y_true=y, y_pred=pred, sensitive_features=sex
        ).group_min(),
    }


def _sklearn_thresholded(data: _Encoded, params: dict[str, Any]) -> Any:
    """The demo's model for ``params`` thresholded by scikit-learn's FixedThresholdClassifier."""
    from sklearn.model_selection import FixedThresholdClassifier

    inner = build_model(params, seed=0).estimator  # the demo's unfitted model, same seed
    model = FixedThresholdClassifier(
        inner, threshold=params["threshold"], response_method="predict_proba"
    )
    return model.fit(data.x_train, data.y_train)


def _after_fit(data: _Encoded, fits: int, one_thread_s: dict[str, float]) -> None:
    """p99 measured right after a fit and a batch prediction with the default thread pools
    (what an objective that scores accuracy, then times latency, does), with the latency
    protocol's settle step and without it."""
    print(
        f"\nRight after a fit and a validation prediction with the default thread pools "
        f"(median of {fits} fits each)"
    )
    print(AFTER_FIT_TABLE.header())
    unsettled = dataclasses.replace(_LATENCY, settle_seconds=0.0)
    for family, params in FAMILIES.items():
        seconds: list[float] = []
        p99: dict[str, list[float]] = {"raw": [], "settled": []}
        timing_s: dict[str, list[float]] = {"raw": [], "settled": []}
        for key, protocol in (("raw", unsettled), ("settled", _LATENCY)):
            for _ in range(fits):
                start = time.perf_counter()
                model = build_model(params, seed=0).fit(data.x_train, data.y_train)
                seconds.append(time.perf_counter() - start)
                model.predict(data.x_val)
                start = time.perf_counter()
                report = pt.evaluate.measure_latency(
                    model, data.x_val, protocol, only=["latency_p99_ms"]
                )
                timing_s[key].append(time.perf_counter() - start)
                p99[key].append(report["latency_p99_ms"])
        print(AFTER_FIT_TABLE.row(
            family, np.median(seconds), one_thread_s[family], np.median(p99["raw"]),
            np.median(p99["settled"]), np.median(timing_s["raw"]),
            np.median(timing_s["settled"]),
        ))  # fmt: skip


def _floor(data: _Encoded, models: dict[str, Any], train_seconds: dict[str, float],
           demo_seconds: dict[str, float], timings: int) -> None:  # fmt: skip
    """The third table: the parts of the demo's evaluation timed alone (module docstring)."""
    val = data.data.validation
    y = np.asarray(val.y)
    rows = [data.x_val[i : i + 1] for i in range(_LATENCY.single_repeats)]
    print("\nWhere the demo's evaluation goes (ms, each part timed alone; "
          f"median of {timings} timings)")  # fmt: skip
    print(FLOOR_TABLE.header())
    for family, model in models.items():
        with _one_blas_thread():
            pred = model.predict(data.x_val)
            fair_s, _ = _median_timed(
                lambda p=pred: classifier_fairness(
                    y, p, val.sensitive, ["equalized_odds_difference"], full_table=False
                ),
                timings,
            )
            rows_s, _ = _median_timed(lambda m=model: [m.predict(r) for r in rows], timings)
            pred_s, _ = _median_timed(lambda m=model: m.predict(data.x_val), timings)
        total = fair_s + rows_s + pred_s
        print(FLOOR_TABLE.row(
            family, demo_seconds[family] * 1e3, fair_s * 1e3, rows_s * 1e3, pred_s * 1e3,
            total * 1e3, total / train_seconds[family],
        ))  # fmt: skip


def _iqr(values: np.ndarray) -> float:
    """Interquartile range over the median."""
    q1, q3 = np.percentile(values, [25, 75])
    return float((q3 - q1) / np.median(values))


def _spread(values: Any) -> float:
    """Largest minus smallest over the median."""
    values = np.asarray(values)
    return float((values.max() - values.min()) / np.median(values))


def _stability(data: _Encoded, measurements: int) -> None:
    """Does timing more single-row calls steady the p99? ``measurements`` back-to-back
    measurements per model and call count (batch part skipped), with the default protocol
    otherwise: the spread of p99 and p50 between them, the protocol's noise figure, the
    share of measurements whose p99 lies within its own noise figure of the median, and
    the interquartile range of the p50 and p99 relative to the protocol's reference
    workload (``latency_p50_relative``, ``latency_p99_relative``) beside the p50's."""
    print(
        f"\np99 stability against the number of single-row calls ({measurements} "
        "measurements each, back to back)"
    )
    print(STABILITY_TABLE.header())
    wanted = ["latency_p99_ms", "latency_p99_relative"]
    for family, params in FAMILIES.items():
        model = _fit(data, params, 1.0, 0)
        for calls in (100, 200, 400, 1000):
            protocol = pt.evaluate.LatencyProtocol(single_repeats=calls, max_seconds=5.0)
            start = time.perf_counter()
            reports = [
                pt.evaluate.measure_latency(model, data.x_val, protocol, only=wanted)
                for _ in range(measurements)
            ]
            seconds = (time.perf_counter() - start) / measurements
            p99, p50, noise, rel50, rel99 = (
                np.array([r[k] for r in reports])
                for k in ("latency_p99_ms", "latency_p50_ms", "latency_p99_noise",
                          "latency_p50_relative", "latency_p99_relative")
            )  # fmt: skip
            median = float(np.median(p99))
            within = float(np.mean(np.abs(p99 - median) <= noise * p99))
            print(STABILITY_TABLE.row(
                family, calls, median, _iqr(p99), _spread(p99), np.median(noise), within,
                _spread(p50), _iqr(p50), _iqr(rel50), _iqr(rel99), seconds,
            ))  # fmt: skip


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--after-fit", type=int, default=5)
    parser.add_argument(
        "--timings",
        type=int,
        default=1,
        metavar="N",
        help="training and evaluation seconds: the median of N timings (default: one each)",
    )
    parser.add_argument(
        "--stability",
        type=int,
        default=0,
        metavar="N",
        help="only the p99 stability table, N measurements per model and call count",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    data = _Encoded(pt.datasets.load_adult(), seed=0)
    if args.stability:
        _stability(data, args.stability)
        print(version_stamp(LIBRARIES))
        return
    val = data.data.validation
    sex = val.sensitive["sex"].to_numpy()
    print(f"Adult: {len(data.y_train)} training rows, {len(val)} validation rows\n")
    print(MAIN_TABLE.header())
    train_seconds: dict[str, float] = {}
    demo_seconds: dict[str, float] = {}
    models: dict[str, Any] = {}
    for family, params in FAMILIES.items():
        train_s, model = _median_timed(lambda p=params: _fit(data, p, 1.0, 0), args.timings)
        train_seconds[family], models[family] = train_s, model
        demo_s, _ = _median_timed(lambda m=model: evaluate_on_validation(data, m), args.timings)
        demo_seconds[family] = demo_s
        full_s, _ = _median_timed(lambda m=model: pt.evaluate.classifier(
            m, data.x_val, val.y, sensitive_features=val.sensitive,
            robustness=pt.evaluate.Robustness(noise=(0.1, 0.3), missing=()),
            metrics=[*pt.evaluate.DEFAULT_CLASSIFIER_METRICS, *FAIRNESS, "model_size_bytes",
                     "throughput_rows_per_s"]), args.timings)  # fmt: skip
        pred = model.predict(data.x_val)
        ours_s, ours = _timed(lambda m=model: pt.evaluate.classifier(
            m, data.x_val, val.y, sensitive_features=val.sensitive, metrics=FAIRNESS),
            repeats=3)  # fmt: skip
        direct_s, direct = _timed(lambda p=pred: _fairlearn_direct(val.y, p, sex), repeats=3)
        assert all(abs(ours[k] - direct[k]) < 1e-12 for k in FAIRNESS), (ours, direct)
        p50s, p99s, noises = [], [], []
        for _ in range(args.repeats):
            report = pt.evaluate.measure_latency(
                model, data.x_val, _LATENCY, only=["latency_p99_ms"]
            )
            p50s.append(report["latency_p50_ms"])
            p99s.append(report["latency_p99_ms"])
            noises.append(report["latency_p99_noise"])
        sklearn_model = _sklearn_thresholded(data, params)
        assert np.array_equal(sklearn_model.predict(data.x_val), pred)
        sklearn_p50s = [
            pt.evaluate.measure_latency(
                sklearn_model, data.x_val, _LATENCY, only=["latency_p50_ms"]
            )["latency_p50_ms"]
            for _ in range(args.repeats)
        ]
        print(MAIN_TABLE.row(
            family, train_s, demo_s, demo_s / train_s, full_s, full_s / train_s,
            direct_s / ours_s, np.median(p99s), _spread(p99s), np.median(noises),
            _spread(p50s), np.median(p50s), np.median(sklearn_p50s),
        ))  # fmt: skip
    _after_fit(data, args.after_fit, train_seconds)
    _floor(data, models, train_seconds, demo_seconds, args.timings)
    print(f"\nshare: evaluation seconds / training seconds (median of {args.timings} timings "
          "each); spread: (max - min) / median of the "
          f"p99 (p50) over {args.repeats} measurements with the demo's protocol; noise: the "
          "protocol's own p99 figure (median); p50 ms: median single-row p50 of the demo's "
          "model and of the same model behind sklearn's FixedThresholdClassifier.")  # fmt: skip
    print(version_stamp(LIBRARIES))


if __name__ == "__main__":
    main()
