"""What a study found: losses, the front, selection, re-evaluation, reports.

:class:`StudyResults` is the query half of :class:`~paretune.study.Study`, kept apart so
that the study module holds identity and the ask/tell loop. It reads the study only
through the abstract members below, which ``Study`` defines.
"""

from __future__ import annotations

import abc
import os
import pathlib
from collections.abc import Container
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import cast

import numpy as np

from paretune._warnings import warn
from paretune.constraints import Constraint
from paretune.exceptions import NoFeasibleTrialWarning
from paretune.fidelity import Fidelity
from paretune.objectives import Objective
from paretune.pareto import hypervolume
from paretune.pareto import is_pareto_efficient
from paretune.storages import BaseStorage
from paretune.storages import StudyInfo
from paretune.study._losses import losses_of
from paretune.study._losses import violation_of
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    import pandas as pd

    from paretune.analysis import FidelityReport
    from paretune.select import SelectionRule
    from paretune.study._reevaluate import Reevaluation
    from paretune.study._reevaluate import RepeatFunction
    from paretune.study._reevaluate import RepeatSummary
    from paretune.study._study import Study

__all__ = ["StudyResults"]


class StudyResults(abc.ABC):
    """Queries on a study's trials (mixed into :class:`~paretune.study.Study`)."""

    _info: StudyInfo
    _storage: BaseStorage

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The study's name."""

    @property
    @abc.abstractmethod
    def objectives(self) -> tuple[Objective, ...]:
        """The objectives, in order."""

    @property
    @abc.abstractmethod
    def constraints(self) -> tuple[Constraint, ...]:
        """The hard and soft constraints on metrics."""

    @property
    @abc.abstractmethod
    def fidelity(self) -> Fidelity | None:
        """The training budget of a multi-fidelity study, or None."""

    @abc.abstractmethod
    def get_trials(self, states: Container[TrialState] | None = None) -> list[TrialRecord]:
        """The study's trial records ordered by number."""

    def losses(self, records: Iterable[TrialRecord]) -> np.ndarray:
        """Objective values of ``records`` as an ``n x m`` array of losses (minimised).

        Maximised objectives are negated, so smaller is better in every column. Each soft
        constraint adds its penalty, ``weight * max(0, violation)``, to every column.
        """
        return self.losses_of([r.metrics for r in records])

    def losses_of(self, measurements: Iterable[Mapping[str, float]]) -> np.ndarray:
        """Like :meth:`losses`, for metric dicts (e.g. intermediate reports).

        A soft constraint whose metric is missing from a dict adds no penalty.
        """
        return losses_of(self.objectives, self.constraints, measurements)

    def violation_of(self, measurement: Mapping[str, float]) -> float:
        """Total positive violation of the hard constraints whose metrics ``measurement`` has."""
        return violation_of(self.constraints, measurement)

    def pareto_front(self) -> list[TrialRecord]:
        """The feasible, non-dominated complete trials, ordered by number.

        The front is always ordered by trial number (not by any objective), so the same
        trials give the same list and selection rules break ties the same way.

        In a study with a fidelity, only trials at the full budget count.

        When trials completed but none satisfies every constraint, a
        :class:`~paretune.exceptions.NoFeasibleTrialWarning` says how close the best came,
        and the front is empty.
        """
        complete = self.get_trials(states=(TrialState.COMPLETE,))
        if self.fidelity is not None:  # only full-budget measurements are comparable
            top = self.fidelity.high
            complete = [r for r in complete if r.budget is not None and np.isclose(r.budget, top)]
        feasible = [r for r in complete if r.feasible]
        if complete and not feasible:
            closest = min(complete, key=lambda r: r.total_violation)
            detail = ", ".join(
                f"{c} (measured {closest.metrics[c.metric]:g})"
                for c in self.constraints
                if closest.constraints.get(c.metric, 0.0) > 0
            )
            warn(
                f"None of the {len(complete)} complete trials of study {self.name!r} satisfies "
                f"every constraint; the closest, trial {closest.number}, violates {detail}. "
                "Relax the constraints or widen the search space.",
                NoFeasibleTrialWarning,
            )
            return []
        if not feasible:
            return []
        mask = is_pareto_efficient(self.losses(feasible))
        return [r for r, keep in zip(feasible, mask, strict=False) if keep]

    def hypervolume(self, reference_point: Mapping[str, float]) -> float:
        """Hypervolume of the feasible Pareto front, in the objectives' own units.

        Args:
            reference_point: Objective name -> the worst value worth counting (for a
                maximised objective, a lower bound; for a minimised one, an upper bound).

        Returns:
            The volume of the objective region the front dominates inside the reference box.
        """
        missing = [o.name for o in self.objectives if o.name not in reference_point]
        if missing:
            raise ValueError(f"`reference_point` lacks objective(s) {missing!r}.")
        front = self.pareto_front()
        ref = np.asarray([o.sign * float(reference_point[o.name]) for o in self.objectives])
        return hypervolume(self.losses(front), ref) if front else 0.0

    def select(
        self, rule: SelectionRule, *, candidates: Sequence[TrialRecord] | None = None
    ) -> TrialRecord:
        """Pick the one trial to ship (the operating point) by a rule of :mod:`paretune.select`.

        Args:
            rule: A :class:`~paretune.select.SelectionRule`, such as
                ``pt.select.Knee()`` or ``pt.select.EpsilonConstraint(maximize="accuracy",
                limits={"eo_diff": 0.05})``.
            candidates: Complete trials to choose from; None: :meth:`pareto_front`.

        Returns:
            The chosen trial's record. Trials with identical objective and constrained
            metrics count as one candidate, represented by the lowest-numbered.

        Raises:
            NoSelectionError: If there is no candidate (an empty front) or none satisfies
                the rule; the message names the closest one.
            ValueError: If the rule names a metric the study lacks (the message lists the
                valid names).
            TypeError: If ``rule`` is not a selection rule.

        Examples:
            >>> import paretune as pt
            >>> study = pt.create_study(objectives={"accuracy": "maximize", "eo_diff": "minimize"})
            >>> for acc, eo in [(0.80, 0.01), (0.86, 0.02), (0.88, 0.08)]:
            ...     _ = study.tell(study.ask(), {"accuracy": acc, "eo_diff": eo})
            >>> study.select(pt.select.Knee()).number
            1
        """
        from paretune.select import SelectionRule

        if not isinstance(rule, SelectionRule):
            raise TypeError(
                f"`rule` must be a paretune.select rule such as pt.select.Knee(), but got {rule!r}."
            )
        chosen = self.pareto_front() if candidates is None else list(candidates)
        return rule.choose(cast("Study", self), chosen)

    def reevaluate(
        self,
        fn: RepeatFunction,
        top_k: int = 10,
        repeats: int = 5,
        *,
        trials: Sequence[TrialRecord] | None = None,
        confidence: float = 0.95,
        catch: tuple[type[BaseException], ...] = (Exception,),
    ) -> Reevaluation:
        """Re-run the finalists' configurations with new seeds and re-rank them.

        The finalists are the ``top_k`` best complete trials by constraint-domination (the
        feasible front first, then the next fronts), or ``trials``. Each gets ``repeats``
        runs of ``fn(params, seed)`` (seeds derived from the trial's seed), stored beside
        the trial: its own metrics are never overwritten. Each repeat is claimed once in
        the storage, so several workers (processes sharing an SQL storage) can call this
        at once and split the work; a call runs only the repeats nobody has claimed, so
        calling it again after adding repeats or finalists reuses what is stored. A repeat
        whose ``fn`` raises one of ``catch`` or returns invalid metrics is stored as
        failed and left out of the means; any other exception propagates.

        Args:
            fn: ``fn(params, seed) -> metrics``: retrain with that seed (or on that split)
                and measure as the objective did.
            top_k: How many finalists.
            repeats: Repeats per finalist.
            trials: Re-evaluate these complete trials instead of the top ``top_k``.
            confidence: Level of the intervals in the result.
            catch: Exception types that fail one repeat without stopping.

        Returns:
            A :class:`~paretune.study.Reevaluation`: per finalist the number of repeats,
            mean, standard deviation and interval of every metric, and the front of the
            finalists re-ranked on the means.
        """
        from paretune.study._reevaluate import reevaluate

        chosen = None if trials is None else list(trials)
        return reevaluate(
            cast("Study", self),
            fn,
            top_k=top_k,
            repeats=repeats,
            trials=chosen,
            confidence=confidence,
            catch=catch,
        )

    def repeats(self, number: int) -> list[dict[str, float]]:
        """The metrics of each complete repeat of trial ``number`` (see :meth:`reevaluate`),
        in repeat order; an empty list when it has none."""
        return [
            dict(r.metrics)
            for r in self._storage.get_repeats(self._info.study_id)
            if r.trial_number == number and r.state is TrialState.COMPLETE
        ]

    def repeat_summary(self, number: int, confidence: float = 0.95) -> RepeatSummary | None:
        """Mean, standard deviation and interval per metric over trial ``number``'s complete
        repeats; None without any."""
        from paretune.study._reevaluate import summarise

        repeats = [
            r for r in self._storage.get_repeats(self._info.study_id) if r.trial_number == number
        ]
        return summarise(number, repeats, confidence)

    def fidelity_report(self, *, threshold: float = 0.3, warn: bool = True) -> FidelityReport:
        """Cross-fidelity calibration: does each cheap rung rank configurations as the top does?

        For every rung below the top, over the configurations measured at both that rung
        and the top budget: Kendall's tau and Spearman's rho of every objective, how many
        configurations of the final Pareto front the rung's rule (keep the best ``1 / eta``)
        would have stopped (promotion regret), and the seconds of training spent there.
        Works for budgeted studies (trials at each budget) and training-loop studies
        (reports at the rung steps against the final metrics). Pairs exist only for
        configurations that were promoted, a biased sample; give the scheduler a
        ``bias_guard`` (e.g. 0.1) to send some configurations up unjudged.

        Args:
            threshold: The Kendall tau below which a rung is called non-predictive.
            warn: Emit a :class:`~paretune.exceptions.FidelityWarning` per such rung.

        Returns:
            The :class:`~paretune.analysis.FidelityReport` (``print`` it for a table).
        """
        from paretune.analysis import fidelity_report

        return fidelity_report(cast("Study", self), threshold=threshold, warn=warn)

    def report(self, path: str | os.PathLike[str]) -> pathlib.Path:
        """Write the study's HTML report (set-up, plots, front, failures, calibration,
        test-split evaluation) to ``path``: one file that opens offline.

        Returns:
            The absolute path written.

        Raises:
            ImportError: Without plotly (``pip install 'paretune[plot]'``).
        """
        from paretune.report import write_report

        return write_report(cast("Study", self), path)

    def trials_dataframe(self) -> pd.DataFrame:
        """One row per trial: number, state, params, metrics, violations, feasibility, times.

        Columns are ``number``, ``state``, ``params.<name>``, ``metrics.<name>``,
        ``constraints.<metric>`` (violations), ``feasible``, ``started_at``,
        ``finished_at``, ``duration_s``, ``seed``, ``fail_reason``, ``fail_kind`` and
        ``user_attrs.<key>``.
        """
        from paretune.study._dataframe import trials_to_dataframe

        return trials_to_dataframe(self.get_trials())
