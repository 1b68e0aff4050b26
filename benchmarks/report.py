"""Time to render a study's HTML report, for studies of up to 10,000 trials.

Builds in-memory studies (two objectives, a constraint, a conditional space, about 5%
failed trials; random sampling, so building is cheap), then times ``render_report`` and
each plot it draws. The goal: a study of 10,000 trials renders in under 10 s.

    python benchmarks/report.py [--trials 1000,10000] [--repeats 3]

Needs the ``plot`` extra (plotly).
"""

from __future__ import annotations

import statistics
import time
import warnings

import paretune as pt
from harness.cli import make_parser
from harness.table import Column
from harness.table import Table
from harness.versions import version_stamp
from paretune.report import _sections
from paretune.report import render_report


def _objective(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    family = trial.suggest_categorical("family", ["linear", "tree"])
    depth = trial.suggest_int("depth", 2, 12) if family == "tree" else 1
    if family == "tree" and depth > 11 and x > 0.5:
        raise RuntimeError("out of memory")
    return {"error": x + 0.01 * depth, "unfairness": (1 - x) ** 2 + lr, "latency": 0.5 * depth}


def build(n_trials: int) -> pt.Study:
    """A finished in-memory study of ``n_trials`` trials."""
    study = pt.create_study(
        study_name=f"report-{n_trials}",
        objectives={"error": "minimize", "unfairness": "minimize"},
        constraints={"latency": ("<=", 5.0)},
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.optimize(_objective, n_trials=n_trials, catch=(RuntimeError,))
    return study


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--trials", default="1000,10000", help="comma-separated study sizes")
    parser.add_argument("--repeats", type=int, default=3, help="timings per size (median)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.trials.split(",") if n]
    table = Table(Column("trials", 7), Column("report s", 9, ".2f"), Column("MB", 6, ".1f"))
    slowest: dict[int, str] = {}
    print("Time to render the HTML report (median of repeats)")
    print(table.header())
    for n in sizes:
        study = build(n)
        seconds, size = [], 0
        for _ in range(args.repeats):
            started = time.perf_counter()
            size = len(render_report(study))
            seconds.append(time.perf_counter() - started)
        print(table.row(n, statistics.median(seconds), size / 1e6))
        trials = study.get_trials()
        parts = []
        for anchor, _heading, applies, draw in _sections.PLOTS:
            if applies(study, trials):
                started = time.perf_counter()
                draw(study)
                parts.append((time.perf_counter() - started, anchor))
        slowest[n] = ", ".join(f"{a} {s:.2f}s" for s, a in sorted(parts, reverse=True)[:3])
    for n, text in slowest.items():
        print(f"slowest plots at {n} trials: {text}")
    print(version_stamp(["plotly", "numpy", "scipy"]))


if __name__ == "__main__":
    main()
