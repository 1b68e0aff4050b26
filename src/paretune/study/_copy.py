"""Moving trials between studies: ``Study.add_trials`` and ``copy_study``.

Both write through the storage's ordinary trial methods: each trial is created running
(with its original start time, seed, environment and user attributes), gets its
parameters and intermediate reports, and is finished with its original state, outcome and
finish time. A trial written this way is never heartbeated, so no lease reaps it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paretune.exceptions import InvalidMetricsError
from paretune.storages import BaseStorage
from paretune.storages import get_storage
from paretune.study._outcome import evaluate_outcome
from paretune.trial import FailKind
from paretune.trial import Placement
from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.trial._repeat import TrialRepeat

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["add_trials", "copy_study"]

_Outcome = tuple[dict[str, float], dict[str, float]]


def _validated(study: Study, record: TrialRecord) -> _Outcome:
    """The record's metrics and violations under ``study``'s objectives and constraints.

    Raises:
        TypeError, ValueError, InvalidMetricsError: See :func:`add_trials`.
    """
    if not isinstance(record, TrialRecord):
        raise TypeError(f"add_trials takes TrialRecord objects, got {type(record).__name__}.")
    if not record.state.is_finished:
        raise ValueError(
            f"Trial {record.number} is {record.state.value}; add_trials takes finished trials "
            "(complete, stopped or failed)."
        )
    for name, value in record.params.items():
        distribution = record.distributions.get(name)
        if distribution is None or not distribution.contains(value):
            raise ValueError(
                f"Parameter {name!r}={value!r} of trial {record.number} lies outside its "
                f"distribution {distribution}; a record's parameters must come with theirs."
            )
    if record.state is not TrialState.COMPLETE:
        return evaluate_outcome(dict(record.metrics), (), ()).metrics, {}
    outcome = evaluate_outcome(dict(record.metrics), study.objectives, study.constraints)
    if outcome.problem is not None:
        raise InvalidMetricsError(
            f"Complete trial {record.number} cannot join study {study.name!r}: "
            f"{outcome.problem}. Its metrics must hold every objective and constrained metric "
            "of the study."
        )
    return outcome.metrics, outcome.violations


def add_trials(study: Study, records: Sequence[TrialRecord]) -> list[TrialRecord]:
    """Add finished trials of another study (or made by hand) to ``study``.

    Every record is checked before any is written: it must be finished (complete, stopped
    or failed); each parameter must have its distribution and lie in it, with a type and
    scale consistent with ``study``'s trials; a complete record's metrics must hold every
    objective and constrained metric of ``study``. The new trials get ``study``'s next
    numbers, in the order given; they keep parameters, distributions, state, metrics,
    intermediate reports, failure reason, kind and traceback, start and finish times, seed,
    environment and user attributes. Violations are recomputed under ``study``'s
    constraints. A placement is kept with its trial numbers mapped to the new numbers of
    trials added in the same call (a configuration's first trial missing from the call
    makes the trial its own configuration).

    Returns:
        The new records, in the order given.

    Raises:
        TypeError: If an item is not a :class:`~paretune.trial.TrialRecord`.
        ValueError: If a record is unfinished or a parameter lies outside its distribution.
        InvalidMetricsError: If a complete record lacks a metric ``study`` needs.
        ParameterConflictError: If a parameter's type or scale differs from ``study``'s.
    """
    outcomes = [_validated(study, r) for r in records]
    for record in records:
        for name, distribution in record.distributions.items():
            study._check_distribution(name, distribution)
    added: list[TrialRecord] = []
    numbers: dict[int, int] = {}
    for record, (metrics, violations) in zip(records, outcomes, strict=True):
        new = _write(study.storage, study._info.study_id, record, metrics, violations, numbers)
        numbers[record.number] = new.number
        added.append(new)
        if study._repeats is not None:
            study._repeats.told(new)
    return added


def _mapped(placement: Placement | None, numbers: Mapping[int, int]) -> Placement | None:
    if placement is None:
        return None
    previous = placement.previous_trial
    return dataclasses.replace(
        placement,
        config=numbers.get(placement.config, -1),
        previous_trial=None if previous is None else numbers.get(previous),
    )


def _write(
    storage: BaseStorage,
    study_id: int,
    record: TrialRecord,
    metrics: Mapping[str, float],
    violations: Mapping[str, float],
    numbers: Mapping[int, int],
) -> TrialRecord:
    """Write one finished ``record`` as a new trial of the study ``study_id``."""
    started = record.started_at_ts
    if started is None:
        started = record.finished_at_ts if record.finished_at_ts is not None else time.time()
    placement = _mapped(record.placement, numbers)
    new = storage.create_trial(
        study_id,
        state=TrialState.RUNNING,
        seed_for=lambda _number: record.seed,
        environment=dict(record.environment),
        enqueued_params=dict(record.enqueued_params),
        user_attrs=dict(record.user_attrs),
        now=started,
    )
    if placement is not None:
        if placement.config == -1:  # its first trial is not among those added: its own
            placement = dataclasses.replace(placement, config=new.number)
        storage.set_trial_placement(new.trial_id, placement)
    for name, value in record.params.items():
        storage.set_trial_param(new.trial_id, name, value, record.distributions[name])
    for step, reported in record.intermediate.items():
        at = record.report_times.get(step, started)
        storage.report_intermediate(new.trial_id, step, dict(reported), at, record.cost_at(step))
    finished = record.finished_at_ts if record.finished_at_ts is not None else started
    return storage.finish_trial(
        new.trial_id,
        state=record.state,
        metrics=dict(metrics),
        constraints=dict(violations),
        fail_reason=record.fail_reason,
        traceback=record.traceback,
        now=finished,
        fail_kind=record.fail_kind,
        cost=record.cost,
    )


def copy_study(
    from_study_name: str,
    to_study_name: str,
    *,
    from_storage: str | BaseStorage,
    to_storage: str | BaseStorage,
) -> Study:
    """Copy a study, trials and all, into a new study (in the same or another storage).

    The copy has the same objectives, constraints, fidelity, cost unit, seed and user
    attributes (warm-start sources included). Its trials keep their numbers, parameters,
    distributions, states, metrics, violations, intermediate reports, failures, times,
    told costs, seeds, environments, placements and user attributes, and re-evaluation
    repeats that finished are copied beside them. Waiting (enqueued) trials stay waiting. A trial
    running in the source when it is copied cannot finish in the copy, so it is copied as
    failed, of kind ``"unrelated"`` (samplers do not hold it against its configuration),
    with the reason ``"unrelated to the configuration: running in study <name> when it was
    copied"``. Lease settings are those ``create_study`` gives the destination storage.

    Args:
        from_study_name: The study to copy.
        to_study_name: The new study's name.
        from_storage: Where the study is (a URL or a storage object).
        to_storage: Where the copy goes (may be the same storage).

    Returns:
        The copy, loaded as :func:`~paretune.load_study` would.

    Raises:
        StudyNotFoundError: If the source does not exist.
        DuplicatedStudyError: If the destination name is taken.

    Examples:
        >>> import paretune as pt
        >>> storage = pt.storages.InMemoryStorage()
        >>> study = pt.create_study(objectives={"loss": "minimize"}, study_name="a",
        ...                         storage=storage, seed=0)
        >>> study.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1)}, n_trials=3)
        >>> copy = pt.copy_study("a", "b", from_storage=storage, to_storage=storage)
        >>> [t.params for t in copy.trials] == [t.params for t in study.trials]
        True
    """
    from paretune.study._create import create_study
    from paretune.study._create import load_study

    source = get_storage(from_storage)
    info = source.get_study(from_study_name)
    target = get_storage(to_storage)
    create_study(
        objectives={o.name: o.direction for o in info.objectives},
        constraints={c.metric: c for c in info.constraints},
        study_name=to_study_name,
        storage=target,
        seed=info.seed,
        user_attrs=dict(info.user_attrs),
        fidelity=info.fidelity,
        cost_unit=info.settings.get("cost_unit"),
    )
    copy = target.get_study(to_study_name)
    numbers: dict[int, int] = {}
    new_ids: dict[int, int] = {}
    for record in source.get_all_trials(info.study_id):
        new = _copy_one(target, copy.study_id, from_study_name, record, numbers)
        numbers[record.number] = new.number
        new_ids[record.number] = new.trial_id
    for repeat in source.get_repeats(info.study_id):
        if repeat.trial_number in new_ids and repeat.state.is_finished:
            _copy_repeat(target, copy.study_id, new_ids[repeat.trial_number], repeat)
    return load_study(study_name=to_study_name, storage=target)


def _copy_one(
    target: BaseStorage,
    study_id: int,
    source_name: str,
    record: TrialRecord,
    numbers: dict[int, int],
) -> TrialRecord:
    if record.state is TrialState.WAITING:
        return target.create_trial(
            study_id,
            state=TrialState.WAITING,
            seed_for=lambda _number: record.seed,
            enqueued_params=dict(record.enqueued_params),
            user_attrs=dict(record.user_attrs),
            placement=_mapped(record.placement, numbers),
            now=record.started_at_ts or time.time(),
        )
    if record.state is TrialState.RUNNING:
        record = dataclasses.replace(
            record,
            state=TrialState.FAILED,
            fail_kind=FailKind.UNRELATED,
            fail_reason=(
                f"unrelated to the configuration: running in study {source_name!r} when it "
                "was copied"
            ),
            metrics={},
            finished_at_ts=time.time(),
        )
    return _write(target, study_id, record, record.metrics, record.constraints, numbers)


def _copy_repeat(target: BaseStorage, study_id: int, trial_id: int, repeat: TrialRepeat) -> None:
    started = repeat.started_at_ts if repeat.started_at_ts is not None else time.time()
    claimed = target.claim_repeat(
        study_id,
        trial_id,
        repeat.index,
        seed=repeat.seed,
        environment=dict(repeat.environment),
        now=started,
    )
    if claimed is None:
        return
    complete = repeat.state is TrialState.COMPLETE
    target.finish_repeat(
        trial_id,
        repeat.index,
        metrics=dict(repeat.metrics) if complete else None,
        fail_reason=None if complete else (repeat.fail_reason or "failed"),
        now=repeat.finished_at_ts if repeat.finished_at_ts is not None else started,
    )
