"""``ParetoSearchCV``: a scikit-learn search whose result is a Pareto front."""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.base import MetaEstimatorMixin
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import indexable

from paretune.exceptions import FailedTrialsWarning
from paretune.sklearn import _fit
from paretune.sklearn._copies import Pickled
from paretune.sklearn._copies import copy_with_fresh_locks
from paretune.sklearn._copies import pickled_with_fresh_locks
from paretune.sklearn._delegate import RefitDelegation
from paretune.sklearn._params import validate
from paretune.sklearn._routing import metadata_router
from paretune.sklearn._routing import route_score
from paretune.sklearn._scoring import parse_scoring

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["ParetoSearchCV"]


class ParetoSearchCV(RefitDelegation, MetaEstimatorMixin, BaseEstimator):  # type: ignore[misc]
    """Cross-validated search for the Pareto front of several scores, as a scikit-learn
    estimator.

    Each trial of a paretune study draws a configuration from ``param_distributions``, fits
    a clone of ``estimator`` on every training fold and scores it on the test fold with
    every scorer; the mean test score of each scorer is one objective. After ``n_trials``
    trials (or ``timeout``), ``refit`` picks one configuration of the feasible front and
    fits it on all the data.

    Args:
        estimator: A scikit-learn estimator (or pipeline), cloned for every fit.
        param_distributions: Parameter name -> a paretune distribution
            (``pt.distributions.FloatDistribution(1e-3, 1e2, log=True)``,
            ``IntDistribution``, ``CategoricalDistribution``); a list is categorical.
        scoring: Objective name -> scorer: a scikit-learn scorer name (``"accuracy"``,
            ``"neg_log_loss"``) or a callable ``scorer(estimator, X, y)``, such as
            :func:`~paretune.sklearn.fairness_scorer`. A list of names, one name or
            callable (named ``"score"``), or None (the estimator's ``score``) also work.
            Scores are maximised, as in scikit-learn, except those of a scorer whose
            ``greater_is_better`` attribute is False (fairness differences).
        constraints: Metric -> ``("<=", bound)`` or ``(">=", bound)`` on a scorer's mean
            or on ``fit_time`` / ``score_time`` (mean seconds per fold); a trial that
            breaks one is left off the front.
        cv: Folds: an integer (``StratifiedKFold`` for classifiers, ``KFold`` otherwise;
            with ``sensitive_features`` given to ``fit``, a classifier's folds are
            :func:`paretune.evaluate.stratified_folds` of label and group), a splitter,
            or an iterable of ``(train, test)`` rows.
        n_trials: Trials the study holds when ``fit`` returns: ``fit`` runs what is
            missing, so a resumed study only finishes its budget.
        timeout: Seconds after which no new trial starts.
        random_state: Seeds the default sampler, the trials and the shuffled folds.
        sampler: A paretune sampler, copied at every ``fit`` (the instance itself is never
            used); None is the study default, :class:`~paretune.samplers.AutoSampler`
            seeded with ``random_state``.
        resource: None (every trial at the full budget), ``"n_samples"`` (trials train
            on a subsample of each training fold), an iteration parameter of the estimator
            such as ``"max_iter"`` (its current value is the full budget), or a
            :class:`~paretune.fidelity.Fidelity` on either with its own bounds. The study's
            default :class:`~paretune.schedulers.HyperbandScheduler` picks each trial's
            budget; only full-budget trials enter the front.
        refit: True (the :class:`~paretune.select.Knee` of the front; with one objective,
            the best trial), a :mod:`paretune.select` rule, a scorer name (the front's
            best on that score), a callable ``(study) -> TrialRecord``, or False.
        storage: None (in memory), a URL such as ``"sqlite:///search.db"``, or a storage
            object (shared by clones; a URL keeps the search picklable).
        study_name: The study's name; with a storage, ``fit`` continues the study of that
            name if it exists.
        n_jobs: Trials run at once on threads (``n_workers`` of ``optimize``); -1 uses
            every core.
        error_score: ``np.nan`` fails the trial of a fit or score that raises; a number
            stands for every score of that fold (with one warning for the whole ``fit``);
            ``"raise"`` raises.
        return_train_score: Also score the training folds.

    Attributes:
        cv_results_: Dict of arrays, one row per finished trial, as in ``GridSearchCV``
            (``params``, ``param_<name>``, ``split<k>_test_<score>``,
            ``mean_test_<score>``, ``std_test_<score>``, ``rank_test_<score>``,
            ``mean_fit_time``, ...), plus ``trial_number``, ``state``, ``feasible``,
            ``pareto_rank`` (1 is the front), ``on_front`` and with a resource
            ``n_resources``. ``pd.DataFrame(search.cv_results_)`` makes a table.
        best_index_: Row of ``cv_results_`` that ``refit`` chose.
        best_params_: Its parameters.
        best_score_: Its mean test score of the first scorer.
        best_estimator_: The estimator refit on all the data with ``best_params_``.
        pareto_front_: One dict per trial on the front: ``index`` (row), ``params``, the
            mean test score of each scorer by name, ``fit_time`` and ``score_time``.
        study_: The paretune study (not pickled; with a storage URL it is loaded again).
        n_splits_: Number of folds.
        refit_time_: Seconds spent refitting.
        scorer_: The scorer dict (multimetric) or the one scorer.
        multimetric_: Whether ``scoring`` named several scorers (a dict or list).

    Examples:
        >>> import paretune as pt
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = make_classification(n_samples=200, random_state=0)
        >>> search = pt.sklearn.ParetoSearchCV(
        ...     LogisticRegression(),
        ...     {"C": pt.distributions.FloatDistribution(1e-3, 1e2, log=True)},
        ...     scoring={"accuracy": "accuracy", "recall": "recall"},
        ...     n_trials=4, cv=3, random_state=0,
        ... ).fit(X, y)
        >>> bool(search.cv_results_["on_front"].any())
        True
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: Mapping[str, Any],
        *,
        scoring: Any,
        constraints: Mapping[str, Any] | None = None,
        cv: Any = 5,
        n_trials: int | None = 50,
        timeout: float | None = None,
        random_state: Any = None,
        sampler: Any = None,
        resource: Any = None,
        refit: Any = True,
        storage: Any = None,
        study_name: str | None = None,
        n_jobs: int | None = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.scoring = scoring
        self.constraints = constraints
        self.cv = cv
        self.n_trials = n_trials
        self.timeout = timeout
        self.random_state = random_state
        self.sampler = sampler
        self.resource = resource
        self.refit = refit
        self.storage = storage
        self.study_name = study_name
        self.n_jobs = n_jobs
        self.error_score = error_score
        self.return_train_score = return_train_score

    def fit(self, X: Any, y: Any = None, **params: Any) -> ParetoSearchCV:
        """Search, then refit the chosen configuration on all of ``X``.

        Args:
            X: Training data, ``n_samples x n_features`` (or what the estimator takes).
            y: Targets, or None.
            **params: Metadata, cut with the folds: ``sensitive_features`` for the
                fairness scorers, ``groups`` for the splitter, the rest (``sample_weight``,
                ...) for the estimator's ``fit``; with metadata routing enabled, whatever
                each consumer requests (see the user guide).

        Returns:
            The fitted search.

        Raises:
            ValueError: On invalid parameters or a non-finite ``y``, when every trial
                failed (the message gives the first error), or when refit finds no
                feasible trial (``NoSelectionError``).
            TypeError: Or another programming error, when the first three trials fail
                with it identically (the study's fail-fast: the estimator or the
                metadata is at fault, not a configuration).
        """
        validate(self)
        for stale in (
            "best_index_",
            "best_params_",
            "best_score_",
            "best_estimator_",
            "refit_time_",
        ):
            self.__dict__.pop(stale, None)  # a refit=False fit must not keep an old choice
        X, y = indexable(X, y)
        if y is not None and np.asarray(y).dtype.kind in "fc":  # fail before any trial
            assert_all_finite(y, input_name="y")
        setup = _fit.prepare(self, X, y, params)
        self._study = setup.study
        before = {r.number for r in setup.finished()}
        with warnings.catch_warnings():  # failures are summarised below, with error_score
            warnings.simplefilter("ignore", FailedTrialsWarning)
            setup.run(self.n_trials, self.timeout)
        records = setup.finished()
        _fit.report_failures(records, before, setup.objective.failures, self.error_score)
        front = setup.study.pareto_front()
        self.cv_results_, self.pareto_front_ = setup.results(records, front)
        self.n_splits_ = len(setup.folds)
        self.multimetric_ = setup.scoring.multimetric
        scorers = setup.scoring.scorers
        self.scorer_ = scorers if setup.scoring.multimetric else scorers[setup.scoring.first]
        self._first = setup.scoring.first
        if setup.chooser is None:
            return self
        chosen = setup.chooser(setup.study, front)
        numbers = list(self.cv_results_["trial_number"])
        if chosen.number not in numbers:
            raise ValueError(f"refit chose trial {chosen.number}, which has not finished.")
        self.best_index_ = numbers.index(chosen.number)
        self.best_params_ = dict(chosen.params)
        self.best_score_ = float(self.cv_results_[f"mean_test_{self._first}"][self.best_index_])
        started = time.perf_counter()
        self.best_estimator_ = setup.refit_estimator(self.best_params_)
        self.refit_time_ = time.perf_counter() - started
        return self

    @property
    def study_(self) -> Study:
        """The study of the last ``fit``; loaded from ``storage`` after unpickling."""
        study = self.__dict__.get("_study")
        if study is not None:
            return study  # type: ignore[no-any-return]
        name = self.__dict__.get("_study_name")
        if name is not None and isinstance(self.storage, str):
            from paretune import load_study

            self._study = load_study(study_name=name, storage=self.storage)
            return self._study
        raise AttributeError(
            "study_ is not available: the search is not fitted, or it was copied or "
            "unpickled and its study lived in memory (pass storage='sqlite:///...' to keep it)."
        )

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())  # a copy: never edit self
        study = state.pop("_study", None)
        if study is not None:
            state["_study_name"] = study.name
        if state.get("sampler") is not None:  # samplers hold locks, which pickle refuses
            try:
                state["sampler"] = pickled_with_fresh_locks(state["sampler"])
            except Exception:  # pickle fails on it for another reason: let it say so
                pass
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if isinstance(state.get("sampler"), Pickled):
            state = {**state, "sampler": state["sampler"].load()}
        super().__setstate__(state)

    def __sklearn_clone__(self) -> ParetoSearchCV:
        """An unfitted copy with the same parameters: the sampler copied with new locks, a
        storage object shared (it is a handle on the database), the rest cloned."""
        from sklearn.base import clone

        params = self.get_params(deep=False)
        sampler, storage = params.pop("sampler"), params.pop("storage")
        copied = {name: clone(value, safe=False) for name, value in params.items()}
        sampler = None if sampler is None else copy_with_fresh_locks(sampler)
        return type(self)(**copied, sampler=sampler, storage=storage)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        return tags

    def get_metadata_routing(self) -> Any:
        """The :class:`~sklearn.utils.metadata_routing.MetadataRouter` of the search: the
        estimator's ``fit``, every scorer's ``score`` (as ``scorer[<name>]``) and the
        splitter's ``split``."""
        scoring = parse_scoring(self.scoring, self.estimator)
        return metadata_router(self, self.estimator, scoring, self.cv)

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """The first scorer's score of ``best_estimator_`` on ``(X, y)``.

        Args:
            X: Data to score on.
            y: Its targets.
            **params: Metadata for the scorer, such as ``sensitive_features`` for a
                fairness scorer.
        """
        estimator = self._refit_estimator("score")
        scorer: Any = self.scorer_
        if self.multimetric_:
            scorer = scorer[self._first]
        routed = route_score(self, self._first, scorer, params)
        return float(scorer(estimator, X, y, **routed))
