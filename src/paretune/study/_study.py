"""The study: a named multi-objective search and its trials."""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections.abc import Callable
from collections.abc import Container
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from paretune import _clock as clock
from paretune._costs import DEFAULT_COST_UNIT
from paretune._logging import get_logger
from paretune._seeding import derive_seed
from paretune._seeding import uniform
from paretune.constraints import Constraint
from paretune.constraints import ParamConstraint
from paretune.constraints import check_params
from paretune.distributions import Distribution
from paretune.exceptions import UpdateFinishedTrialError
from paretune.fidelity import Fidelity
from paretune.objectives import Objective
from paretune.samplers import BaseSampler
from paretune.schedulers import BaseScheduler
from paretune.storages import BaseStorage
from paretune.storages import StudyInfo
from paretune.storages._json import check_json_value
from paretune.study._aliases import OptunaAliases
from paretune.study._distributions import KnownDistributions
from paretune.study._lease import Lease
from paretune.study._lease import LeaseKeeper
from paretune.study._lease import reap
from paretune.study._lease import record_late_result
from paretune.study._promotion import promote_or_plan
from paretune.study._repeats import RepeatGuard
from paretune.study._results import StudyResults
from paretune.study._sampler_view import failures_for_sampler
from paretune.study._sampler_view import trials_for_sampler
from paretune.study._tell import finish_values
from paretune.study._warm_start import WarmStart
from paretune.trial import FailKind
from paretune.trial import Placement
from paretune.trial import Trial
from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.trial._environment import current_environment

if TYPE_CHECKING:
    from paretune.executors import BaseExecutor
    from paretune.study._optimize import Catch
    from paretune.study._optimize import ObjectiveFunction

__all__ = ["Study"]

logger = get_logger(__name__)

_FINISHED = (TrialState.COMPLETE, TrialState.STOPPED, TrialState.FAILED)


class Study(StudyResults, OptunaAliases):
    """A multi-objective search: named objectives, constraints, a sampler and its trials.

    Create one with :func:`paretune.create_study` or :func:`paretune.load_study`. A study
    in an SQL storage may be driven by several processes at once, each with its own
    ``Study`` object.

    Attributes:
        name: The study's unique name in its storage.
        objectives: Its objectives, in order.
        constraints: Its hard constraints on metrics.
        sampler: The sampler proposing parameters.
        scheduler: The scheduler deciding budgets and early stops, or None.
        seed: The study's seed, or None.
        param_constraints: Known constraints on parameters (see ``create_study``).
        deterministic_objective: Whether each configuration is evaluated once (see
            ``create_study``).
    """

    def __init__(
        self,
        *,
        info: StudyInfo,
        storage: BaseStorage,
        sampler: BaseSampler,
        scheduler: BaseScheduler | None,
        seed: int | None,
        param_constraints: Sequence[ParamConstraint] = (),
        deterministic_objective: bool = True,
        warm_start: WarmStart | None = None,
    ) -> None:
        self._info = info
        self.param_constraints = tuple(param_constraints)
        self._storage = storage
        self.sampler = sampler
        self.scheduler = scheduler
        self.seed = seed
        self._trial_seed_base = seed if seed is not None else secrets.randbits(31)
        self._distributions = KnownDistributions()
        self._stop_requested = False
        self._in_optimize = False
        self._ask_lock = threading.RLock()  # samplers and schedulers see one ask at a time
        self.deterministic_objective = bool(deterministic_objective)
        self._repeats = RepeatGuard(info.name) if deterministic_objective else None
        self._warm = warm_start if warm_start is not None else WarmStart()
        self.lease = Lease.from_settings(info.settings)
        self._keeper = (
            None if self.lease is None else LeaseKeeper(storage, self.lease.heartbeat_interval)
        )

    # ---- identity ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The study's name."""
        return self._info.name

    @property
    def objectives(self) -> tuple[Objective, ...]:
        """The objectives, in order."""
        return self._info.objectives

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        """The hard constraints on metrics."""
        return self._info.constraints

    @property
    def fidelity(self) -> Fidelity | None:
        """The training budget of a multi-fidelity study, or None."""
        return self._info.fidelity

    @property
    def cost_unit(self) -> str:
        """The unit trials' costs are told in (``create_study(cost_unit=...)``; ``"s"``)."""
        return str(self._info.settings.get("cost_unit", DEFAULT_COST_UNIT))

    @property
    def storage(self) -> BaseStorage:
        """The storage holding the study."""
        return self._storage

    @property
    def warm_start(self) -> tuple[str, ...]:
        """The names of the studies this one warm-starts from (see ``create_study``)."""
        return self._warm.names

    @property
    def user_attrs(self) -> dict[str, Any]:
        """A copy of the JSON values attached to the study."""
        return dict(self._storage.get_study(self.name).user_attrs)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON value to the study."""
        self._storage.set_study_user_attr(self._info.study_id, key, value)

    def __repr__(self) -> str:
        objs = ", ".join(f"{o.name}: {o.direction.value}" for o in self.objectives)
        return f"Study(name={self.name!r}, objectives={{{objs}}})"

    # ---- trials --------------------------------------------------------------------------
    def get_trials(self, states: Container[TrialState] | None = None) -> list[TrialRecord]:
        """Return the study's trial records ordered by number.

        Args:
            states: Keep only trials in these states; None keeps all.
        """
        return self._storage.get_all_trials(self._info.study_id, states)

    @property
    def trials(self) -> list[TrialRecord]:
        """Every trial record, ordered by number."""
        return self.get_trials()

    def _trial_seed(self, number: int) -> int:
        return derive_seed(self._trial_seed_base, "trial", number)

    def _check_distribution(self, name: str, distribution: Distribution) -> None:
        """Refuse a parameter whose kind or scale differs from earlier trials of the study."""
        self._distributions.check(self.name, name, distribution, self.get_trials)

    def params_allowed(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` (possibly partial) break none of the parameter constraints."""
        return check_params(self.param_constraints, params) is None

    def ask(self) -> Trial:
        """Start a trial: an enqueued configuration if one waits, else a new one.

        Returns:
            The running :class:`~paretune.trial.Trial`; call its ``suggest_*`` methods, then
            :meth:`tell`.

        Examples:
            >>> import paretune as pt
            >>> study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
            >>> trial = study.ask()
            >>> x = trial.suggest_float("x", -1.0, 1.0)
            >>> study.tell(trial, {"loss": x * x}).state.value
            'complete'
        """
        with self._ask_lock:
            return self._ask()

    def _ask(self) -> Trial:
        now = clock.now()
        env = current_environment()
        job = None
        if self.fidelity is not None:
            planned = promote_or_plan(self, self._storage, self._info.study_id, env, now)
            if isinstance(planned, TrialRecord):  # a promotion: same parameters, no sampling
                self._hold(planned)
                return Trial(self, planned, {}, {})
            job = planned
        record = self._storage.start_trial(
            self._info.study_id, seed_for=self._trial_seed, environment=env, now=now
        )
        if self._repeats is not None:
            self._repeats.refresh(self.get_trials())
        self._hold(record)
        if job is not None:
            guard = self.scheduler is not None and self.scheduler.guards(self, record.number)
            placement = Placement(job.budget, record.number, bracket=job.bracket, guard=guard)
            self._storage.set_trial_placement(record.trial_id, placement)
            record = dataclasses.replace(record, placement=placement)
        try:
            self.sampler.before_trial(self, record)
            space = self.sampler.infer_relative_search_space(self, record)
            relative = self.sampler.sample_relative(self, record, space) if space else {}
        except KeyboardInterrupt:  # Ctrl-C while sampling: leave no running trial behind
            reason = "interrupted: KeyboardInterrupt while the sampler proposed parameters"
            self.tell(record.number, state="failed", fail_reason=reason, fail_kind="interrupted")
            raise
        return Trial(self, record, relative, space)

    def draw(self, number: int, purpose: str) -> float:
        """A uniform number in ``[0, 1)`` fixed by the study's seed, a trial number and a
        purpose (schedulers use it for their bias guard). Every worker of a seeded study
        draws the same; an unseeded study draws from a base random to each process."""
        return uniform(self._trial_seed_base, number, purpose)

    def is_guard(self, record: TrialRecord) -> bool:
        """Whether the scheduler's bias guard exempts this trial from being judged."""
        if record.placement is not None:
            return record.placement.guard
        return self.scheduler is not None and self.scheduler.guards(self, record.number)

    def trial_seed(self, number: int) -> int:
        """The seed of trial ``number`` (see :attr:`TrialRecord.seed`)."""
        return self._trial_seed(number)

    def trials_for_sampler(self) -> list[TrialRecord]:
        """The trials samplers learn from, all measured at one budget.

        Every complete trial, except: in a study with a fidelity, the complete trials at the
        highest budget with at least ten of them; in a training-loop study with a
        scheduler, while fewer than ten trials have completed, every complete or stopped
        trial that reached the highest step ten of them reached, as reported there. Rules
        and reasons: :mod:`paretune.study._sampler_view`. A warm-started study adds the
        sources' complete trials after its own, numbered ``-1, -2, ...``
        (:mod:`paretune.study._warm_start`).
        """
        return trials_for_sampler(self) + self._warm.records(self)

    def is_evaluated(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` (a whole configuration) repeats one a trial of this study holds,
        in a study with ``deterministic_objective`` (:mod:`paretune.study._repeats`)."""
        return self._repeats is not None and self._repeats.is_repeat(params)

    def failures_for_sampler(self) -> list[TrialRecord]:
        """Failed trials whose configuration failed (the objective raised, returned invalid
        metrics, timed out or crashed its process), for samplers to steer away from;
        trials failed because their worker process ended, by
        :class:`~paretune.exceptions.UnrelatedFailure`, or by an interrupt (Ctrl-C), are
        left out. See :mod:`paretune.study._sampler_view`."""
        return failures_for_sampler(self)

    def tell(
        self,
        trial: Trial | int,
        metrics: Mapping[str, float] | float | None = None,
        *,
        state: TrialState | str | None = None,
        fail_reason: str | None = None,
        traceback: str | None = None,
        fail_kind: FailKind | str | None = None,
        cost: float | None = None,
    ) -> TrialRecord:
        """Finish a trial with its metrics, or as stopped or failed.

        Invalid metrics (a missing objective or constrained metric, NaN, infinity, a value
        that is not a number) do not raise: the trial is stored as *failed* with a reason
        that names the problem, and a warning is logged.

        Args:
            trial: The trial from :meth:`ask`, or its number.
            metrics: Metric name -> value, with every objective and constrained metric.
                A bare number works for a single-objective study without constraints.
                A :class:`paretune.evaluate.Evaluation` also stores its per-group
                breakdown as the trial's user attribute ``"evaluation"``.
            state: ``"complete"`` (default when metrics are given), ``"stopped"`` or
                ``"failed"``.
            fail_reason: Why a trial failed or stopped.
            traceback: The formatted traceback of the error that failed it.
            fail_kind: Why a failed trial failed (:class:`~paretune.trial.FailKind`).
                None: ``"unrelated"`` when ``fail_reason`` starts with "unrelated to the
                configuration: ", else ``"told"``; invalid metrics are always
                ``"invalid_metrics"``. Samplers steer away from the configurations of
                ``"error"``, ``"invalid_metrics"``, ``"told"``, ``"timeout"`` and
                ``"crashed"`` failures only.
            cost: The compute the trial took, in the study's :attr:`cost_unit` (GPU-hours,
                dollars, simulated seconds); None: the cost of its last report that told one,
                else none (its duration stands in while no trial tells one). Told costs drive
                ``optimize(max_cost=...)``, the schedulers' cost rules and the fidelity report
                instead of wall-clock time (:mod:`paretune._costs`).

        Returns:
            The finished trial's record.

        Raises:
            UpdateFinishedTrialError: If the trial was already told.
            ValueError: If neither metrics nor a state are given, ``fail_kind`` is unknown,
                or ``cost`` is not a finite number >= 0 (nothing is stored then).
        """
        trial_id, live = self._resolve(trial)
        finish = finish_values(
            self, trial_id, live, metrics, state=state, fail_reason=fail_reason,
            traceback=traceback, fail_kind=fail_kind, cost=cost,
        )  # fmt: skip
        parsed = finish["state"]
        if self._keeper is not None:
            self._keeper.release(trial_id)
        try:
            record = self._storage.finish_trial(trial_id, now=clock.now(), **finish)
        except UpdateFinishedTrialError:
            stored = self._storage.get_trial(trial_id)
            if live is None or live._finished or stored.fail_kind is not FailKind.WORKER_LOST:
                raise
            if live._fenced and parsed is not TrialState.COMPLETE:
                record = stored  # it failed writing to its reaped trial: nothing to keep
                logger.warning(
                    "Trial %d was reaped (no heartbeat for longer than the grace) while its "
                    "objective ran, which then failed writing to it; nothing more is kept.",
                    stored.number,
                )
            else:
                record = record_late_result(self, self._storage, stored, finish)
                logger.warning(
                    "Trial %d was reaped (no heartbeat for longer than the grace) before its "
                    "result arrived; the result is kept as trial %d.",
                    stored.number,
                    record.number,
                )
        if live is not None:
            live._mark_finished()
        if self._repeats is not None:
            self._repeats.told(record)
        if record.state is TrialState.FAILED and metrics is not None and not self._in_optimize:
            logger.warning("Trial %d failed: %s", record.number, record.fail_reason)
        elif record.state is TrialState.FAILED:
            logger.info("Trial %d failed: %s", record.number, record.fail_reason)
        else:
            logger.info("Trial %d %s: %s", record.number, record.state.value, dict(record.metrics))
        with self._ask_lock:
            self.sampler.after_trial(self, record)
        return record

    def _record_by_number(self, number: int) -> TrialRecord:
        for record in self.get_trials():
            if record.number == number:
                return record
        raise ValueError(f"Study {self.name!r} has no trial number {number}.")

    def _resolve(self, trial: Trial | int) -> tuple[int, Trial | None]:
        if isinstance(trial, Trial):
            if trial.study is not self and trial.study.name != self.name:
                raise ValueError(
                    f"Trial {trial.number} belongs to study {trial.study.name!r}, "
                    f"not {self.name!r}."
                )
            return trial.trial_id, trial
        if isinstance(trial, bool) or not isinstance(trial, int):
            raise TypeError(f"`trial` must be a Trial or a trial number, got {trial!r}.")
        return self._record_by_number(trial).trial_id, None

    def enqueue(
        self, params: Mapping[str, Any], *, user_attrs: Mapping[str, Any] | None = None
    ) -> int:
        """Queue a configuration to be evaluated before the sampler proposes new ones.

        When the objective suggests a parameter named in ``params``, it receives the queued
        value (which must lie in the suggested range); other parameters are sampled.

        Args:
            params: Parameter name -> value (JSON scalars).
            user_attrs: JSON values to attach to the trial.

        Returns:
            The number the queued trial will have.
        """
        if not isinstance(params, Mapping):
            raise TypeError(
                f"`params` must be a dict of name -> value, got {type(params).__name__}."
            )
        for key, value in params.items():
            check_json_value(key, value)
        record = self._storage.create_trial(
            self._info.study_id,
            state=TrialState.WAITING,
            seed_for=self._trial_seed,
            enqueued_params=dict(params),
            user_attrs=dict(user_attrs or {}),
            now=time.time(),
        )
        return record.number

    def reap(self) -> list[TrialRecord]:
        """Fail the running trials whose lease lapsed (their worker stopped renewing it for
        longer than the study's ``grace``) as :attr:`~paretune.trial.FailKind.WORKER_LOST`,
        and queue a retry of each one's parameters while ``max_retries`` allows (the retry's
        user attribute ``"retry_of"`` names the original). :meth:`optimize` calls it when it
        starts and every heartbeat interval; ``paretune reap`` does it from the shell. A
        study without a lease (in memory, or ``heartbeat_interval=None``) reaps nothing.

        Returns:
            The records of the trials it failed.
        """
        if self.lease is None:
            return []
        return reap(self, self._storage, self.lease)

    def add_trials(self, records: Iterable[TrialRecord]) -> list[TrialRecord]:
        """Add finished trials (e.g. of another study), numbered here, with their outcomes
        (details: :func:`paretune.study._copy.add_trials`).

        Returns:
            The new records, in the order given.

        Raises:
            ValueError: If a record is unfinished or a parameter lies outside its
                distribution; InvalidMetricsError if a complete one lacks a metric this
                study needs. Nothing is added then.
        """
        from paretune.study._copy import add_trials

        return add_trials(self, list(records))

    def fail_orphaned_trials(self) -> list[TrialRecord]:
        """The same as :meth:`reap` (its earlier name)."""
        return self.reap()

    def _hold(self, record: TrialRecord) -> None:
        if self._keeper is not None:
            self._keeper.hold(record.trial_id)

    # ---- the loop ------------------------------------------------------------------------
    def optimize(
        self,
        objective: ObjectiveFunction,
        n_trials: int | None = None,
        timeout: float | None = None,
        *,
        catch: Catch = (Exception,),
        callbacks: Iterable[Callable[[Study, TrialRecord], None]] | None = None,
        n_workers: int = 1,
        max_cost: float | None = None,
        show_progress_bar: bool = False,
        n_jobs: int | None = None,
        executor: BaseExecutor | None = None,
        trial_timeout: float | None = None,
        isolation: Literal["thread", "process"] = "thread",
    ) -> None:
        """Run ``objective`` on new trials until ``n_trials`` ran or ``timeout`` passed.

        Args:
            objective: Takes a :class:`~paretune.trial.Trial`, returns a dict of metrics.
                Raise :class:`~paretune.exceptions.TrialStopped` to end a trial as stopped.
            n_trials: How many trials this call runs; None for no limit.
            timeout: Seconds after which no new trial starts; None for no limit.
            catch: Exception types that fail the trial while the study goes on. Any other
                exception also fails the trial (with its traceback stored), then stops the
                study by propagating. ``()`` stops on every error.
            callbacks: Called with the study and each finished trial's record.
            n_workers: Threads running trials at once in this process (more processes
                can share an SQL storage). Sampling and telling are serialised; objectives
                run in parallel, which pays off when they release the GIL (NumPy,
                scikit-learn, PyTorch).
            max_cost: Compute after which no new trial starts: the summed told costs of
                the trials this call finished, in the study's :attr:`cost_unit`, or while
                none told a cost their summed durations in seconds; None for no limit.
            show_progress_bar: Draw a progress line on standard error: the share of
                ``n_trials`` (else ``timeout``, else ``max_cost``) done, trials finished,
                feasible trials and the hypervolume of the front so far (objectives scaled
                to ``[0, 1]`` over the feasible trials, reference point 1.1).
            n_jobs: Optuna's name for ``n_workers`` (``-1``: one per CPU); an alias.
            executor: Where trials run: None for threads of this process; an executor
                (:mod:`paretune.executors`, e.g. ``RayExecutor()`` for a Ray cluster) runs
                them elsewhere while this process keeps the limits and callbacks.
            trial_timeout: Seconds each trial's objective may run; one still running then
                fails with kind ``"timeout"`` and the study goes on. None: no limit. A
                thread cannot be stopped: with ``isolation="thread"`` the objective runs on
                a daemon thread that is abandoned, still running, at the deadline; with
                ``"process"`` its process is killed (the limit counts from when the
                process has loaded the objective).
            isolation: ``"thread"`` runs objectives in this process; ``"process"`` runs each
                trial's objective in a new child process (``spawn``), so that a segfault,
                ``os._exit`` or an out-of-memory kill fails that trial only (kind
                ``"crashed"``). The objective must then be picklable (defined at module
                level); its trial forwards ``suggest_*``, ``report``, ``should_stop`` and
                ``set_user_attr`` to this process (:mod:`paretune.study._isolation`).

        Ctrl-C (``KeyboardInterrupt``, in the objective or in this process) fails the
        running trials with kind ``"interrupted"``, which samplers ignore, and propagates.

        Raises:
            ValueError: On a non-positive ``n_trials``, ``timeout``, ``n_workers``,
                ``max_cost`` or ``trial_timeout``, ``n_jobs`` given with another
                ``n_workers``, or an unknown ``isolation``.
            ObjectiveNotPicklableError: With ``isolation="process"``, when the objective
                cannot be sent to a child process.
            TrialProcessError: With ``isolation="process"``, when a trial's process died
                before loading the objective (often a script without an
                ``if __name__ == "__main__":`` guard).
            KeyboardInterrupt: After Ctrl-C, once the running trials are told.
            NameError: Or another programming error, when the call's first three trials
                fail with it identically before any trial of the study completed (see
                :mod:`paretune.study._fail_fast`).
        """
        from paretune.datasets._dataset import search_in_progress
        from paretune.study._optimize import run_optimize

        with search_in_progress():
            run_optimize(
                self,
                objective,
                n_trials,
                timeout,
                catch,
                callbacks,
                n_workers,
                max_cost,
                show_progress_bar,
                n_jobs,
                executor,
                trial_timeout,
                isolation,
            )

    def stop(self) -> None:
        """Ask a running :meth:`optimize` to start no further trial (e.g. from a callback)."""
        self._stop_requested = True
