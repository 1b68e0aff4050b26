"""What ``ParetoSearchCV.fit`` sets up and runs: study, folds, objective, results, refit."""

from __future__ import annotations

import collections
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paretune._warnings import warn
from paretune.sklearn._copies import copy_with_fresh_locks
from paretune.sklearn._folds import Folds
from paretune.sklearn._folds import Resource
from paretune.sklearn._folds import make_folds
from paretune.sklearn._folds import nested_order
from paretune.sklearn._folds import resolve_resource
from paretune.sklearn._objective import CVObjective
from paretune.sklearn._objective import FitFailures
from paretune.sklearn._objective import check_space
from paretune.sklearn._params import check_constraints
from paretune.sklearn._params import n_workers
from paretune.sklearn._params import seed_of
from paretune.sklearn._refit import Chooser
from paretune.sklearn._refit import resolve_refit
from paretune.sklearn._results import cv_results
from paretune.sklearn._results import front_summary
from paretune.sklearn._routing import Routed
from paretune.sklearn._routing import route_fit
from paretune.sklearn._scoring import Scoring
from paretune.sklearn._scoring import parse_scoring
from paretune.study import Study
from paretune.study import create_study
from paretune.trial import TrialRecord
from paretune.trial import TrialState

__all__ = ["Setup", "prepare", "report_failures"]

_FINISHED = (TrialState.COMPLETE, TrialState.FAILED, TrialState.STOPPED)


@dataclass
class Setup:
    """Everything one ``fit`` call needs, checked before any trial runs."""

    search: Any
    X: Any
    y: Any
    scoring: Scoring
    routed: Routed
    folds: Folds
    resource: Resource | None
    chooser: Chooser | None
    study: Study
    objective: CVObjective

    def finished(self) -> list[TrialRecord]:
        """The study's finished trials, by number."""
        return self.study.get_trials(states=_FINISHED)

    def run(self, n_trials: int | None, timeout: float | None) -> None:
        """Run the trials the study lacks to reach ``n_trials`` (or until ``timeout``)."""
        remaining = None if n_trials is None else n_trials - len(self.finished())
        if remaining is not None and remaining <= 0:
            return
        raising = self.search.error_score == "raise"
        self.study.optimize(
            self.objective,
            n_trials=remaining,
            timeout=timeout,
            catch=() if raising else (Exception,),
            n_workers=n_workers(self.search.n_jobs),
        )

    def results(
        self, records: Sequence[TrialRecord], front: Sequence[TrialRecord]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """``cv_results_`` and ``pareto_front_``."""
        results = cv_results(
            self.study,
            records,
            scoring=self.scoring,
            n_splits=len(self.folds),
            param_names=list(self.objective.space),
            return_train_score=self.search.return_train_score,
            front=front,
        )
        return results, front_summary(results, self.scoring)

    def refit_estimator(self, params: dict[str, Any]) -> Any:
        """A clone of the estimator with ``params`` (and the full budget of an iteration
        resource), fitted on all the data with the estimator's metadata."""
        from sklearn.base import clone

        settings = dict(params)
        if self.resource is not None and self.resource.param is not None:
            fidelity = self.resource.fidelity
            settings[self.resource.param] = (
                round(fidelity.high) if fidelity.integer else fidelity.high
            )
        model = clone(self.search.estimator).set_params(**settings)
        return model.fit(self.X, self.y, **self.routed.fit)


def prepare(search: Any, X: Any, y: Any, params: dict[str, Any]) -> Setup:
    """Check the settings, route the metadata, cut the folds and open the study.

    Raises:
        ValueError: On an invalid setting (scorers, constraints, refit, resource, space).
        StudyIncompatibleError: When ``study_name`` names a study of other objectives,
            constraints or fidelity.
    """
    from sklearn.base import is_classifier

    estimator = search.estimator
    space = check_space(search.param_distributions, estimator)
    scoring = parse_scoring(search.scoring, estimator)
    check_constraints(search.constraints, scoring)
    chooser = resolve_refit(search.refit, scoring)
    routed = route_fit(search, scoring, params)
    seed = seed_of(search.random_state)
    classifier = is_classifier(estimator)
    folds = make_folds(
        search.cv,
        X,
        y,
        classifier=classifier,
        split_params=routed.split,
        sensitive=params.get("sensitive_features"),
        seed=seed or 0,
    )
    resource = resolve_resource(search.resource, estimator, space, folds, y, classifier)
    orders = []
    if resource is not None and resource.param is None:
        orders = [
            nested_order(train, y, classifier, (seed or 0) + k)
            for k, (train, _) in enumerate(folds)
        ]
    study = create_study(
        objectives={name: d.value for name, d in scoring.directions.items()},
        constraints=search.constraints,
        storage=search.storage,
        sampler=copy_with_fresh_locks(search.sampler),
        seed=seed,
        study_name=search.study_name,
        load_if_exists=True,
        fidelity=None if resource is None else resource.fidelity,
    )
    objective = CVObjective(
        estimator=estimator,
        space=space,
        X=X,
        y=y,
        folds=folds,
        scoring=scoring,
        routed=routed,
        error_score=search.error_score,
        return_train_score=search.return_train_score,
        resource=resource,
        orders=orders,
    )
    return Setup(search, X, y, scoring, routed, folds, resource, chooser, study, objective)


def report_failures(
    records: Sequence[TrialRecord], before: set[int], fits: FitFailures, error_score: Any
) -> None:
    """Raise when no trial completed; warn once about this call's failed trials and the
    fits ``error_score`` replaced.

    Raises:
        ValueError: When the study has no complete trial (the message gives the first
            failure's reason).
    """
    from sklearn.exceptions import FitFailedWarning

    complete = [r for r in records if r.state is TrialState.COMPLETE]
    failed = [r for r in records if r.state is TrialState.FAILED and r.number not in before]
    if not complete:
        first = next((r.fail_reason for r in records if r.fail_reason), "no trial finished")
        raise ValueError(
            f"All {len(records)} trials of the search failed, so there is nothing to choose "
            f"from. The first failure: {first}. Set error_score='raise' to see the traceback."
        )
    parts = []
    if failed:
        reasons = collections.Counter(r.fail_reason or "unknown" for r in failed)
        listed = "; ".join(f"{n} x {reason}" for reason, n in reasons.most_common())
        parts.append(
            f"{len(failed)} of {len(records)} trials failed and are left off the front "
            f"({listed}); their tracebacks are in search.study_.trials_dataframe() and each "
            "record's `traceback`"
        )
    if fits.errors:
        listed = "; ".join(f"{n} x {reason}" for reason, n in fits.errors.most_common())
        parts.append(
            f"{sum(fits.errors.values())} of {fits.fits} fits failed and were scored "
            f"error_score={error_score!r} ({listed})"
        )
    if parts:
        hint = "set error_score='raise' to stop at the first error"
        warn(". ".join(parts) + f"; {hint}.", FitFailedWarning)
