"""What a benchmark problem is: the protocols the runner, the cache and the scorer rely on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol

import numpy as np

from paretune.pareto import hypervolume

Params = dict[str, Any]
"""Parameters as a problem suggests them, by name."""
Evaluation = tuple[list[float], list[float]]
"""Objective values (all minimised) and constraint values (feasible when ``<= 0``)."""


class Named(Protocol):
    """What the runner and the cache need of whatever a contender runs on.

    ``name`` and ``settings`` (JSON) identify it in the cache key: change one of them when
    the problem's definition changes, or stored runs are reused for the new definition.
    ``libraries`` are the packages whose versions decide its runs.
    """

    @property
    def name(self) -> str: ...

    @property
    def settings(self) -> Mapping[str, Any]: ...

    @property
    def libraries(self) -> tuple[str, ...]: ...


class Problem(Named, Protocol):
    """A problem scored by the hypervolume of the feasible points found.

    ``suggest`` draws the parameters through a trial that has ``suggest_float``,
    ``suggest_int`` and ``suggest_categorical`` (paretune's and Optuna's both do);
    ``evaluate`` maps them to an :data:`Evaluation` and may raise (a failed trial).
    ``best_hypervolume`` is the hypervolume of the true or best-known front against
    ``reference``: the scorer's denominator.
    """

    @property
    def n_objectives(self) -> int: ...

    @property
    def n_constraints(self) -> int: ...

    @property
    def reference(self) -> tuple[float, ...]: ...

    @property
    def best_hypervolume(self) -> float: ...

    def suggest(self, trial: Any) -> Params: ...

    def evaluate(self, params: Params) -> Evaluation: ...


@dataclass(frozen=True)
class FrontProblem:
    """A :class:`Problem` made of functions, with its true or best-known front.

    Attributes:
        name: Short name (part of the cache key).
        n_objectives: Number of objectives (all minimised).
        n_constraints: Number of constraints (feasible when every value is <= 0).
        suggest: Suggests the parameters on a trial and returns them.
        evaluate: Maps parameters to (objectives, constraint values).
        reference: Reference point for the hypervolume.
        front: Returns points of the true or best-known front.
        known_hypervolume: The best hypervolume where it is known without ``front``.
        settings: What else defines the problem (part of the cache key).
        libraries: Packages whose versions decide its evaluations.
    """

    name: str
    n_objectives: int
    n_constraints: int
    suggest: Callable[[Any], Params]
    evaluate: Callable[[Params], Evaluation]
    reference: tuple[float, ...]
    front: Callable[[], np.ndarray]
    known_hypervolume: float | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    libraries: tuple[str, ...] = ("numpy",)

    @functools.cached_property
    def best_hypervolume(self) -> float:
        """Hypervolume of the true or best-known front (computed once)."""
        if self.known_hypervolume is not None:
            return self.known_hypervolume
        return hypervolume(self.front(), self.reference)
