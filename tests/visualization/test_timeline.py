"""plot_timeline: one row per worker process, bars from start to finish, coloured by state."""

from __future__ import annotations

import datetime as dt
import time

import plotly.graph_objects as go

import paretune as pt
from paretune.visualization import plot_timeline
from tests.visualization._helpers import by_name
from tests.visualization._helpers import message_of


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).replace(tzinfo=None)


def test_one_row_per_worker_process() -> None:
    study = pt.create_study(study_name="workers", objectives={"loss": "minimize"})
    storage = study.storage
    study_id = storage.get_study(study.name).study_id
    start = time.time() - 100.0
    workers = [("node-b", 7), ("node-a", 1), ("node-a", 2)]
    for i in range(9):
        host, pid = workers[i % 3]
        storage.start_trial(
            study_id,
            seed_for=study.trial_seed,
            environment={"host": host, "pid": pid},
            now=start + i,
        )
    for number in range(8):
        if number % 4 == 3:
            study.tell(number, state="failed", fail_reason="out of memory")
        else:
            study.tell(number, {"loss": float(number)})
    before = time.time()
    fig = plot_timeline(study)
    assert all(isinstance(t, go.Bar) and t.orientation == "h" for t in fig.data)
    traces = by_name(fig)
    assert {k: len(t.y) for k, t in traces.items()} == {"complete": 6, "failed": 2, "running": 1}
    rows = {y for t in fig.data for y in t.y}
    assert rows == {"node-b:7", "node-a:1", "node-a:2"}
    assert list(fig.layout.yaxis.categoryarray) == ["node-a:2", "node-a:1", "node-b:7"]
    running = traces["running"]
    assert list(running.customdata) == [8]
    assert _utc(start + 8) == dt.datetime.fromisoformat(running.base[0])
    assert running.x[0] / 1000.0 >= before - (start + 8)
    assert "out of memory" in traces["failed"].text[0]
    assert "Trial 3</b> (failed)" in traces["failed"].text[0]


def test_a_study_run_in_one_process(constrained: pt.Study) -> None:
    fig = plot_timeline(constrained)
    assert len({y for t in fig.data for y in t.y}) == 1
    assert sum(len(t.y) for t in fig.data) == len(constrained.trials)
    assert fig.layout.xaxis.type == "date"


def test_empty_study_says_why(empty: pt.Study) -> None:
    assert message_of(plot_timeline(empty)) == "Study 'empty' has no started trials yet."
