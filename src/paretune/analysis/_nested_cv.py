"""Nested cross-validation: an estimate of the whole tuning procedure's performance."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from paretune.analysis._test_front import study_metrics
from paretune.datasets import Split
from paretune.evaluate._cross_validation import check_metrics
from paretune.evaluate._evaluators import classifier
from paretune.evaluate._folds import resolve_data
from paretune.evaluate._folds import stratified_folds
from paretune.evaluate._folds import take
from paretune.evaluate._folds import warn_small_groups
from paretune.evaluate._intervals import _check_confidence
from paretune.evaluate._intervals import t_summary
from paretune.evaluate._result import Evaluation
from paretune.exceptions import NoSelectionError

if TYPE_CHECKING:
    import pandas as pd

    from paretune.study import Study
    from paretune.trial import TrialRecord


@dataclass(frozen=True)
class NestedCVFold:
    """One outer fold: the search's choice and its score on the rows the search never saw.

    Attributes:
        index: The outer fold, from 0.
        trial_number: The chosen trial of the fold's study.
        params: Its parameters, as given to ``refit``.
        inner: Its metrics in the inner search (the optimistic figures).
        outer: The refitted model's :func:`~paretune.evaluate.classifier` metrics on the
            outer test fold.
        train_rows: Positions of the outer-training rows (all the search and refit saw).
        test_rows: Positions of the outer test rows.
        study: The fold's study, searched on ``train_rows`` only.
    """

    index: int
    trial_number: int
    params: dict[str, Any]
    inner: dict[str, float]
    outer: Evaluation
    train_rows: np.ndarray
    test_rows: np.ndarray
    study: Study


@dataclass(frozen=True)
class NestedCVResult:
    """:func:`nested_cv`'s folds and their summary; ``str()`` gives a table.

    Attributes:
        folds: One :class:`NestedCVFold` per outer fold.
        summary: Mean over the folds of each outer metric, ``<metric>_std``, Student-t
            ``intervals`` of each mean, and ``details["folds"]`` (each fold's metrics).
        confidence: Level of the intervals.
    """

    folds: tuple[NestedCVFold, ...]
    summary: Evaluation
    confidence: float

    @property
    def mean(self) -> dict[str, float]:
        """Metric -> its mean over the outer folds (without the ``_std`` entries)."""
        return {k: self.summary[k] for k in self.summary.intervals}

    @property
    def intervals(self) -> dict[str, tuple[float, float]]:
        """Metric -> Student-t interval of its mean, at :attr:`confidence`."""
        return dict(self.summary.intervals)

    def to_frame(self) -> pd.DataFrame:
        """One row per outer fold: ``fold``, ``trial``, the chosen parameters, the metrics."""
        import pandas as pd

        return pd.DataFrame(
            [{"fold": f.index, "trial": f.trial_number, **f.params, **f.outer} for f in self.folds]
        )

    def __str__(self) -> str:
        params = list(dict.fromkeys(p for f in self.folds for p in f.params))
        metrics = list(self.mean)
        rows = [
            [str(f.index), str(f.trial_number)]
            + [_cell(f.params.get(p, "")) for p in params]
            + [f"{f.outer[m]:.4f}" for m in metrics]
            for f in self.folds
        ]
        blank = [""] * (1 + len(params))
        level = f"{self.confidence:.0%}"
        rows.append(["mean", *blank, *(f"{self.mean[m]:.4f}" for m in metrics)])
        rows.append([f"{level} low", *blank, *(f"{self.intervals[m][0]:.4f}" for m in metrics)])
        rows.append([f"{level} high", *blank, *(f"{self.intervals[m][1]:.4f}" for m in metrics)])
        header = ["fold", "trial", *params, *metrics]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
            for r in [header, *rows]
        ]
        return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def best_first_objective(study: Study) -> TrialRecord:
    """The feasible Pareto-front trial with the best first objective (lowest number on ties).

    Raises:
        NoSelectionError: When the study has no feasible complete trial.
    """
    front = study.pareto_front()
    if not front:
        raise NoSelectionError(
            f"Study {study.name!r} has no feasible complete trial to choose; run more "
            "trials, relax the constraints, or pass select=..."
        )
    first = study.objectives[0]
    return min(front, key=lambda r: (first.sign * r.metrics[first.name], r.number))


def _part(X: Any, y: np.ndarray, sensitive: pd.DataFrame | None, rows: np.ndarray) -> Split:
    """The rows ``rows`` as a Split; ``sensitive`` has no columns when there are no groups."""
    import pandas as pd

    features = take(X, rows)
    index = features.index if hasattr(features, "index") else pd.RangeIndex(len(rows))
    groups = pd.DataFrame(index=index) if sensitive is None else sensitive.iloc[rows]
    return Split(X=features, y=y[rows], sensitive=groups.set_axis(index))


def nested_cv(
    make_study: Callable[[int], Study],
    objective_for: Callable[[Split], Callable[..., Any]],
    data: Any,
    *,
    refit: Callable[[dict[str, Any], Split], Any],
    outer: int = 5,
    n_trials: int = 20,
    select: Callable[[Study], TrialRecord] | None = None,
    metrics: Sequence[str] | None = None,
    sensitive_features: Any = None,
    seed: int = 0,
    confidence: float = 0.95,
    min_group_size: int = 30,
) -> NestedCVResult:
    """Estimate how well the whole tuning procedure does on data it never saw.

    A single search's best validation score is optimistic: the configuration was chosen
    because it scored well on those rows. Nested cross-validation repeats the whole
    procedure (search, choose, refit) on each outer-training part and scores the result
    on the outer fold left out, which no step of the procedure touched. For each of the
    ``outer`` folds (stratified by label x sensitive group, as
    :func:`~paretune.evaluate.stratified_folds`):

    1. ``make_study(fold)`` builds a fresh study (it must have no trials);
    2. it runs ``n_trials`` trials of ``objective_for(train_part)``, which sees the
       outer-training rows only and does its own inner split or cross-validation there;
    3. ``select(study)`` chooses a trial, by default the feasible Pareto-front trial with
       the best first objective;
    4. ``refit(params, train_part)`` fits its configuration on the whole outer-training
       part, and :func:`~paretune.evaluate.classifier` scores it once on the outer fold.

    Args:
        make_study: Fold index -> a new, empty study (e.g. with a sampler seeded by the
            fold); its objectives and constraints name the objective's metrics.
        objective_for: Outer-training part -> the objective the study optimises.
        data: A :class:`paretune.datasets.Split` (or any object with ``X``, ``y`` and
            ``sensitive``), or an ``(X, y)`` tuple.
        refit: ``(params, train_part) -> fitted classifier`` (the same kind of model the
            objective scored, applying any tuned threshold itself).
        outer: Number of outer folds, from 2 to the rarest label's count.
        n_trials: Trials each fold's study runs (one ``study.optimize`` call).
        select: Study -> the trial to refit, e.g. ``lambda s: s.select(rule)``.
        metrics: Names as for :func:`~paretune.evaluate.classifier`; by default the first
            study's objective and constraint metrics that it knows.
        sensitive_features: Group labels per row; with a Split they replace
            ``data.sensitive``.
        seed: Seed of the outer fold shuffle.
        confidence: Level of the Student-t interval of each mean over the outer folds.
        min_group_size: Groups with fewer rows than this in some outer fold trigger one
            :class:`~paretune.exceptions.SmallGroupWarning`.

    The parts handed to ``objective_for`` and ``refit`` are
    :class:`~paretune.datasets.Split` objects: ``X`` keeps a DataFrame's index (rows can
    be traced back), ``y`` is an array and ``sensitive`` a DataFrame of strings (with no
    columns when there are no groups).

    Returns:
        A :class:`NestedCVResult`.

    Raises:
        EvaluationInputError: (a ``ValueError``) On a bad ``outer``, unknown metrics, or
            fairness metrics without groups; before any search.
        NoSelectionError: (a ``ValueError``) When the default ``select`` finds no feasible
            trial in a fold's study.
        ValueError: When ``make_study`` returns a study with trials, or ``confidence`` is
            not in (0, 1).
    """
    _check_confidence(confidence)
    X, y, sensitive = resolve_data(data, sensitive_features)
    splits = stratified_folds(y, sensitive, cv=outer, seed=seed)
    choose = select or best_first_objective
    names = None if metrics is None else list(metrics)
    if names is not None:
        check_metrics(names, sensitive is not None)
    folds = []
    for k, (train, test) in enumerate(splits):
        study = make_study(k)
        if study.trials:
            raise ValueError(
                f"make_study({k}) returned study {study.name!r} with {len(study.trials)} "
                "trials; nested CV needs a fresh study per fold, or earlier folds' rows leak "
                "into its choice. Create a new study (in memory, or a new name) each call."
            )
        if names is None:
            names = study_metrics(study, with_groups=sensitive is not None)
            check_metrics(names, sensitive is not None)
        part = _part(X, y, sensitive, train)
        study.optimize(objective_for(part), n_trials=n_trials)
        record = choose(study)
        model = refit(dict(record.params), part)
        score = classifier(
            model,
            take(X, test),
            y[test],
            sensitive_features=None if sensitive is None else sensitive.iloc[test],
            metrics=names,
            min_group_size=0,  # warned once below
        )
        params, inner = dict(record.params), dict(record.metrics)
        folds.append(NestedCVFold(k, record.number, params, inner, score, train, test, study))
    warn_small_groups([f.outer.by_group for f in folds], min_group_size)
    runs = [dict(f.outer) for f in folds]
    means, intervals = t_summary(runs, confidence)
    summary = Evaluation(
        means, intervals=intervals, details={"folds": runs, "confidence": confidence}
    )
    return NestedCVResult(tuple(folds), summary, confidence)
