"""Metadata for ``fit``: which child gets what, and each fold's rows of it.

With scikit-learn's metadata routing enabled (``sklearn.set_config(enable_metadata_routing=
True)``), the search is a router like ``GridSearchCV``: the estimator's ``fit``, each
scorer's ``score`` and the splitter's ``split`` receive what they request, and unrequested
metadata raises. Without it, the search routes by hand as scikit-learn's searches do
without it: ``groups`` to the splitter, what a scorer requests (the
:func:`~paretune.sklearn.fairness_scorer` scorers request ``sensitive_features`` whether
routing is on or not) to that scorer, and everything else to the estimator's ``fit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from paretune.sklearn._scoring import Scoring

__all__ = ["Routed", "fold_rows", "metadata_router", "route_fit", "route_score", "scorer_key"]


def scorer_key(name: str) -> str:
    """The router's name for the scorer of objective ``name``."""
    return f"scorer[{name}]"


@dataclass(frozen=True)
class Routed:
    """Metadata of one ``fit`` call, per destination, for all rows.

    Attributes:
        fit: For the estimator's ``fit``.
        split: For the splitter's ``split``.
        score: Objective name -> what its scorer receives.
    """

    fit: dict[str, Any]
    split: dict[str, Any]
    score: dict[str, dict[str, Any]]


def metadata_router(owner: Any, estimator: Any, scoring: Scoring, cv: Any) -> Any:
    """The :class:`~sklearn.utils.metadata_routing.MetadataRouter` of a search."""
    from sklearn.utils.metadata_routing import MetadataRouter
    from sklearn.utils.metadata_routing import MethodMapping

    router = MetadataRouter(owner=owner)
    router.add(estimator=estimator, method_mapping=MethodMapping().add(caller="fit", callee="fit"))
    to_score = MethodMapping().add(caller="fit", callee="score").add(caller="score", callee="score")
    for name, scorer in scoring.scorers.items():
        router.add(method_mapping=to_score, **{scorer_key(name): scorer})
    router.add(splitter=cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
    return router


def _routing_enabled() -> bool:
    import sklearn

    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def _requested(scorer: Any) -> dict[str, str]:
    """Metadata name given to ``fit`` -> the scorer's parameter, for what it requests."""
    from sklearn.utils.metadata_routing import get_routing_for_object

    score = getattr(get_routing_for_object(scorer), "score", None)
    requests: Mapping[str, Any] = getattr(score, "requests", {}) or {}
    return {
        (param if alias is True else alias): param
        for param, alias in requests.items()
        if alias is True or isinstance(alias, str)
    }


def route_fit(search: Any, scoring: Scoring, params: Mapping[str, Any]) -> Routed:
    """Route the metadata given to ``search.fit``.

    Raises:
        UnsetMetadataPassedError: With routing enabled, for metadata nobody requested
            (scikit-learn's error, naming how to request it).
    """
    from sklearn.utils.metadata_routing import process_routing

    if _routing_enabled():
        routed = process_routing(search, "fit", **params)
        return Routed(
            fit=dict(routed["estimator"]["fit"]),
            split=dict(routed["splitter"]["split"]),
            score={n: dict(routed[scorer_key(n)]["score"]) for n in scoring.scorers},
        )
    rest = dict(params)
    split = {"groups": rest.pop("groups")} if "groups" in rest else {}
    score: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    for name, scorer in scoring.scorers.items():
        wanted = _requested(scorer)
        score[name] = {param: params[key] for key, param in wanted.items() if key in params}
        taken.update(key for key in wanted if key in params)
    return Routed(fit={k: v for k, v in rest.items() if k not in taken}, split=split, score=score)


def route_score(search: Any, name: str, scorer: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """What the scorer of objective ``name`` receives from ``search.score(X, y, **params)``.

    Raises:
        ValueError: Without routing, on metadata the scorer does not request; with
            routing, on metadata no scorer requests.
    """
    from sklearn.utils.metadata_routing import process_routing

    if _routing_enabled():
        return dict(process_routing(search, "score", **params)[scorer_key(name)]["score"])
    wanted = _requested(scorer)
    extra = sorted(set(params) - set(wanted))
    if extra:
        raise ValueError(
            f"The scorer of {name!r} (the first, which score uses) does not take {extra}; "
            "without metadata routing only what it requests reaches it. Enable routing "
            "(sklearn.set_config(enable_metadata_routing=True)) and request them."
        )
    return {wanted[key]: value for key, value in params.items()}


def fold_rows(params: Mapping[str, Any], rows: np.ndarray, n_samples: int) -> dict[str, Any]:
    """``params`` for the rows ``rows``: values with one entry per sample are cut to those
    rows (pandas objects by position); anything else is passed whole."""
    return {k: _cut(v, rows, n_samples) for k, v in params.items()}


def _cut(value: Any, rows: np.ndarray, n_samples: int) -> Any:
    if value is None or isinstance(value, (str, bytes, Mapping)) or np.isscalar(value):
        return value
    shape = getattr(value, "shape", None)
    try:
        length = int(shape[0]) if shape else len(value)
    except TypeError:
        return value
    if length != n_samples:
        return value
    from sklearn.utils import _safe_indexing

    return _safe_indexing(value, rows)
