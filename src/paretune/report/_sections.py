"""The report's sections, each a function of the study returning HTML (or None to skip)."""

from __future__ import annotations

import collections
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from paretune.report._html import escape
from paretune.report._html import figure_div
from paretune.report._html import table
from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.trial._failures import failure_label

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["PLOTS", "failures", "fidelity", "front", "setup", "test_split"]


def setup(study: Study, trials: list[TrialRecord]) -> str:
    """Objectives, constraints, fidelity, search space, sampler, seed, environment, counts."""
    parts = [
        table(
            ["objective", "direction"],
            [[o.name, o.direction.value] for o in study.objectives],
            table_id="objectives",
        )
    ]
    if study.constraints:
        rows = [[c.metric, c.op, c.bound, "soft" if c.soft else "hard"] for c in study.constraints]
        parts.append(table(["constrained metric", "must be", "bound", "kind"], rows))
    if study.fidelity is not None:
        f = study.fidelity
        parts.append(f"<p>Fidelity: <b>{escape(f.name)}</b> from {f.low:g} to {f.high:g}.</p>")
    space: dict[str, tuple[str, int]] = {}
    for record in trials:
        for name, dist in record.distributions.items():
            text, count = space.get(name, (str(dist), 0))
            space[name] = (text, count + 1)
    if space:
        rows = [[name, text, count] for name, (text, count) in space.items()]
        parts.append(table(["parameter", "distribution", "trials with it"], rows))
    counts = collections.Counter(t.state.value for t in trials)
    facts: list[list[Any]] = [
        ["study", study.name],
        ["trials", ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"],
        [
            "feasible complete trials",
            sum(t.state is TrialState.COMPLETE and t.feasible for t in trials),
        ],
        ["sampler (as loaded)", type(study.sampler).__name__],
        ["scheduler", type(study.scheduler).__name__ if study.scheduler is not None else "none"],
        ["seed", "none" if study.seed is None else study.seed],
    ]
    env = trials[0].environment if trials else {}
    for key in ("host", "python", "platform"):
        if key in env:
            facts.append([f"first worker's {key}", env[key]])
    packages = env.get("packages")
    if isinstance(packages, dict) and packages:
        facts.append(["packages", ", ".join(f"{k} {v}" for k, v in sorted(packages.items()))])
    parts.append(table(["", ""], facts, table_id="facts"))
    return "".join(parts)


def front(study: Study, trials: list[TrialRecord]) -> str | None:
    """The feasible Pareto front as a table: metrics, then parameters."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        members = study.pareto_front()
    if not members:
        return "<p>No feasible complete trial yet, so no front.</p>"
    objectives = [o.name for o in study.objectives]
    metrics = objectives + [c.metric for c in study.constraints if c.metric not in objectives]
    params = sorted({p for t in members for p in t.params})
    first = study.objectives[0]
    members = sorted(members, key=lambda t: first.sign * t.metrics[first.name])
    rows = [
        [t.number, *[t.metrics.get(m) for m in metrics], *[t.params.get(p) for p in params]]
        for t in members
    ]
    note = (
        f'<p class="note">{len(members)} trials that no other feasible trial beats in every '
        f"objective, sorted by {escape(first.name)}.</p>"
    )
    html = note + table(["trial", *metrics, *params], rows, table_id="front")
    summaries = [s for t in members if (s := study.repeat_summary(t.number)) is not None]
    if summaries:
        cells = [[s.trial_number, s.n, *(s.cell(m) for m in metrics)] for s in summaries]
        html += (
            '<p class="note">Re-evaluated front trials: mean and 95% interval over their '
            "repeats (study.reevaluate).</p>"
        ) + table(["trial", "repeats", *metrics], cells, table_id="repeats")
    return html


def failures(study: Study, trials: list[TrialRecord]) -> str | None:
    """Failed trials counted by kind, with the first reason of each."""
    failed = [t for t in trials if t.state is TrialState.FAILED]
    if not failed:
        return None
    kinds: collections.Counter[str] = collections.Counter()
    first: dict[str, TrialRecord] = {}
    for record in failed:
        label = failure_label(record)
        kinds[label] += 1
        first.setdefault(label, record)
    rows = [
        [label, n, first[label].number, first[label].fail_reason or ""]
        for label, n in kinds.most_common()
    ]
    return table(["kind", "trials", "first trial", "its reason"], rows, table_id="failures")


def fidelity(study: Study, trials: list[TrialRecord]) -> str | None:
    """The cross-fidelity calibration table, for studies with rungs."""
    from paretune.schedulers._rungs import RungScheduler

    if not isinstance(study.scheduler, RungScheduler) or not trials:
        return None
    if study.fidelity is None and study.scheduler.min_resource is None:
        return None
    from paretune.analysis import fidelity_report

    report = fidelity_report(study, warn=False)
    return f"<pre>{escape(str(report))}</pre>"


def test_split(study: Study, trials: list[TrialRecord]) -> str | None:
    """The stored one-off evaluation of the front on the test split, with intervals."""
    from paretune.analysis import TEST_EVALUATION_KEY

    rows_in = study.user_attrs.get(TEST_EVALUATION_KEY)
    if not rows_in:
        return None
    metrics = sorted(
        {m for row in rows_in for m in row.get("validation", {})}
        & {m for row in rows_in for m in row.get("test", {})}
    )
    header = ["trial"]
    for m in metrics:
        header += [f"{m} (validation)", f"{m} (test)", f"{m} test interval"]
    rows: list[list[Any]] = []
    for row in rows_in:
        line: list[Any] = [row["trial"]]
        for m in metrics:
            low_high = row.get("intervals", {}).get(m)
            interval = f"[{low_high[0]:.4g}, {low_high[1]:.4g}]" if low_high else ""
            line += [row["validation"].get(m), row["test"].get(m), interval]
        rows.append(line)
    level = rows_in[0].get("confidence")
    note = (
        f'<p class="note">Measured once, after the search; intervals are '
        f"{escape(level)} bootstrap intervals.</p>"
        if level is not None
        else ""
    )
    return note + table(header, rows, table_id="test-split")


def _plot(name: str) -> Callable[[Study], str]:
    def draw(study: Study) -> str:
        from paretune import visualization

        figure = getattr(visualization, name)(study)
        return figure_div(f"plot-{name}", figure.to_json())

    return draw


def _has_constraints(study: Study, trials: list[TrialRecord]) -> bool:
    return bool(study.constraints)


def _has_groups(study: Study, trials: list[TrialRecord]) -> bool:
    return any("evaluation" in t.user_attrs for t in trials)


def _has_rungs(study: Study, trials: list[TrialRecord]) -> bool:
    return fidelity(study, trials) is not None


def _enough_for_importance(study: Study, trials: list[TrialRecord]) -> bool:
    complete = [t for t in trials if t.state is TrialState.COMPLETE and t.params]
    return len(complete) >= 5 and len({p for t in complete for p in t.params}) >= 1


def _always(study: Study, trials: list[TrialRecord]) -> bool:
    return True


PLOTS: list[tuple[str, str, Callable[[Study, list[TrialRecord]], bool], Callable[[Study], str]]] = [
    ("pareto", "Pareto front", _always, _plot("plot_pareto_front")),
    ("hypervolume", "Hypervolume over trials", _always, _plot("plot_hypervolume_history")),
    ("constraints", "Constraints", _has_constraints, _plot("plot_constraints")),
    ("parameters", "Parameters", _always, _plot("plot_parallel_coordinate")),
    ("importance", "What drove the results", _enough_for_importance, _plot("plot_importance")),
    ("groups", "Per-group metrics of the front", _has_groups, _plot("plot_group_metrics")),
    ("fidelity-plot", "Cheap budgets against the full one", _has_rungs, _plot("plot_fidelity")),
    ("timeline", "Trials over time", _always, _plot("plot_timeline")),
]
"""``(anchor, heading, applies(study, trials), draw(study))`` per plot, in report order."""
