"""Re-evaluation of finalists: repeats of the best trials' configurations with new seeds.

Picking the best of many noisy validation measurements overfits them (the winner's
curse). Re-running the finalists' configurations with other seeds (or on other splits)
gives each a mean and an interval; decisions then rest on those.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune._seeding import derive_seed
from paretune.pareto import constrained_nondominated_sort
from paretune.pareto import is_pareto_efficient
from paretune.study._outcome import evaluate_outcome
from paretune.trial import TrialRecord
from paretune.trial import TrialRepeat
from paretune.trial import TrialState
from paretune.trial._environment import current_environment

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["Reevaluation", "RepeatSummary", "finalists", "reevaluate", "summarise"]

RepeatFunction = Callable[[dict[str, Any], int], Mapping[str, float]]
"""``fn(params, seed) -> metrics``: retrain a configuration with a seed and measure it."""


@dataclass(frozen=True)
class RepeatSummary:
    """A trial's complete repeats, summarised per metric.

    Attributes:
        trial_number: The trial.
        n: Complete repeats.
        mean: Mean of each metric over the repeats.
        std: Sample standard deviation (0 with one repeat).
        intervals: Two-sided Student t interval of the mean at ``confidence`` (the mean
            itself with one repeat).
        confidence: The intervals' level.
    """

    trial_number: int
    n: int
    mean: Mapping[str, float]
    std: Mapping[str, float]
    intervals: Mapping[str, tuple[float, float]]
    confidence: float

    def cell(self, metric: str) -> str:
        """``"mean [low, high]"`` of ``metric`` with 4 significant digits; ``""`` without it."""
        if metric not in self.mean:
            return ""
        low, high = self.intervals[metric]
        return f"{self.mean[metric]:.4g} [{low:.4g}, {high:.4g}]"


def summarise(
    number: int, repeats: list[TrialRepeat], confidence: float = 0.95
) -> RepeatSummary | None:
    """The summary of one trial's complete ``repeats``; None when none completed.

    Raises:
        ValueError: If ``confidence`` is not in (0, 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"`confidence` must lie in (0, 1), got {confidence!r}.")
    done = [r for r in repeats if r.state is TrialState.COMPLETE]
    if not done:
        return None
    from scipy import stats

    names = sorted(set.intersection(*(set(r.metrics) for r in done)))
    mean, std, intervals = {}, {}, {}
    n = len(done)
    for name in names:
        values = np.array([r.metrics[name] for r in done], dtype=float)
        mean[name] = float(values.mean())
        std[name] = float(values.std(ddof=1)) if n > 1 else 0.0
        half = 0.0
        if n > 1:
            half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * std[name] / math.sqrt(n))
        intervals[name] = (mean[name] - half, mean[name] + half)
    return RepeatSummary(number, n, mean, std, intervals, confidence)


@dataclass(frozen=True)
class Reevaluation:
    """What :meth:`Study.reevaluate` found.

    Attributes:
        summaries: Trial number -> :class:`RepeatSummary`, for every finalist with at
            least one complete repeat.
        front: The finalists no other finalist beats on the repeats' means (feasible by
            their means first), ordered by trial number: the front re-ranked.
        failed: Repeats that failed in this call, as ``(trial number, index, reason)``.
    """

    summaries: Mapping[int, RepeatSummary]
    front: tuple[int, ...]
    failed: tuple[tuple[int, int, str], ...] = ()

    def __str__(self) -> str:
        if not self.summaries:
            return "No finalist has a complete repeat."
        names = sorted({m for s in self.summaries.values() for m in s.mean})
        lines = ["trial  n  " + "  ".join(f"{m} mean [interval]" for m in names) + "  front"]
        for number, s in sorted(self.summaries.items()):
            cells = []
            for m in names:
                low, high = s.intervals.get(m, (math.nan, math.nan))
                cells.append(f"{s.mean.get(m, math.nan):.4g} [{low:.4g}, {high:.4g}]")
            mark = "yes" if number in self.front else ""
            lines.append(f"{number:>5}  {s.n}  " + "  ".join(cells) + f"  {mark}")
        return "\n".join(lines)


def finalists(study: Study, top_k: int) -> list[TrialRecord]:
    """The ``top_k`` best complete trials by constraint-domination rank (the feasible front
    first, then the next fronts, then infeasible trials by violation), ties by number, and
    of trials that measured exactly the same only the first. In a study with a fidelity,
    only trials at the full budget."""
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    if study.fidelity is not None:
        complete = [r for r in complete if r.budget == study.fidelity.high]
    if not complete:
        return []
    violations = [study.violation_of(r.metrics) for r in complete]
    ranks = constrained_nondominated_sort(study.losses(complete), violations)
    order = sorted(range(len(complete)), key=lambda i: (ranks[i], complete[i].number))
    names = [o.name for o in study.objectives] + [c.metric for c in study.constraints]
    chosen, seen = [], set()
    for i in order:  # trials that measured the same (constant predictors) count once
        key = tuple(complete[i].metrics.get(name) for name in names)
        if key not in seen:
            seen.add(key)
            chosen.append(complete[i])
    return chosen[:top_k]


def reevaluate(
    study: Study,
    fn: RepeatFunction,
    *,
    top_k: int,
    repeats: int,
    trials: list[TrialRecord] | None,
    confidence: float,
    catch: tuple[type[BaseException], ...],
) -> Reevaluation:
    """Run the missing repeats of the finalists and summarise them (see
    :meth:`Study.reevaluate`)."""
    for name, value in (("top_k", top_k), ("repeats", repeats)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
    chosen = list(trials) if trials is not None else finalists(study, top_k)
    storage, study_id = study.storage, study._info.study_id
    failed: list[tuple[int, int, str]] = []
    for record in chosen:
        if record.state is not TrialState.COMPLETE:
            raise ValueError(
                f"Trial {record.number} is {record.state.value}; re-evaluate complete trials."
            )
        for index in range(repeats):
            seed = derive_seed(study.trial_seed(record.number), "repeat", index)
            claimed = storage.claim_repeat(
                study_id,
                record.trial_id,
                index,
                seed=seed,
                environment=current_environment(),
                now=time.time(),
            )
            if claimed is None:  # done, or running in another worker
                continue
            reason = None
            metrics: Mapping[str, float] | None = None
            try:
                outcome = evaluate_outcome(
                    fn(dict(record.params), seed), study.objectives, study.constraints
                )
                if outcome.problem is not None:
                    reason = f"invalid metrics: {outcome.problem}"
                else:
                    metrics = outcome.metrics
            except catch as exc:
                reason = f"{type(exc).__name__}: {exc}".strip()
            except BaseException as exc:
                storage.finish_repeat(
                    record.trial_id,
                    index,
                    metrics=None,
                    fail_reason=f"{type(exc).__name__}: {exc}",
                    now=time.time(),
                )
                raise
            storage.finish_repeat(
                record.trial_id, index, metrics=metrics, fail_reason=reason, now=time.time()
            )
            if reason is not None:
                failed.append((record.number, index, reason))
    by_trial: dict[int, list[TrialRepeat]] = {}
    for repeat in storage.get_repeats(study_id):
        by_trial.setdefault(repeat.trial_number, []).append(repeat)
    summaries = {}
    for record in chosen:
        summary = summarise(record.number, by_trial.get(record.number, []), confidence)
        if summary is not None:
            summaries[record.number] = summary
    return Reevaluation(summaries, _front(study, summaries), tuple(failed))


def _front(study: Study, summaries: Mapping[int, RepeatSummary]) -> tuple[int, ...]:
    needed = [o.name for o in study.objectives] + [c.metric for c in study.constraints]
    usable = {k: s for k, s in summaries.items() if all(m in s.mean for m in needed)}
    if not usable:
        return ()
    numbers = sorted(usable)
    means = [dict(usable[k].mean) for k in numbers]
    feasible = [k for k, m in zip(numbers, means, strict=True) if study.violation_of(m) <= 0]
    pool = feasible or numbers
    losses = study.losses_of([dict(usable[k].mean) for k in pool])
    keep = is_pareto_efficient(losses)
    return tuple(k for k, kept in zip(pool, keep, strict=True) if kept)
