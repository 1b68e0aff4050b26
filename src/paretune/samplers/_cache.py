"""Per-trial caches for samplers: finished trials never change, so their features are
computed once (encoded parameters, losses, violations, and the common search space)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paretune.distributions import Distribution
from paretune.samplers._space import encode
from paretune.trial import TrialRecord

if TYPE_CHECKING:
    from paretune.study import Study


_SpaceKey = tuple[tuple[str, Distribution], ...]


class FinishedTrialCache:
    """Caches features of complete trials, keyed by study name and trial number.

    Only pass finished trials: their records are immutable, so cached values stay valid.
    Losses are keyed by trial and budget too: a training-loop trial may be shown to
    samplers as measured at different steps over a study (see
    :func:`~paretune.study._sampler_view.trials_for_sampler`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[
            tuple[str, tuple[tuple[str, Distribution], ...]], dict[int, np.ndarray]
        ] = {}
        self._losses: dict[str, dict[tuple[int, float | None], tuple[np.ndarray, float]]] = {}
        self._spaces: dict[str, tuple[set[int], dict[str, Distribution] | None]] = {}

    def encode(
        self, study: Study, trials: Sequence[TrialRecord], space: dict[str, Distribution]
    ) -> np.ndarray:
        """``encode(trials, space)``, computing each trial's row once per space."""
        key = (study.name, tuple(space.items()))
        with self._lock:
            rows = self._rows.setdefault(key, {})
            missing = [t for t in trials if t.number not in rows]
        if missing:
            fresh = encode(missing, space)
            with self._lock:
                for t, row in zip(missing, fresh, strict=True):
                    rows[t.number] = row
        if not trials:
            return np.zeros((0, len(space)))
        return np.vstack([rows[t.number] for t in trials])

    def losses_and_violations(
        self, study: Study, trials: Sequence[TrialRecord]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Study losses (``n x m``) and total violations, each trial computed once."""
        with self._lock:
            cache = self._losses.setdefault(study.name, {})
            missing = [t for t in trials if (t.number, t.budget) not in cache]
        if missing:
            fresh = study.losses(missing)
            with self._lock:
                for t, row in zip(missing, fresh, strict=True):
                    cache[(t.number, t.budget)] = (row, t.total_violation)
        m = len(study.objectives)
        if not trials:
            return np.zeros((0, m)), np.zeros(0)
        losses = np.vstack([cache[(t.number, t.budget)][0] for t in trials])
        violations = np.array([cache[(t.number, t.budget)][1] for t in trials], dtype=np.float64)
        return losses, violations

    def intersection_space(
        self, study: Study, trials: Sequence[TrialRecord]
    ) -> dict[str, Distribution]:
        """Parameters every trial has with the same distribution, updated incrementally."""
        with self._lock:
            seen, space = self._spaces.get(study.name, (set(), None))
            seen = set(seen)
        for t in trials:
            if t.number in seen:
                continue
            seen.add(t.number)
            if space is None:
                space = dict(t.distributions)
            else:
                for name in list(space):
                    if t.distributions.get(name) != space[name]:
                        del space[name]
        with self._lock:
            self._spaces[study.name] = (seen, space)
        if not space:
            return {}
        return {name: space[name] for name in sorted(space)}
