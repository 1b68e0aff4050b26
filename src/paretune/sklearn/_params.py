"""Checks of ``ParetoSearchCV``'s constructor arguments, declared once, run by ``fit``."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from paretune.samplers import BaseSampler
from paretune.sklearn._scoring import RESERVED
from paretune.sklearn._scoring import Scoring
from paretune.storages import BaseStorage

__all__ = ["check_constraints", "n_workers", "seed_of", "validate"]


def _int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _random_state(value: Any) -> bool:
    import numpy as np

    return value is None or _int(value) or isinstance(value, np.random.RandomState)


_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "n_trials": ("a positive integer or None", lambda v: v is None or (_int(v) and v >= 1)),
    "timeout": (
        "a positive number of seconds or None",
        lambda v: v is None or (_number(v) and math.isfinite(v) and v > 0),
    ),
    "cv": (
        "None, an integer of at least 2, a splitter or an iterable of (train, test) rows",
        lambda v: not _int(v) or v >= 2,
    ),
    "n_jobs": (
        "None or a non-zero integer (-1: one worker per core)",
        lambda v: v is None or (_int(v) and v != 0),
    ),
    "error_score": (
        "'raise' or a number (np.nan fails the trial)",
        lambda v: v == "raise" or _number(v),
    ),
    "return_train_score": ("a bool", lambda v: isinstance(v, bool)),
    "random_state": ("None, an integer or a numpy RandomState", _random_state),
    "sampler": (
        "None or a paretune sampler (pt.samplers.*)",
        lambda v: v is None or isinstance(v, BaseSampler),
    ),
    "storage": (
        "None, a storage URL such as 'sqlite:///search.db', or a paretune storage",
        lambda v: v is None or isinstance(v, (str, BaseStorage)),
    ),
    "study_name": (
        "None or a non-empty string",
        lambda v: v is None or (isinstance(v, str) and bool(v.strip())),
    ),
    "constraints": (
        "None or a dict metric -> (op, bound), such as {'fit_time': ('<=', 2.0)}",
        lambda v: v is None or isinstance(v, Mapping),
    ),
}


def validate(search: Any) -> None:
    """Check every declared parameter of ``search``, and that the search can end.

    Raises:
        ValueError: Naming the parameter, what it must be and what it got.
    """
    owner = type(search).__name__
    for name, (what, ok) in _CHECKS.items():
        value = getattr(search, name)
        if not ok(value):
            raise ValueError(
                f"The {name!r} parameter of {owner} must be {what}. Got {value!r} instead."
            )
    if search.n_trials is None and search.timeout is None:
        raise ValueError(f"{owner} needs an end: set n_trials, timeout or both (both are None).")


def check_constraints(constraints: Mapping[str, Any] | None, scoring: Scoring) -> None:
    """Raise unless every constrained metric is a scorer or ``fit_time``/``score_time``.

    Raises:
        ValueError: Naming the metric and the valid names.
    """
    valid = [*scoring.scorers, *RESERVED]
    for metric in constraints or {}:
        if metric not in valid:
            raise ValueError(
                f"The constraint on {metric!r} names no metric of the search; constrain one "
                f"of {valid}."
            )


def seed_of(random_state: Any) -> int | None:
    """The study's seed: the integer given, a draw from a RandomState, or None."""
    if random_state is None or _int(random_state):
        return None if random_state is None else int(random_state)
    return int(random_state.randint(2**31 - 1))


def n_workers(n_jobs: int | None) -> int:
    """Threads for ``optimize``: None is 1, ``-1`` every core, ``-2`` all but one, ..."""
    if n_jobs is None:
        return 1
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
