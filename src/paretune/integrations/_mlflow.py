"""Log a study's trials to MLflow, one run per trial under one run per study."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["MLflowCallback"]

INSTALL_HINT = "pip install 'paretune[mlflow]'"

_STATUS = {
    TrialState.COMPLETE: "FINISHED",
    TrialState.STOPPED: "KILLED",
    TrialState.FAILED: "FAILED",
}
"""The MLflow run status of each finished trial state."""

_TAG_LIMIT = 5000
"""Characters kept of a long tag value (a failure reason)."""

_BATCH = {"metrics": 1000, "params": 100, "tags": 100}
"""MLflow's limits per ``log_batch`` call."""


def _import_mlflow() -> Any:
    """Import MLflow, or raise ImportError with the install hint."""
    try:
        import mlflow
        import mlflow.entities
        import mlflow.tracking
    except ImportError as exc:
        raise ImportError(
            f"MLflowCallback needs MLflow, which is not installed: {INSTALL_HINT}"
        ) from exc
    return mlflow


def _ms(seconds: float | None) -> int:
    return round((seconds if seconds is not None else time.time()) * 1000)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MLflowCallback:
    """Log every finished trial of a study as an MLflow run.

    Pass it to ``study.optimize(callbacks=[...])``. Each finished trial becomes one run
    (named ``trial-<number>``) holding:

    * **params**: the trial's parameters (as MLflow strings);
    * **metrics**: its final metrics (complete trials) at step 0, each hard or soft
      constraint's violation as ``violation.<metric>`` (``<= 0`` is satisfied), and its
      intermediate reports as ``intermediate.<metric>`` at their steps;
    * **tags**: ``paretune.study`` (the study name), ``paretune.trial_number``,
      ``paretune.state`` (``complete``, ``stopped``, ``failed``), ``paretune.feasible``
      (complete trials), ``paretune.fail_kind`` and ``paretune.fail_reason`` (failed
      ones), ``paretune.duration_s``, and in a study with a fidelity ``paretune.budget``,
      ``paretune.config`` (the trial that first trained this configuration: the runs of
      one configuration's budgets share it) and ``paretune.previous_trial``;
    * its start and end times, and the status ``FINISHED`` (complete), ``KILLED``
      (stopped) or ``FAILED``.

    With ``nested=True`` the trial runs are children of one run per study (tagged
    ``paretune.role = study``, named after the study, with the objectives and constraints
    as tags), created on first use and found again by those tags when the study resumes,
    in this process or another: a resumed study adds to the same parent. With
    ``nested=False`` each trial run is a top-level run of the experiment.

    The client is MLflow's ``MlflowClient``, so no active run is started or changed in the
    calling process, and several ``optimize`` workers may log at once. An MLflow error
    (an unreachable server, say) propagates out of ``optimize``, as any callback error does.

    Args:
        tracking_uri: The MLflow tracking URI (``sqlite:///mlflow.db``,
            ``http://host:5000``, ...); None uses MLflow's default (``MLFLOW_TRACKING_URI``
            or its local default).
        experiment_name: The experiment to log into, created if missing; None uses the
            study's name.
        nested: Put each study's trial runs under one parent run.

    Raises:
        ImportError: Without MLflow (``pip install 'paretune[mlflow]'``).

    Examples:
        >>> import paretune as pt  # doctest: +SKIP
        >>> study = pt.create_study(objectives={"loss": "minimize"})  # doctest: +SKIP
        >>> callback = pt.integrations.MLflowCallback("sqlite:///mlflow.db")  # doctest: +SKIP
        >>> study.optimize(objective, n_trials=20, callbacks=[callback])  # doctest: +SKIP
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        experiment_name: str | None = None,
        *,
        nested: bool = True,
    ) -> None:
        mlflow = _import_mlflow()
        self.tracking_uri = tracking_uri
        self.experiment_name = experiment_name
        self.nested = nested
        self._client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri)
        self._experiments: dict[str, str] = {}  # experiment name -> id
        self._parents: dict[str, str] = {}  # study name -> parent run id
        self._lock = threading.Lock()

    def __call__(self, study: Study, record: TrialRecord) -> None:
        """Log ``record`` (a finished trial of ``study``) as a run.

        Raises:
            MlflowException: If MLflow cannot log the run.
        """
        if not record.state.is_finished:
            return
        experiment_id = self._experiment_id(study)
        tags = self._trial_tags(study, record)
        if self.nested:
            tags["mlflow.parentRunId"] = self.parent_run_id(study)
        run = self._client.create_run(
            experiment_id,
            start_time=_ms(record.started_at_ts),
            tags=tags,
            run_name=f"trial-{record.number}",
        )
        run_id = run.info.run_id
        self._log(run_id, record)
        end = _ms(record.finished_at_ts)
        self._client.set_terminated(run_id, status=_STATUS[record.state], end_time=end)
        if self.nested:
            self._client.set_terminated(self.parent_run_id(study), "FINISHED", end_time=end)

    def parent_run_id(self, study: Study) -> str:
        """The id of ``study``'s parent run, found by its tags or created.

        Raises:
            MlflowException: If MLflow cannot search or create runs.
        """
        with self._lock:
            known = self._parents.get(study.name)
            if known is not None:
                return known
            experiment_id = self._experiment_id(study)
            runs = self._client.search_runs(
                [experiment_id],
                filter_string="tags.`paretune.role` = 'study'",
                order_by=["attributes.start_time ASC"],
            )
            found = [r for r in runs if r.data.tags.get("paretune.study") == study.name]
            if found:
                run_id = str(found[0].info.run_id)
            else:
                run = self._client.create_run(
                    experiment_id, tags=self._study_tags(study), run_name=study.name
                )
                run_id = str(run.info.run_id)
            self._parents[study.name] = run_id
            return run_id

    def _experiment_id(self, study: Study) -> str:
        name = self.experiment_name or study.name
        known = self._experiments.get(name)
        if known is not None:
            return known
        experiment = self._client.get_experiment_by_name(name)
        if experiment is None:
            from mlflow.exceptions import MlflowException

            try:
                experiment_id = str(self._client.create_experiment(name))
            except MlflowException:  # another process created it meanwhile
                experiment_id = str(self._client.get_experiment_by_name(name).experiment_id)
        else:
            experiment_id = str(experiment.experiment_id)
        self._experiments[name] = experiment_id
        return experiment_id

    @staticmethod
    def _study_tags(study: Study) -> dict[str, str]:
        objectives = ", ".join(f"{o.name}={o.direction.value}" for o in study.objectives)
        tags = {
            "paretune.role": "study",
            "paretune.study": study.name,
            "paretune.objectives": objectives,
        }
        if study.constraints:
            tags["paretune.constraints"] = ", ".join(str(c) for c in study.constraints)
        return tags

    @staticmethod
    def _trial_tags(study: Study, record: TrialRecord) -> dict[str, str]:
        tags = {
            "paretune.role": "trial",
            "paretune.study": study.name,
            "paretune.trial_number": str(record.number),
            "paretune.state": record.state.value,
        }
        if record.state is TrialState.COMPLETE:
            tags["paretune.feasible"] = str(record.feasible).lower()
        if record.fail_kind is not None:
            tags["paretune.fail_kind"] = record.fail_kind.value
        if record.fail_reason:
            tags["paretune.fail_reason"] = record.fail_reason[:_TAG_LIMIT]
        if record.duration is not None:
            tags["paretune.duration_s"] = f"{record.duration:.3f}"
        placement = record.placement
        if placement is not None:
            tags["paretune.budget"] = f"{placement.budget:g}"
            tags["paretune.config"] = str(placement.config)
            if placement.previous_trial is not None:
                tags["paretune.previous_trial"] = str(placement.previous_trial)
        return tags

    def _log(self, run_id: str, record: TrialRecord) -> None:
        from mlflow.entities import Metric
        from mlflow.entities import Param

        finished = _ms(record.finished_at_ts)
        metrics = [Metric(k, float(v), finished, 0) for k, v in record.metrics.items()]
        metrics += [
            Metric(f"violation.{k}", float(v), finished, 0) for k, v in record.constraints.items()
        ]
        for step, reported in record.intermediate.items():
            at = _ms(record.report_times.get(step, record.finished_at_ts))
            metrics += [
                Metric(f"intermediate.{k}", float(v), at, step) for k, v in reported.items()
            ]
        params = [Param(k, str(v)) for k, v in record.params.items()]
        for chunk in _chunks(metrics, _BATCH["metrics"]):
            self._client.log_batch(run_id, metrics=list(chunk))
        for chunk in _chunks(params, _BATCH["params"]):
            self._client.log_batch(run_id, params=list(chunk))
