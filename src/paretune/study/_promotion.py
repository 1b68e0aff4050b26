"""Budgeted studies: turn the scheduler's next job into a promoted trial or a new one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from paretune._logging import get_logger
from paretune.schedulers import Job
from paretune.storages import BaseStorage
from paretune.trial import Placement
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["PROMOTION_ATTEMPTS", "promote_or_plan"]

logger = get_logger(__name__)

PROMOTION_ATTEMPTS = 16
"""How often ``ask`` retries after losing a promotion race to another worker."""


def promote_or_plan(
    study: Study, storage: BaseStorage, study_id: int, env: Mapping[str, Any], now: float
) -> TrialRecord | Job:
    """Ask the scheduler what to run next: create the promoted trial, or return the job of a
    new configuration.

    A promotion is created once per configuration and budget (a unique key in the storage);
    a worker that loses that race asks again, and after :data:`PROMOTION_ATTEMPTS` losses
    starts a new configuration.
    """
    fidelity, scheduler = study.fidelity, study.scheduler
    assert fidelity is not None and scheduler is not None
    for _ in range(PROMOTION_ATTEMPTS):
        job = scheduler.next_job(study, study.get_trials())
        if job.promote is None:
            return job
        parent = job.promote
        assert parent.placement is not None
        placement = Placement(
            budget=job.budget,
            config=parent.config,
            previous_trial=parent.number,
            previous_budget=parent.placement.budget,
            bracket=parent.placement.bracket,
            guard=parent.placement.guard,
        )
        created = storage.create_trial_once(
            study_id,
            f"promote:{parent.config}:{job.budget!r}",
            state=TrialState.RUNNING,
            seed_for=study.trial_seed,
            environment=env,
            enqueued_params=dict(parent.params),
            placement=placement,
            now=now,
        )
        if created is not None:
            logger.info(
                "Trial %d trains configuration %d at %s = %g (was %g in trial %d)",
                created.number,
                parent.config,
                fidelity.name,
                job.budget,
                parent.placement.budget,
                parent.number,
            )
            return created
    return scheduler.next_job(study, [])  # lost every race: a new configuration
