"""Warm start: a study's samplers also learn from other studies' complete trials.

``create_study(warm_start=[...])`` names *sources*: studies (objects) or ``(name, storage)``
pairs. Each must have the same objectives (names and directions) as the new study. Their
complete trials (in a source with a fidelity, those at its full budget) are shown to the
sampler after the study's own, in :meth:`~paretune.study.Study.trials_for_sampler`:

* renumbered ``-1, -2, ...`` (sources in the order given, each in trial order), so they
  never collide with the study's own trial numbers in samplers' caches;
* without placement (no budget), with the source and number in the user attribute
  :data:`~paretune._warm.WARM_START_ATTR`;
* with their constraint violations recomputed under the *new* study's constraints from
  their metrics; a trial lacking a metric the new study needs is left out.

They are read once per process, on the sampler's first request, and never written to the
new study: they do not appear in its trials, its front or its counts.

The sources are stored in the study's user attribute :data:`ATTR` as ``{"study_name",
"storage"}`` entries: ``storage`` is ``""`` for the study's own storage, a database URL
(SQLite paths made absolute), or None when the source cannot be reopened from another
process (an in-memory storage other than the study's, or a URL with a password, which is
never stored). :func:`~paretune.load_study` reopens them; a source that is gone (deleted,
unreachable, or stored as None) gives one :class:`~paretune.exceptions.WarmStartWarning`
and the study goes on without it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import Union

import numpy as np

from paretune._warm import WARM_START_ATTR
from paretune._warnings import warn
from paretune.exceptions import ParetuneError
from paretune.exceptions import StudyIncompatibleError
from paretune.exceptions import WarmStartWarning
from paretune.fidelity import Fidelity
from paretune.objectives import Objective
from paretune.storages import BaseStorage
from paretune.storages import get_storage
from paretune.study._outcome import evaluate_outcome
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["ATTR", "WarmStart", "WarmStartSource", "resolve_sources", "restore_sources"]

ATTR = "paretune.warm_start"
"""The study user attribute that lists the warm-start sources."""

WarmStartSource = Union["Study", tuple[str, str | BaseStorage]]
"""A study to warm-start from: the study, or ``(study_name, storage)``."""


@dataclass(frozen=True)
class _Source:
    name: str
    storage: BaseStorage
    study_id: int
    fidelity: Fidelity | None

    def to_json(self, own: BaseStorage) -> dict[str, Any]:
        where = "" if _same(self.storage, own) else _reopenable_url(self.storage)
        return {"study_name": self.name, "storage": where}


def _same(a: BaseStorage, b: BaseStorage) -> bool:
    """Whether two storage objects hold the same studies (the same object or database)."""
    if a is b:
        return True
    url = _reopenable_url(a)
    return url is not None and url == _reopenable_url(b)


def _reopenable_url(storage: BaseStorage) -> str | None:
    """The URL another process can reopen ``storage`` with, or None."""
    url = getattr(storage, "url", None)
    if url is None or not hasattr(url, "render_as_string") or url.password:
        return None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        url = url.set(database=os.path.abspath(url.database))
    return str(url.render_as_string(hide_password=False))


def resolve_sources(
    specs: Sequence[WarmStartSource],
    *,
    name: str,
    objectives: tuple[Objective, ...],
    own: BaseStorage,
) -> tuple[_Source, ...]:
    """Open and check the sources given to ``create_study`` or ``load_study``.

    Raises:
        TypeError: On a source that is neither a study nor a ``(name, storage)`` pair.
        ValueError: If a study names itself.
        StudyNotFoundError: If a named study does not exist.
        StudyIncompatibleError: If a source has other objectives.
    """
    from paretune.study._study import Study

    if isinstance(specs, (str, tuple)) or not isinstance(specs, Sequence):
        raise TypeError(
            f"`warm_start` must be a list of studies or (study_name, storage) pairs, got {specs!r}."
        )
    sources = []
    for spec in specs:
        if isinstance(spec, Study):
            source_name, storage = spec.name, spec.storage
        elif isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
            source_name, storage = spec[0], get_storage(spec[1])
        else:
            raise TypeError(
                f"Each `warm_start` entry must be a Study or a (study_name, storage) pair, "
                f"got {spec!r}."
            )
        info = storage.get_study(source_name)
        if source_name == name and _same(storage, own):
            raise ValueError(f"Study {name!r} cannot warm-start from itself.")
        if info.objectives != objectives:
            raise StudyIncompatibleError(
                f"Warm-start source {source_name!r} has objectives "
                f"{[(o.name, o.direction.value) for o in info.objectives]}, but study {name!r} "
                f"has {[(o.name, o.direction.value) for o in objectives]}; warm-start only "
                "from studies of the same objectives."
            )
        sources.append(_Source(source_name, storage, info.study_id, info.fidelity))
    return tuple(sources)


def restore_sources(
    stored: Any, *, name: str, objectives: tuple[Objective, ...], own: BaseStorage
) -> tuple[_Source, ...]:
    """Reopen the sources stored with a study, warning about (and skipping) those gone."""
    sources: list[_Source] = []
    for entry in stored if isinstance(stored, list) else []:
        if not isinstance(entry, Mapping):
            continue
        source_name, where = entry.get("study_name"), entry.get("storage")
        try:
            if where is None:
                raise ParetuneError("its storage cannot be reopened from another process")
            storage = own if where == "" else get_storage(str(where))
            sources.extend(
                resolve_sources(
                    [(str(source_name), storage)], name=name, objectives=objectives, own=own
                )
            )
        except (ParetuneError, ValueError, TypeError) as exc:
            warn(
                f"Study {name!r} cannot warm-start from {source_name!r} ({exc}); it goes on "
                "without that study's trials. Pass warm_start= to load_study to name the "
                "sources again.",
                WarmStartWarning,
            )
    return tuple(sources)


class WarmStart:
    """A study's warm-start sources and, once read, their observations."""

    def __init__(self, sources: Sequence[_Source] = ()) -> None:
        self.sources = tuple(sources)
        self._records: list[TrialRecord] | None = None
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...]:
        """The source studies' names, in order."""
        return tuple(s.name for s in self.sources)

    def records(self, study: Study) -> list[TrialRecord]:
        """The sources' complete trials as the study's sampler sees them (read once)."""
        if not self.sources:
            return []
        with self._lock:
            if self._records is None:
                self._records = _observations(study, self.sources)
            return list(self._records)


def _observations(study: Study, sources: Sequence[_Source]) -> list[TrialRecord]:
    import dataclasses

    out: list[TrialRecord] = []
    for source in sources:
        complete = source.storage.get_all_trials(source.study_id, (TrialState.COMPLETE,))
        if source.fidelity is not None:
            top = source.fidelity.high
            complete = [r for r in complete if r.budget is not None and np.isclose(r.budget, top)]
        for record in complete:
            outcome = evaluate_outcome(dict(record.metrics), study.objectives, study.constraints)
            if outcome.problem is not None:
                continue
            attrs = {
                **record.user_attrs,
                WARM_START_ATTR: {"study": source.name, "number": record.number},
            }
            out.append(
                dataclasses.replace(
                    record,
                    number=-(len(out) + 1),
                    trial_id=-1,
                    constraints=outcome.violations,
                    placement=None,
                    user_attrs=attrs,
                )
            )
    return out
