"""Studies in SQL: create, read, list, delete (the study half of ``SQLStorage``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from paretune import _storable as valid
from paretune.constraints import Constraint
from paretune.exceptions import DuplicatedStudyError
from paretune.exceptions import StudyNotFoundError
from paretune.fidelity import Fidelity
from paretune.objectives import Direction
from paretune.objectives import Objective
from paretune.storages._base import StudyInfo
from paretune.storages._base import StudySummary
from paretune.storages._json import check_json_value
from paretune.storages._json import dumps
from paretune.storages._json import loads
from paretune.storages._sql._engine import display_url
from paretune.storages._sql._records import StudyCache
from paretune.storages._sql._records import merge_user_attr
from paretune.storages._sql._schema import params_table
from paretune.storages._sql._schema import repeats_table
from paretune.storages._sql._schema import reports_table
from paretune.storages._sql._schema import studies_table
from paretune.storages._sql._schema import study_keys_table
from paretune.storages._sql._schema import trials_table
from paretune.trial._state import TrialState

__all__ = ["StudiesMixin"]


class StudiesMixin:
    """The study methods of :class:`~paretune.storages._sql.SQLStorage` (contracts in
    :class:`~paretune.storages.BaseStorage`)."""

    url: URL
    _write: Callable[..., Any]
    _read: Callable[..., Any]
    _cache_lock: threading.Lock
    _caches: dict[int, StudyCache]

    def create_study(
        self,
        name: str,
        objectives: tuple[Objective, ...],
        constraints: tuple[Constraint, ...],
        seed: int | None,
        user_attrs: Mapping[str, Any] | None = None,
        fidelity: Fidelity | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> StudyInfo:
        """See :meth:`BaseStorage.create_study`."""
        valid.check_new_study(name, objectives, constraints, user_attrs)
        now = time.time()
        values = {
            "name": name,
            "objectives": dumps(
                [{"name": o.name, "direction": o.direction.value} for o in objectives]
            ),
            "constraints": dumps([c.to_json() for c in constraints]),
            "fidelity": None if fidelity is None else dumps(fidelity.to_json()),
            "settings": dumps(dict(settings or {})),
            "seed": seed,
            "user_attrs": dumps(dict(user_attrs or {})),
            "created_at": now,
            "next_trial_number": 0,
        }

        def work(conn: Connection) -> int:
            exists = conn.execute(
                select(studies_table.c.id).where(studies_table.c.name == name)
            ).first()
            if exists is not None:
                raise DuplicatedStudyError(
                    f"A study named {name!r} already exists in {display_url(self.url)!r}; pass "
                    "load_if_exists=True to continue it or choose another name."
                )
            return int(
                conn.execute(
                    insert(studies_table).values(**values).returning(studies_table.c.id)
                ).scalar_one()
            )

        try:
            study_id = self._write(work, what="create a study")
        except IntegrityError as exc:  # a concurrent creator won the race
            raise DuplicatedStudyError(
                f"A study named {name!r} already exists in {display_url(self.url)!r}; pass "
                "load_if_exists=True to continue it or choose another name."
            ) from exc
        return StudyInfo(
            study_id,
            name,
            objectives,
            constraints,
            seed,
            now,
            dict(user_attrs or {}),
            fidelity,
            dict(settings or {}),
        )

    @staticmethod
    def _study_from_row(row: Row[Any]) -> StudyInfo:
        objectives = tuple(
            Objective(o["name"], Direction(o["direction"])) for o in loads(row.objectives)
        )
        constraints = tuple(Constraint.from_json(c) for c in loads(row.constraints))
        return StudyInfo(
            int(row.id),
            row.name,
            objectives,
            constraints,
            row.seed,
            float(row.created_at),
            loads(row.user_attrs),
            Fidelity.from_json(loads(row.fidelity)),
            loads(row.settings) if row.settings else {},
        )

    def get_study(self, name: str) -> StudyInfo:
        """See :meth:`BaseStorage.get_study`."""
        valid.check_name("study_name", name)

        def work(conn: Connection) -> StudyInfo:
            row = conn.execute(select(studies_table).where(studies_table.c.name == name)).first()
            if row is None:
                names = conn.execute(select(studies_table.c.name)).scalars().all()
                hint = f"existing studies: {', '.join(sorted(names))}" if names else "it holds none"
                raise StudyNotFoundError(
                    f"No study named {name!r} in {display_url(self.url)!r} ({hint})."
                )
            return self._study_from_row(row)

        info: StudyInfo = self._read(work, what="read a study")
        return info

    def list_studies(self) -> list[StudySummary]:
        """See :meth:`BaseStorage.list_studies`."""

        def work(conn: Connection) -> list[StudySummary]:
            rows = conn.execute(select(studies_table).order_by(studies_table.c.id)).all()
            counts = conn.execute(
                select(trials_table.c.study_id, trials_table.c.state, func.count()).group_by(
                    trials_table.c.study_id, trials_table.c.state
                )
            ).all()
            by_study: dict[int, dict[TrialState, int]] = {}
            for study_id, state, n in counts:
                by_study.setdefault(int(study_id), {})[TrialState(state)] = int(n)
            return [
                StudySummary(self._study_from_row(r), by_study.get(int(r.id), {})) for r in rows
            ]

        found: list[StudySummary] = self._read(work, what="list studies")
        return found

    def delete_study(self, name: str) -> None:
        """See :meth:`BaseStorage.delete_study`."""
        valid.check_name("study_name", name)
        study_id = self.get_study(name).study_id

        def work(conn: Connection) -> None:
            trial_ids = select(trials_table.c.id).where(trials_table.c.study_id == study_id)
            conn.execute(delete(params_table).where(params_table.c.trial_id.in_(trial_ids)))
            conn.execute(delete(reports_table).where(reports_table.c.trial_id.in_(trial_ids)))
            conn.execute(delete(repeats_table).where(repeats_table.c.study_id == study_id))
            conn.execute(delete(trials_table).where(trials_table.c.study_id == study_id))
            conn.execute(delete(study_keys_table).where(study_keys_table.c.study_id == study_id))
            conn.execute(delete(studies_table).where(studies_table.c.id == study_id))

        self._write(work, what="delete a study")
        with self._cache_lock:
            self._caches.pop(study_id, None)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """See :meth:`BaseStorage.set_study_user_attr`."""
        check_json_value(key, value)

        self._write(
            lambda conn: merge_user_attr(conn, studies_table, study_id, key, value),
            what="set a study attribute",
        )
