"""What the dashboard shows, read from a storage as JSON-ready dicts.

The HTML pages and the JSON endpoints are built from the same dicts, and the browser
re-renders the pages from the JSON, so the numbers are the stored ones everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from paretune.storages import BaseStorage
from paretune.storages import StudyInfo
from paretune.trial import TrialRecord
from paretune.trial import TrialState

__all__ = ["number_text", "studies_json", "study_json", "trial_json", "value_text"]


def number_text(value: float) -> str:
    """Write a number as JavaScript's ``String(value)`` does.

    The shortest text that reads back as the same float (Python's ``repr`` digits), with
    JavaScript's choice between plain and exponent notation, so that the tables the server
    renders and those the browser re-renders from JSON agree character for character.

    Args:
        value: An int or a float.

    Returns:
        E.g. ``"6"`` for ``6.0``, ``"0.001"``, ``"1e-7"``, ``"1e+21"``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(str(d) for d in digit_tuple)
    k = len(digits)
    n = exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if n > 0 else '-'}{abs(n - 1)}"


def value_text(value: Any) -> str:
    """Write a parameter or metric value as the browser does: strings as they are, numbers
    by :func:`number_text`, anything else as JSON (``true``, ``null``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return json.dumps(value)


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).isoformat(timespec="seconds")


def trial_json(record: TrialRecord) -> dict[str, Any]:
    """The fields of a trial the dashboard shows, values as stored."""
    return {
        "number": record.number,
        "state": record.state.value,
        "params": dict(record.params),
        "metrics": dict(record.metrics),
        "constraints": dict(record.constraints),
        "feasible": record.state is TrialState.COMPLETE and record.feasible,
        "budget": record.budget,
        "fail_kind": None if record.fail_kind is None else record.fail_kind.value,
        "fail_reason": record.fail_reason,
        "started_at": _iso(record.started_at_ts),
        "finished_at": _iso(record.finished_at_ts),
        "duration_s": record.duration,
    }


def _setup_json(info: StudyInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "objectives": [{"name": o.name, "direction": o.direction.value} for o in info.objectives],
        "constraints": [{**c.to_json(), "text": str(c)} for c in info.constraints],
        "fidelity": None
        if info.fidelity is None
        else {**info.fidelity.to_json(), "text": str(info.fidelity)},
        "created_at": _iso(info.created_at_ts),
    }


def _counts_json(counts: Mapping[TrialState, int], n_feasible: int) -> dict[str, Any]:
    return {
        "n_trials": sum(counts.values()),
        "counts": {state.value: counts.get(state, 0) for state in TrialState},
        "n_feasible": n_feasible,
    }


def _n_feasible(records: Iterable[TrialRecord]) -> int:
    return sum(1 for r in records if r.state is TrialState.COMPLETE and r.feasible)


def studies_json(storage: BaseStorage) -> list[dict[str, Any]]:
    """Every study of ``storage``, oldest first, with its set-up and trial counts.

    Each dict holds ``name``, ``objectives``, ``constraints``, ``fidelity``,
    ``created_at``, ``n_trials``, ``counts`` (every state, zeros included) and
    ``n_feasible`` (complete trials that satisfy every hard constraint).
    """
    result = []
    for summary in storage.list_studies():
        complete = storage.get_all_trials(summary.info.study_id, (TrialState.COMPLETE,))
        result.append(
            {**_setup_json(summary.info), **_counts_json(summary.counts, _n_feasible(complete))}
        )
    return result


def study_json(storage: BaseStorage, name: str) -> dict[str, Any] | None:
    """One study in full: set-up, counts, its Pareto front and every trial.

    The study is looked up by exact name in the storage's list, so no other text can
    select anything. Besides the keys of :func:`studies_json`: ``front`` (trial numbers,
    best first by the first objective), ``front_notice`` (why the front is empty, or None),
    ``metric_columns`` (objectives, then constrained metrics), ``param_columns`` (the
    front's parameters) and ``trials`` (:func:`trial_json` of each, by number).

    Args:
        storage: A storage; only its read methods are called.
        name: The study's name.

    Returns:
        The dict, or None when the storage has no study of that name.
    """
    from paretune.study import load_study

    info = next((s.info for s in storage.list_studies() if s.info.name == name), None)
    if info is None:
        return None
    study = load_study(study_name=name, storage=storage)
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    if study.fidelity is not None:  # the front holds full-budget trials only
        top = study.fidelity.high
        complete = [r for r in complete if r.budget is not None and np.isclose(r.budget, top)]
    notice = None
    front: list[TrialRecord] = []
    if any(r.feasible for r in complete):  # so pareto_front() has nothing to warn about
        front = study.pareto_front()
    elif complete:
        notice = (
            f"None of the {len(complete)} complete trials satisfies every constraint, so the "
            "front is empty."
        )
    else:
        notice = "No trial has completed yet."
    trials = study.trials  # read after the front: every front trial is among them
    first = study.objectives[0]
    front.sort(key=lambda r: (first.sign * r.metrics[first.name], r.number))
    objective_names = [o.name for o in study.objectives]
    constrained = [c.metric for c in study.constraints if c.metric not in objective_names]
    return {
        **_setup_json(info),
        **_counts_json(Counter(t.state for t in trials), _n_feasible(trials)),
        "front": [r.number for r in front],
        "front_notice": notice,
        "metric_columns": objective_names + list(dict.fromkeys(constrained)),
        "param_columns": sorted({p for r in front for p in r.params}),
        "trials": [trial_json(t) for t in trials],
    }
