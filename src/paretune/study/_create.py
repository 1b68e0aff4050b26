"""Creating, loading, listing and deleting studies."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from paretune._costs import DEFAULT_COST_UNIT
from paretune._costs import check_cost_unit
from paretune.constraints import ConstraintSpec
from paretune.constraints import ParamConstraint
from paretune.constraints import parse_constraints
from paretune.exceptions import DuplicatedStudyError
from paretune.exceptions import StudyIncompatibleError
from paretune.fidelity import Fidelity
from paretune.objectives import Direction
from paretune.objectives import parse_objectives
from paretune.samplers import AutoSampler
from paretune.samplers import BaseSampler
from paretune.schedulers import BaseScheduler
from paretune.schedulers import HyperbandScheduler
from paretune.storages import BaseStorage
from paretune.storages import StudyInfo
from paretune.storages import StudySummary
from paretune.storages import get_storage
from paretune.study._lease import lease_settings
from paretune.study._options import StudyOptions
from paretune.study._study import Study
from paretune.study._warm_start import WarmStartSource

__all__ = ["create_study", "delete_study", "list_studies", "load_study"]


def _default_sampler(seed: int | None) -> BaseSampler:
    return AutoSampler(seed=seed)


def _open(
    info: StudyInfo,
    backend: BaseStorage,
    sampler: BaseSampler | None,
    scheduler: BaseScheduler | None,
    seed: int | None,
    param_constraints: Sequence[ParamConstraint] | None,
    options: StudyOptions,
) -> Study:
    """Build the Study object; an explicit seed wins over the stored one."""
    effective_seed = seed if seed is not None else info.seed
    checks = tuple(param_constraints or ())
    for check in checks:
        if not callable(check):
            raise TypeError(
                f"`param_constraints` must hold functions of the parameters, got {check!r}."
            )
    if scheduler is not None and not isinstance(scheduler, BaseScheduler):
        raise TypeError(
            f"`scheduler` must be a paretune scheduler (pt.schedulers.*), got {scheduler!r}."
        )
    if scheduler is None and info.fidelity is not None:
        scheduler = HyperbandScheduler(skip_costly=True, safe_first=True)
    deterministic, warm = options.apply(info, backend)
    return Study(
        info=info,
        storage=backend,
        sampler=sampler if sampler is not None else _default_sampler(effective_seed),
        scheduler=scheduler,
        seed=effective_seed,
        param_constraints=checks,
        deterministic_objective=deterministic,
        warm_start=warm,
    )


def _check_seed(seed: int | None) -> None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"`seed` must be an integer or None, got {seed!r}.")


def _check_compatible(existing: StudyInfo, requested: StudyInfo) -> None:
    if existing.objectives != requested.objectives:
        raise StudyIncompatibleError(
            f"Study {existing.name!r} exists with objectives "
            f"{[(o.name, o.direction.value) for o in existing.objectives]}, but "
            f"{[(o.name, o.direction.value) for o in requested.objectives]} were requested; use "
            "the same objectives or another study name."
        )
    if existing.constraints != requested.constraints:
        raise StudyIncompatibleError(
            f"Study {existing.name!r} exists with constraints "
            f"{[str(c) for c in existing.constraints]}, but "
            f"{[str(c) for c in requested.constraints]} were requested; use the same "
            "constraints or another study name."
        )
    if requested.fidelity is not None and existing.fidelity != requested.fidelity:
        raise StudyIncompatibleError(
            f"Study {existing.name!r} exists with fidelity {existing.fidelity}, but "
            f"{requested.fidelity} was requested; use the same fidelity or another study name."
        )
    unit = requested.settings.get("cost_unit")
    stored = existing.settings.get("cost_unit", DEFAULT_COST_UNIT)
    if unit is not None and unit != stored:
        raise StudyIncompatibleError(
            f"Study {existing.name!r} exists with cost unit {stored!r}, but {unit!r} was "
            "requested; tell costs in the stored unit (leave cost_unit out) or use another "
            "study name."
        )


def create_study(
    *,
    objectives: Mapping[str, str | Direction],
    study_name: str | None = None,
    constraints: Mapping[str, ConstraintSpec] | None = None,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    scheduler: BaseScheduler | None = None,
    seed: int | None = None,
    load_if_exists: bool = False,
    user_attrs: Mapping[str, Any] | None = None,
    param_constraints: Sequence[ParamConstraint] | None = None,
    fidelity: Fidelity | None = None,
    deterministic_objective: bool | None = None,
    warm_start: Sequence[WarmStartSource] | None = None,
    heartbeat_interval: float | None = 10.0,
    grace: float = 60.0,
    max_retries: int = 0,
    cost_unit: str | None = None,
) -> Study:
    """Create a study, or with ``load_if_exists`` continue the one of that name.

    Args:
        objectives: Metric name -> ``"maximize"`` or ``"minimize"``.
        study_name: A unique name in the storage; None generates one.
        constraints: Metric name -> ``("<=", bound)`` or ``(">=", bound)``; a trial is
            feasible when all hold.
        storage: None (in memory), a URL (``sqlite:///runs.db``,
            ``postgresql+psycopg://user@host/db``) or a storage object.
        sampler: How parameters are proposed; None uses :class:`~paretune.samplers.AutoSampler`
            (a Sobol start, then Gaussian processes or TPE, whichever suits the study).
        scheduler: Decides which budget each trial trains at (with ``fidelity``) and which
            trials that report intermediate metrics stop early; None gives a study with a
            fidelity the BOHB-style :class:`~paretune.schedulers.HyperbandScheduler`, with
            ``skip_costly=True`` (rungs that cost too much for what they save stop judging)
            and ``safe_first=True`` (the full-budget bracket first).
        seed: Seeds the default sampler and every trial's ``seed``; the same seed gives the
            same sequence of configurations, also in a new process.
        load_if_exists: Continue an existing study of this name instead of raising.
        user_attrs: JSON values to attach to a new study.
        param_constraints: Known constraints on parameters, e.g.
            ``[lambda p: p["d_model"] % p["n_heads"] == 0]``. Each is checked as soon as the
            parameters it reads have been suggested; a value that breaks one is redrawn before
            anything is trained, and samplers that propose jointly skip invalid candidates.
            Not stored: pass them again to ``load_study``.
        fidelity: Make the study multi-fidelity: each trial trains at ``trial.budget``
            (epochs, data fraction, ...) chosen by the scheduler, and promising
            configurations come back from ``ask`` at higher budgets. Stored with the study.
        deterministic_objective: Whether the objective gives the same metrics for the same
            configuration, so that each configuration is evaluated once: no sampler's value
            repeats a configuration the study holds (evaluated, running or enqueued) until
            a discrete space is exhausted (then a ``RepeatedConfigurationWarning``). None:
            True for a new study, the stored setting for an existing one. Pass False for a
            noisy objective whose repeats you want. Stored with the study.
        warm_start: Studies whose complete trials the sampler also learns from, at a lower
            weight (TPE: 0.5 per trial): :class:`Study` objects or ``(study_name,
            storage)`` pairs, with the same objectives. They never join this study's
            trials or front. None: the stored sources for an existing study. Stored with
            the study; :func:`load_study` reopens them and warns about any that is gone.
        heartbeat_interval: Seconds between lease renewals of running trials (SQL
            storages; an in-memory study has one process and no lease). None: no leases,
            so a dead worker's trial stays running. Stored with the study.
        grace: Seconds without a renewal after which a running trial is reaped as
            ``worker_lost`` (see :meth:`Study.reap`); at least twice the interval.
        max_retries: How many times a reaped trial's parameters are queued again.
        cost_unit: The unit of the costs trials tell (``study.tell(..., cost=...)``,
            ``trial.report(..., cost=...)``), such as ``"s"``, ``"gpu_h"`` or ``"usd"``:
            told costs then drive ``max_cost``, the schedulers' cost rules and the fidelity
            report instead of wall-clock time. None: ``"s"`` for a new study, the stored
            unit for an existing one. Stored with the study (``settings["cost_unit"]``).

    Returns:
        The study.

    Raises:
        InvalidObjectiveError: On a bad objective or constraint declaration.
        StorageError: If the storage cannot be opened.
        DuplicatedStudyError: If the name is taken and ``load_if_exists`` is False.
        StudyIncompatibleError: If ``load_if_exists`` finds a study with other objectives,
            constraints or cost unit, or a warm-start source has other objectives.
        ValueError: On a bad lease setting or ``cost_unit``.
        StudyNotFoundError: If a warm-start source does not exist.

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(
        ...     objectives={"accuracy": "maximize", "eo_diff": "minimize"},
        ...     constraints={"latency_p99_ms": ("<=", 20.0)},
        ...     seed=0,
        ... )
        >>> [o.name for o in study.objectives]
        ['accuracy', 'eo_diff']
    """
    parsed_objectives = parse_objectives(objectives)
    parsed_constraints = parse_constraints(constraints)
    _check_seed(seed)
    name = study_name if study_name is not None else f"study-{uuid.uuid4().hex[:12]}"
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"`study_name` must be a non-empty string, got {study_name!r}.")
    unit = None if cost_unit is None else check_cost_unit(cost_unit)
    backend = get_storage(storage)
    requested = StudyInfo(
        -1, name, parsed_objectives, parsed_constraints, seed, 0.0, fidelity=fidelity,
        settings={} if unit is None else {"cost_unit": unit},
    )  # fmt: skip
    options = StudyOptions(
        info=requested,
        backend=backend,
        deterministic=deterministic_objective,
        warm_start=warm_start,
    )
    try:
        if fidelity is not None and not isinstance(fidelity, Fidelity):
            raise TypeError(
                f"`fidelity` must be a pt.Fidelity such as pt.Fidelity('epochs', 1, 81), "
                f"got {fidelity!r}."
            )
        settings = lease_settings(backend, heartbeat_interval, grace, max_retries)
        settings["cost_unit"] = unit or DEFAULT_COST_UNIT
        info = backend.create_study(
            name, parsed_objectives, parsed_constraints, seed, user_attrs, fidelity, settings
        )
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        info = backend.get_study(name)
        _check_compatible(info, requested)
    return _open(info, backend, sampler, scheduler, seed, param_constraints, options)


def load_study(
    *,
    study_name: str,
    storage: str | BaseStorage,
    sampler: BaseSampler | None = None,
    scheduler: BaseScheduler | None = None,
    seed: int | None = None,
    param_constraints: Sequence[ParamConstraint] | None = None,
    deterministic_objective: bool | None = None,
    warm_start: Sequence[WarmStartSource] | None = None,
) -> Study:
    """Load an existing study, e.g. in a second worker process.

    Args:
        study_name: The study's name.
        storage: Its storage URL or object.
        sampler: How parameters are proposed; None uses the default, seeded with the
            study's stored seed.
        scheduler: Early-stopping rule.
        seed: Overrides the stored seed for the default sampler and trial seeds.
        param_constraints: Known constraints on parameters (see :func:`create_study`).
        deterministic_objective: None keeps the stored setting; a bool replaces it (see
            :func:`create_study`).
        warm_start: None reopens the stored warm-start sources (one
            :class:`~paretune.exceptions.WarmStartWarning` per source that is gone, and the
            study goes on without it); a list replaces them.

    Returns:
        The study.

    Raises:
        StudyNotFoundError: If no study has that name (the message lists those that exist).
    """
    _check_seed(seed)
    backend = get_storage(storage)
    info = backend.get_study(study_name)
    options = StudyOptions(
        info=info, backend=backend, deterministic=deterministic_objective, warm_start=warm_start
    )
    return _open(info, backend, sampler, scheduler, seed, param_constraints, options)


def delete_study(*, study_name: str, storage: str | BaseStorage) -> None:
    """Delete a study and all its trials.

    Raises:
        StudyNotFoundError: If no study has that name.
    """
    get_storage(storage).delete_study(study_name)


def list_studies(*, storage: str | BaseStorage) -> list[StudySummary]:
    """List the studies in a storage with their trial counts by state, oldest first."""
    return get_storage(storage).list_studies()
