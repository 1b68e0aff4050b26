"""The choice of mitigation as part of a search space: ``suggest``, ``build`` and ``fit``."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Protocol

from sklearn.base import clone

from paretune.evaluate._inputs import group_params
from paretune.exceptions import MitigationInputError
from paretune.mitigation._abstain import Abstain
from paretune.mitigation._reduction import CONSTRAINTS
from paretune.mitigation._reduction import Reduction
from paretune.mitigation._thresholds import THRESHOLD_CONSTRAINTS
from paretune.mitigation._thresholds import GroupThresholds
from paretune.mitigation._weights import check_sample_weight

METHODS = ("none", "reduction", "thresholds", "abstain")
"""Mitigation methods :func:`suggest` chooses between."""

EPS_RANGE = (0.005, 0.2)
"""Range of ``reduction_eps`` (searched on a log scale)."""

ABSTAIN_RANGE = (0.02, 0.3)
"""Range of ``abstain_threshold``."""


class _Suggests(Protocol):
    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float:
        """A float parameter."""

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        """A categorical parameter."""


class _Fixed:
    """Answers ``suggest_*`` from stored parameters, to rebuild a trial's estimator."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self._params = params

    def _get(self, name: str) -> Any:
        if name not in self._params:
            raise MitigationInputError(
                f"The parameters have no {name!r}: rebuild only from parameters that "
                f"pt.mitigation.suggest chose (a trial's params); got {sorted(self._params)}."
            )
        return self._params[name]

    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float:
        return float(self._get(name))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        return self._get(name)


def _checked(
    base_estimator: Any, methods: Sequence[str], constraints: Sequence[str]
) -> tuple[list[str], list[str], list[str]]:
    """Methods, and the constraints each of reduction and thresholds can take."""
    methods = list(methods)
    wrong = [m for m in methods if m not in METHODS]
    if not methods or wrong or len(set(methods)) != len(methods):
        raise MitigationInputError(
            f"methods must be distinct names from {list(METHODS)}, got {methods!r}."
        )
    constraints = list(constraints)
    unknown = [c for c in constraints if c not in CONSTRAINTS]
    if not constraints or unknown:
        raise MitigationInputError(
            f"constraints must be names from {list(CONSTRAINTS)}, got {constraints!r}."
        )
    for_thresholds = [c for c in constraints if c in THRESHOLD_CONSTRAINTS]
    if "thresholds" in methods and not for_thresholds:
        raise MitigationInputError(
            f"None of the constraints {constraints} is available to GroupThresholds (no "
            "error-rate parity); add another constraint or drop 'thresholds' from methods."
        )
    if "reduction" in methods:
        check_sample_weight(base_estimator, who="Reduction")
    return methods, constraints, for_thresholds


def suggest(
    trial: _Suggests,
    base_estimator: Any,
    methods: Sequence[str] = METHODS,
    *,
    constraints: Sequence[str] = ("equalized_odds",),
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    random_state: Any = None,
) -> Any:
    """Let a trial choose a mitigation and its knobs; return the unfitted estimator.

    Parameters it suggests (define-by-run: only the chosen method's knobs appear):

    - ``mitigation``: one of ``methods``.
    - ``"reduction"``: ``reduction_constraint`` (one of ``constraints``) and
      ``reduction_eps`` (:data:`EPS_RANGE`, log scale) for a :class:`Reduction`.
    - ``"thresholds"``: ``thresholds_constraint`` for :class:`GroupThresholds`.
    - ``"abstain"``: ``abstain_threshold`` (:data:`ABSTAIN_RANGE`) and
      ``abstain_per_group`` for :class:`Abstain`.
    - ``"none"``: nothing; a clone of ``base_estimator``.

    A knob fixed in ``settings`` is not suggested. Fit the result with :func:`fit` (which
    hands the groups to the estimators that take them) and score it with
    :func:`paretune.evaluate.classifier`, so one objective serves every method. To rebuild
    a trial's estimator later, call :func:`build` on its params.

    Args:
        trial: The :class:`~paretune.Trial` (anything with ``suggest_float`` and
            ``suggest_categorical``).
        base_estimator: The unfitted classifier every method starts from; cloned, never
            changed. With ``"reduction"`` its ``fit`` must take ``sample_weight`` (a
            Pipeline's last step's).
        methods: Which of :data:`METHODS` to choose between.
        constraints: Fairness constraints the reductions and thresholds choose between
            (names as for :class:`Reduction`); one name fixes it.
        settings: Fixed constructor arguments per method, e.g. ``{"reduction":
            {"method": "grid_search", "grid_size": 20}, "abstain": {"per_group": True}}``;
            they replace the suggested knob of the same name.
        random_state: Passed to :class:`Reduction` and :class:`GroupThresholds`, whose
            predictions are randomised (unless ``settings`` sets it).

    Returns:
        An unfitted estimator.

    Raises:
        MitigationInputError: Unknown methods, constraints or ``settings`` keys,
            ``"reduction"`` with an estimator whose ``fit`` takes no ``sample_weight``, or
            ``"thresholds"`` with only error-rate parity to choose from.

    Examples:
        >>> import paretune as pt
        >>> from sklearn.linear_model import LogisticRegression
        >>> study = pt.create_study(objectives={"accuracy": "maximize"}, seed=0)
        >>> trial = study.ask()
        >>> model = pt.mitigation.suggest(trial, LogisticRegression())
        >>> trial.params["mitigation"] in pt.mitigation.METHODS
        True
    """
    methods, constraints, for_thresholds = _checked(base_estimator, methods, constraints)
    fixed = _settings(settings)
    method = trial.suggest_categorical("mitigation", methods)
    if method == "none":
        return clone(base_estimator)
    kwargs = dict(fixed.get(method, {}))

    def knob(name: str, choose: Any) -> None:
        if name not in kwargs:
            kwargs[name] = choose()

    if method == "abstain":
        knob("threshold", lambda: trial.suggest_float("abstain_threshold", *ABSTAIN_RANGE))
        knob("per_group", lambda: trial.suggest_categorical("abstain_per_group", [False, True]))
        return Abstain(clone(base_estimator), **kwargs)
    kwargs.setdefault("random_state", random_state)
    if method == "reduction":
        knob("constraint", lambda: trial.suggest_categorical("reduction_constraint", constraints))
        knob("eps", lambda: trial.suggest_float("reduction_eps", *EPS_RANGE, log=True))
        return Reduction(clone(base_estimator), **kwargs)
    knob("constraint", lambda: trial.suggest_categorical("thresholds_constraint", for_thresholds))
    return GroupThresholds(clone(base_estimator), **kwargs)


def _settings(settings: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    fixed = {str(k): dict(v) for k, v in (settings or {}).items()}
    unknown = sorted(set(fixed) - {"reduction", "thresholds", "abstain"})
    if unknown:
        raise MitigationInputError(
            f"settings has keys {unknown}; it maps 'reduction', 'thresholds' or 'abstain' "
            "to fixed constructor arguments of that method's estimator."
        )
    return fixed


def build(
    params: Mapping[str, Any],
    base_estimator: Any,
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    random_state: Any = None,
) -> Any:
    """The unfitted estimator :func:`suggest` returned for these parameters.

    Args:
        params: A trial's parameters (``record.params``); keys :func:`suggest` did not
            set are ignored.
        base_estimator: The same base estimator as in the search.
        settings: The same ``settings`` as in the search.
        random_state: As for :func:`suggest`.

    Returns:
        An unfitted estimator.

    Raises:
        MitigationInputError: ``params`` lacks a parameter the chosen method needs.

    Examples:
        >>> from sklearn.linear_model import LogisticRegression
        >>> from paretune.mitigation import build
        >>> build({"mitigation": "abstain", "abstain_threshold": 0.1,
        ...        "abstain_per_group": False}, LogisticRegression())
        Abstain(estimator=LogisticRegression())
    """
    method = _Fixed(params).suggest_categorical("mitigation", METHODS)
    if method not in METHODS:
        raise MitigationInputError(
            f"params['mitigation'] is {method!r}, not one of {list(METHODS)}."
        )
    constraints = [params.get(k) for k in ("reduction_constraint", "thresholds_constraint")]
    known = [c for c in constraints if c in CONSTRAINTS] or ["equalized_odds"]
    return suggest(
        _Fixed(params),
        base_estimator,
        [method],
        constraints=known,
        settings=settings,
        random_state=random_state,
    )


def fit(estimator: Any, X: Any, y: Any, *, sensitive_features: Any = None) -> Any:
    """Fit ``estimator``, handing it the groups if it takes them; return it.

    The groups go to estimators whose ``fit`` has a ``sensitive_features`` parameter (this
    package's, fairlearn's ``ThresholdOptimizer``), also as the last step of a
    ``Pipeline`` (as ``<step>__sensitive_features``, or plainly when scikit-learn's
    metadata routing is enabled). Other estimators are fitted on ``X, y`` alone, so one
    call fits whatever :func:`suggest` returned.

    Args:
        estimator: An unfitted estimator.
        X: Training features.
        y: Training labels.
        sensitive_features: Group labels per row.

    Returns:
        The fitted estimator.
    """
    return estimator.fit(X, y, **group_params(estimator, "fit", sensitive_features))
