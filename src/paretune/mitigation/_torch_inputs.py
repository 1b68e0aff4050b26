"""Checks of :class:`FairMLPClassifier`'s parameters and of the groups handed to ``fit``."""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Sequence
from numbers import Integral
from numbers import Real
from typing import Any

import numpy as np

from paretune.exceptions import MitigationInputError
from paretune.mitigation._checks import group_keys
from paretune.mitigation._checks import require_groups
from paretune.mitigation._torch_surrogates import SURROGATES

__all__ = ["check_params", "group_codes", "layers"]


def _real(low: float, *, strict: bool) -> tuple[Callable[[Any], bool], str]:
    def check(v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(float(v)):
            return False
        return float(v) > low if strict else float(v) >= low

    return check, f"a finite float {'>' if strict else '>='} {low:g}"


def _int(low: int, *, optional: bool = False) -> tuple[Callable[[Any], bool], str]:
    def check(v: Any) -> bool:
        if v is None:
            return optional
        return isinstance(v, Integral) and not isinstance(v, bool) and int(v) >= low

    return check, f"an int >= {low}" + (" or None" if optional else "")


def layers(hidden: Any) -> tuple[int, ...] | None:
    """``hidden`` as a tuple of layer widths, or None when it is not a valid one."""
    widths = (hidden,) if isinstance(hidden, Integral) else hidden
    if isinstance(widths, str) or not isinstance(widths, Sequence):
        return None
    ok = all(isinstance(w, Integral) and not isinstance(w, bool) and int(w) >= 1 for w in widths)
    return tuple(int(w) for w in widths) if ok else None


_PARAMS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "hidden": (lambda v: layers(v) is not None, "an int >= 1 or a sequence of them"),
    "constraint": (lambda v: v in SURROGATES, f"one of {sorted(SURROGATES)}"),
    "eps": _real(0.0, strict=False),
    "lr": _real(0.0, strict=True),
    "dual_lr": _real(0.0, strict=False),
    "epochs": _int(1),
    "batch_size": _int(1),
    "weight_decay": _real(0.0, strict=False),
    "warm_start": (lambda v: isinstance(v, bool), "a bool"),
    "random_state": _int(0, optional=True),
    "n_threads": _int(1, optional=True),
}
"""Parameter name -> (check, what it must be), for one uniform error message."""


def check_params(estimator: Any) -> None:
    """Raise MitigationInputError naming the first parameter of ``estimator`` out of range."""
    for name, (check, wanted) in _PARAMS.items():
        value = getattr(estimator, name)
        if not check(value):
            raise MitigationInputError(
                f"The {name!r} parameter of {type(estimator).__name__} must be {wanted}. "
                f"Got {value!r} instead."
            )


def group_codes(sensitive: Any, n_rows: int) -> tuple[np.ndarray, int]:
    """Each row's group index (int64) and the number of groups.

    Several columns (a DataFrame, a 2-D array, a dict of columns) define groups by the
    intersection of their values.

    Raises:
        MitigationInputError: When ``sensitive`` is None, has not one label per row, has
            missing values, or holds one group only.
    """
    keys = group_keys(sensitive, n_rows, who="FairMLPClassifier.fit")
    require_groups(keys, who="FairMLPClassifier.fit")
    names, codes = np.unique(keys, return_inverse=True)
    return codes.astype(np.int64), len(names)
