"""Flatten trial records into rows: for DataFrames and CSV export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune.trial import TrialRecord

if TYPE_CHECKING:
    import pandas as pd


def trial_rows(records: Sequence[TrialRecord]) -> tuple[list[str], list[dict[str, Any]]]:
    """Flatten records into a column list and one dict per trial.

    Args:
        records: The trial records.

    Returns:
        ``(columns, rows)``; params, metrics, constraint violations and user attributes are
        spread into ``params.<name>``, ``metrics.<name>``, ``constraints.<metric>`` and
        ``user_attrs.<key>`` columns, missing values as None. Multi-fidelity studies get
        ``budget``, ``config`` and ``previous_trial`` columns after ``state``. ``cost``
        is the told cost (in the study's cost unit), None where none was told (its
        ``duration_s`` stands in: :mod:`paretune._costs`).
    """
    head = ["number", "state"]
    if any(r.placement is not None for r in records):
        head += ["budget", "config", "previous_trial"]
    groups: dict[str, list[str]] = {
        "params": [],
        "metrics": [],
        "constraints": [],
        "user_attrs": [],
    }
    for r in records:
        for group, mapping in (
            ("params", r.params),
            ("metrics", r.metrics),
            ("constraints", r.constraints),
            ("user_attrs", r.user_attrs),
        ):
            for key in mapping:
                if key not in groups[group]:
                    groups[group].append(key)
    tail = [
        "feasible",
        "started_at",
        "finished_at",
        "duration_s",
        "cost",
        "seed",
        "fail_reason",
        "fail_kind",
    ]
    columns = (
        head
        + [f"params.{k}" for k in groups["params"]]
        + [f"metrics.{k}" for k in groups["metrics"]]
        + [f"constraints.{k}" for k in groups["constraints"]]
        + tail
        + [f"user_attrs.{k}" for k in groups["user_attrs"]]
    )
    rows = []
    for r in records:
        row: dict[str, Any] = {"number": r.number, "state": r.state.value}
        if "budget" in head:
            row.update(
                budget=r.budget,
                config=r.config,
                previous_trial=None if r.placement is None else r.placement.previous_trial,
            )
        for group, mapping in (
            ("params", r.params),
            ("metrics", r.metrics),
            ("constraints", r.constraints),
            ("user_attrs", r.user_attrs),
        ):
            for key in groups[group]:
                row[f"{group}.{key}"] = mapping.get(key)
        started, finished = r.started_at, r.finished_at
        row.update(
            feasible=r.feasible if r.state.value == "complete" else None,
            started_at=started.isoformat() if started else None,
            finished_at=finished.isoformat() if finished else None,
            duration_s=r.duration,
            cost=r.cost,
            seed=r.seed,
            fail_reason=r.fail_reason,
            fail_kind=None if r.fail_kind is None else r.fail_kind.value,
        )
        rows.append(row)
    return columns, rows


def trials_to_dataframe(records: Sequence[TrialRecord]) -> pd.DataFrame:
    """Build the DataFrame of :meth:`Study.trials_dataframe` (times as UTC timestamps)."""
    import pandas as pd

    columns, rows = trial_rows(records)
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
