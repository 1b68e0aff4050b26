"""The live trial handed to the objective function."""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune import _clock as clock
from paretune._costs import check_cost
from paretune._seeding import uniform
from paretune._storable import check_param
from paretune._values import Decision
from paretune.constraints import check_params
from paretune.constraints._params import describe
from paretune.distributions import CategoricalChoice
from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.distributions import FloatDistribution
from paretune.distributions import IntDistribution
from paretune.exceptions import InvalidConfigurationError
from paretune.exceptions import InvalidMetricsError
from paretune.exceptions import ParameterConflictError
from paretune.exceptions import UpdateFinishedTrialError
from paretune.trial._record import TrialRecord

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["Trial"]

_MAX_REDRAWS = 200
"""Uniform redraws of a parameter that breaks a parameter constraint before giving up."""


class Trial:
    """One evaluation in progress; the objective function receives it.

    Parameters are defined by running: each ``suggest_*`` call names a parameter and its
    range and returns the value to use. Calling ``suggest_*`` again with the same name and
    distribution returns the same value; a different distribution raises
    :class:`~paretune.exceptions.ParameterConflictError`.

    Users do not construct trials; ``Study.ask`` and ``Study.optimize`` do.
    """

    def __init__(
        self,
        study: Study,
        record: TrialRecord,
        relative_params: Mapping[str, Any],
        relative_space: Mapping[str, Distribution],
    ) -> None:
        self._study = study
        self._record = record
        self._relative_params = dict(relative_params)
        self._relative_space = dict(relative_space)
        self._params: dict[str, Any] = dict(record.params)
        self._distributions: dict[str, Distribution] = dict(record.distributions)
        self._last_decision = Decision.CONTINUE
        self._stop_reason: str | None = None
        self._finished = False
        self._fenced = False  # a write was refused: the trial was reaped while it ran
        self._report_costs: dict[int, float] = dict(record.report_costs)

    # ---- identity ------------------------------------------------------------------------
    @property
    def number(self) -> int:
        """The trial's number within the study (0, 1, 2, ... without gaps)."""
        return self._record.number

    @property
    def seed(self) -> int:
        """A seed for the trial's own randomness, derived from the study seed and number."""
        return self._record.seed

    @property
    def params(self) -> dict[str, Any]:
        """A copy of the parameters suggested so far."""
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, Distribution]:
        """A copy of the distributions of the parameters suggested so far."""
        return dict(self._distributions)

    @property
    def study(self) -> Study:
        """The study this trial belongs to."""
        return self._study

    @property
    def trial_id(self) -> int:
        """The storage's identifier of the trial."""
        return self._record.trial_id

    @property
    def record(self) -> TrialRecord:
        """The record the trial started with (parameters suggested since are in ``params``)."""
        return self._record

    # ---- fidelity ----------------------------------------------------------------------
    @property
    def budget(self) -> float | None:
        """The budget to train at (epochs, data fraction, ...) in a study with a fidelity.

        An integer fidelity gives an int. None in studies without a fidelity.
        """
        placement = self._record.placement
        return None if placement is None else self._typed_budget(placement.budget)

    @property
    def previous_budget(self) -> float | None:
        """The budget this configuration reached before, when ``ask`` promoted it; else None.

        Epoch-style jobs resume from the checkpoint of :attr:`previous_trial` and train
        ``budget - previous_budget`` more; data-fraction jobs retrain at ``budget``.
        """
        placement = self._record.placement
        if placement is None or placement.previous_budget is None:
            return None
        return self._typed_budget(placement.previous_budget)

    def _typed_budget(self, budget: float) -> float:
        fidelity = self._study.fidelity
        return round(budget) if fidelity is not None and fidelity.integer else budget

    @property
    def previous_trial(self) -> TrialRecord | None:
        """The record of the trial that trained this configuration at the previous budget.

        Its ``user_attrs`` hold whatever that trial stored, e.g. a checkpoint path.
        """
        placement = self._record.placement
        if placement is None or placement.previous_trial is None:
            return None
        return self._study._record_by_number(placement.previous_trial)

    @property
    def config(self) -> int:
        """The number of the trial that first trained this configuration (often this one)."""
        return self._record.config

    # ---- suggestions ---------------------------------------------------------------------
    def suggest_float(
        self, name: str, low: float, high: float, *, log: bool = False, step: float | None = None
    ) -> float:
        """Suggest a float in ``[low, high]``.

        Args:
            name: The parameter's name, unique within the study.
            low: Lower bound.
            high: Upper bound (``low <= high``).
            log: Sample uniformly in the logarithm (needs ``low > 0``).
            step: Restrict to ``low + k * step``.

        Returns:
            The value to use.

        Examples:
            >>> import paretune as pt
            >>> study = pt.create_study(objectives={"loss": "minimize"}, seed=0)
            >>> trial = study.ask()
            >>> 1e-4 <= trial.suggest_float("lr", 1e-4, 1e-1, log=True) <= 1e-1
            True
        """
        return float(self._suggest(name, FloatDistribution(low, high, log, step)))

    def suggest_int(
        self, name: str, low: int, high: int, *, log: bool = False, step: int = 1
    ) -> int:
        """Suggest an integer in ``[low, high]``.

        Args:
            name: The parameter's name, unique within the study.
            low: Lower bound.
            high: Upper bound (``low <= high``).
            log: Sample uniformly in the logarithm (needs ``low >= 1``).
            step: Restrict to ``low + k * step``.

        Returns:
            The value to use.
        """
        return int(self._suggest(name, IntDistribution(low, high, log, step)))

    def suggest_categorical(
        self, name: str, choices: Sequence[CategoricalChoice]
    ) -> CategoricalChoice:
        """Suggest one of ``choices``.

        Args:
            name: The parameter's name, unique within the study.
            choices: None, bool, int, float or str values (stored as JSON).

        Returns:
            The chosen value.
        """
        return self._suggest(name, CategoricalDistribution(tuple(choices)))  # type: ignore[no-any-return]

    def _suggest(self, name: str, distribution: Distribution) -> Any:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Parameter names must be non-empty strings, got {name!r}.")
        check_param(name, None, distribution)  # what no storage could keep, refused up front
        if self._finished:
            raise UpdateFinishedTrialError(
                f"Trial {self.number} is finished; suggest parameters before telling it."
            )
        if name in self._params:
            if self._distributions[name] != distribution:
                raise ParameterConflictError(
                    f"Parameter {name!r} was already suggested in trial {self.number} as "
                    f"{self._distributions[name]} and now as {distribution}; give each "
                    "distribution its own name."
                )
            return self._params[name]
        self._study._check_distribution(name, distribution)
        value = self._choose(name, distribution)
        guard = self._study._repeats  # deterministic studies: no repeated configuration
        if guard is not None and name not in self._record.enqueued_params:
            value = guard.choose(
                self.number,
                self._params,
                self._distributions,
                name,
                distribution,
                value,
                allowed=self._study.params_allowed,
                seed=self.seed,
            )
        if self._study.param_constraints:
            redrawn = self._satisfy_param_constraints(name, distribution, value)
            if guard is not None and redrawn != value:
                guard.note(self.number, name, redrawn, distribution)
            value = redrawn
        self._write(self._study._storage.set_trial_param, name, value, distribution)
        self._params[name] = value
        self._distributions[name] = distribution
        return value

    def _choose(self, name: str, distribution: Distribution) -> Any:
        enqueued = self._record.enqueued_params
        if name in enqueued:
            value = enqueued[name]
            if isinstance(distribution, FloatDistribution) and isinstance(value, int):
                value = float(value)
            if not distribution.contains(value):
                raise ParameterConflictError(
                    f"The enqueued value {value!r} of {name!r} lies outside {distribution}; "
                    "enqueue a value inside the range the objective suggests."
                )
            return value
        if name in self._relative_params and self._relative_space.get(name) == distribution:
            return self._relative_params[name]
        return self._study.sampler.sample_independent(self._study, self._record, name, distribution)

    def _satisfy_param_constraints(self, name: str, distribution: Distribution, value: Any) -> Any:
        """Redraw ``name`` until the parameter constraints hold, or give up with an error."""
        violated = check_params(self._study.param_constraints, {**self._params, name: value})
        if violated is None:
            return value
        if name in self._record.enqueued_params:
            raise InvalidConfigurationError(
                f"The enqueued configuration breaks the parameter constraint "
                f"{describe(violated)} at {name}={value!r}; enqueue a valid configuration."
            )
        for attempt in range(_MAX_REDRAWS):
            value = distribution.from_unit(uniform(self.seed, self.number, name, attempt))
            if check_params(self._study.param_constraints, {**self._params, name: value}) is None:
                return value
        raise InvalidConfigurationError(
            f"No value of {name!r} in {distribution} satisfied the parameter constraint "
            f"{describe(violated)} in {_MAX_REDRAWS} draws, given {self._params!r}; check that "
            "the constraint can hold for every earlier parameter value."
        )

    # ---- reporting -----------------------------------------------------------------------
    def report(self, metrics: Mapping[str, float], step: int, *, cost: float | None = None) -> None:
        """Record intermediate metrics at ``step`` (an epoch, a data fraction's index, ...).

        Args:
            metrics: Metric name -> finite value.
            step: A non-negative integer; reporting the same step again overwrites it.
            cost: The compute the training took so far, up to and including ``step``
                (cumulative, in the study's ``cost_unit``); None: not told. Schedulers and
                the fidelity report then use it instead of the time since the trial
                started, and the last one becomes the trial's cost if ``tell`` gives none
                (:mod:`paretune._costs`).

        Raises:
            InvalidMetricsError: On a non-finite or non-numeric value.
            ValueError: On a bad ``step``, or a ``cost`` that is negative, not finite, not
                a number, or lower than one reported at an earlier step (or higher than
                one at a later step): costs are running totals.
        """
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValueError(f"`step` must be a non-negative integer, got {step!r}.")
        where = f"report at step {step} of trial {self.number}"
        clean = _clean_metrics(metrics, what=where)
        if cost is not None:
            cost = check_cost(cost, what=where)
            self._check_cumulative(step, cost)
        self._write(self._study._storage.report_intermediate, step, clean, clock.now(), cost)
        self._report_costs.pop(step, None)
        if cost is not None:
            self._report_costs[step] = cost
        broken = [
            c
            for c in self._study.constraints
            if c.stops_early and c.metric in clean and c.violation(clean[c.metric]) > 0
        ]
        if broken:
            self._last_decision = Decision.STOP
            self._stop_reason = (
                f"constraint {broken[0]} violated at step {step} "
                f"(measured {clean[broken[0].metric]:g}); more training cannot repair it"
            )
            return
        scheduler = self._study.scheduler
        if scheduler is not None:
            record = self._study._storage.get_trial(self.trial_id)
            self._last_decision = scheduler.on_report(self._study, record, step)
            if self._last_decision is Decision.STOP:
                self._stop_reason = (
                    f"stopped at step {step} by {type(scheduler).__name__}: outranked by "
                    "other trials at the same step"
                )

    def _check_cumulative(self, step: int, cost: float) -> None:
        for other, earlier in self._report_costs.items():
            if (other < step and earlier > cost) or (other > step and earlier < cost):
                raise ValueError(
                    f"The `cost` reported at step {step} of trial {self.number} is {cost!r}, "
                    f"but step {other} reported {earlier!r}: a report's cost is the running "
                    "total of the training so far, so it never decreases with the step; "
                    "pass the cumulative cost, not the cost of the last step."
                )

    @property
    def reported_cost(self) -> float | None:
        """The cost told with the report at the highest step that had one, or None."""
        if not self._report_costs:
            return None
        return self._report_costs[max(self._report_costs)]

    def should_stop(self) -> bool:
        """Whether the last report showed the trial should end now.

        True when the report violates a hard constraint declared ``independent`` or
        ``monotone`` of the budget, or when the study's scheduler ranks it too low. End the
        trial with ``raise pt.TrialStopped()`` (inside ``optimize``) or
        ``study.tell(trial, state="stopped")``; its reports are kept.
        """
        return self._last_decision is Decision.STOP

    @property
    def stop_reason(self) -> str | None:
        """Why :meth:`should_stop` said True, in one line; None otherwise."""
        return self._stop_reason if self._last_decision is Decision.STOP else None

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON value (e.g. a checkpoint path) to the trial."""
        self._write(self._study._storage.set_trial_user_attr, key, value)

    def _write(self, method: Callable[..., Any], *args: Any) -> None:
        """Write to the trial's stored record; a write refused because the record is finished
        although this object was not told (the trial was reaped while it ran: its lease
        lapsed) marks it as fenced, then raises."""
        try:
            method(self.trial_id, *args)
        except UpdateFinishedTrialError:
            self._fenced = True
            raise

    def _mark_finished(self) -> None:
        self._finished = True

    def __repr__(self) -> str:
        return f"Trial(number={self.number}, params={self._params!r})"


def _clean_metrics(metrics: Mapping[str, Any], *, what: str) -> dict[str, float]:
    if not isinstance(metrics, Mapping):
        raise InvalidMetricsError(
            f"Metrics for the {what} must be a dict of name -> number, got "
            f"{type(metrics).__name__}."
        )
    clean: dict[str, float] = {}
    for key, value in metrics.items():
        if not isinstance(key, str):
            raise InvalidMetricsError(f"Metric names must be strings; the {what} has {key!r}.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidMetricsError(
                f"Metric {key!r} of the {what} is {value!r}, not a number."
            ) from None
        if isinstance(value, bool) or not math.isfinite(number):
            raise InvalidMetricsError(
                f"Metric {key!r} of the {what} is {value!r}; metrics must be finite numbers."
            )
        clean[key] = number
    return clean
