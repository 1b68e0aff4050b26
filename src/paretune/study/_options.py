"""Study options kept in the study's user attributes, so every worker and a later
``load_study`` use the same: ``deterministic_objective`` and the warm-start sources."""

from __future__ import annotations

from collections.abc import Sequence

from paretune.storages import BaseStorage
from paretune.storages import StudyInfo
from paretune.study._warm_start import ATTR as WARM_START_ATTR
from paretune.study._warm_start import WarmStart
from paretune.study._warm_start import WarmStartSource
from paretune.study._warm_start import resolve_sources
from paretune.study._warm_start import restore_sources

__all__ = ["DETERMINISTIC_ATTR", "StudyOptions"]

DETERMINISTIC_ATTR = "paretune.deterministic_objective"
"""The study user attribute holding ``deterministic_objective`` when it is False."""


class StudyOptions:
    """The options asked for when a study is created or loaded, checked early.

    Args:
        name: The study's name.
        info: The stored study, or for one about to be created, what is asked for.
        backend: Its storage.
        deterministic: The ``deterministic_objective`` asked for; None keeps the stored one.
        warm_start: The warm-start sources asked for; None keeps the stored ones.

    Raises:
        See :func:`~paretune.study._warm_start.resolve_sources`.
    """

    def __init__(
        self,
        *,
        info: StudyInfo,
        backend: BaseStorage,
        deterministic: bool | None,
        warm_start: Sequence[WarmStartSource] | None,
    ) -> None:
        if deterministic is not None and not isinstance(deterministic, bool):
            raise TypeError(f"`deterministic_objective` must be a bool, got {deterministic!r}.")
        self._deterministic = deterministic
        self._specs = warm_start
        self._sources = (
            None
            if warm_start is None
            else resolve_sources(
                warm_start, name=info.name, objectives=info.objectives, own=backend
            )
        )

    def apply(self, info: StudyInfo, backend: BaseStorage) -> tuple[bool, WarmStart]:
        """Store what was asked for with the study ``info``; return the options in force."""
        stored = info.user_attrs.get(DETERMINISTIC_ATTR, True) is not False
        deterministic = stored if self._deterministic is None else self._deterministic
        if deterministic != stored:
            backend.set_study_user_attr(info.study_id, DETERMINISTIC_ATTR, deterministic)
        if self._sources is None:
            sources = restore_sources(
                info.user_attrs.get(WARM_START_ATTR),
                name=info.name,
                objectives=info.objectives,
                own=backend,
            )
        else:
            sources = self._sources
            backend.set_study_user_attr(
                info.study_id, WARM_START_ATTR, [s.to_json(backend) for s in sources]
            )
        return deterministic, WarmStart(sources)
