"""A deterministic study evaluates each configuration once.

With ``create_study(deterministic_objective=True)`` (the default), every sampled value
passes :meth:`RepeatGuard.choose` before the objective receives it. A configuration is
*taken* when a trial of the study holds it: complete, stopped, running (the parameters it
has suggested so far), waiting (its enqueued parameters), or failed in a way that blames
the configuration (not a lost worker, an interrupt or
:class:`~paretune.exceptions.UnrelatedFailure`).

A value is *blocked* when, with the parameters the trial already holds, it would repeat
taken configurations whatever the trial suggests next: either a taken configuration has
exactly these parameters, or the taken configurations that extend them already fill every
valid combination of the remaining parameters (only possible when those are all discrete;
combinations that break a parameter constraint do not count, when there are at most 256).
In
a conditional space, a value counts as blocked only when it is blocked for every set of
parameters seen with it.

A blocked value is replaced by:

* for integers and stepped floats, the nearest value (in the sampler's unit encoding, so
  log scales count) that is not blocked and satisfies the parameter constraints, ties
  broken by a draw seeded by the trial;
* for categorical parameters, a seeded random choice among those not blocked;
* for continuous floats, a seeded uniform redraw (a repeat there means the sampler
  returned an observed point exactly, e.g. an acquisition maximiser at a data point).

A discrete value that a parameter constraint refuses is replaced the same way (so that the
constraint's redraw cannot pick a repeat). When every value is blocked (a discrete space the
study has exhausted), the sampler's value is kept, and one
:class:`~paretune.exceptions.RepeatedConfigurationWarning` per study and process says so.
Enqueued values are never changed.

Model-based samplers also skip repeated candidates themselves where they have several
(TPE takes its best non-repeated candidate, NSGA-II breeds again), through
:meth:`~paretune.study.Study.is_evaluated`; this guard catches the rest.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from paretune._seeding import uniform
from paretune._warnings import warn
from paretune.distributions import CategoricalDistribution
from paretune.distributions import Distribution
from paretune.distributions import FloatDistribution
from paretune.exceptions import RepeatedConfigurationWarning
from paretune.trial import TrialRecord
from paretune.trial import TrialState

__all__ = ["RepeatGuard", "lattice"]

_LATTICE_LIMIT = 10_000
"""Discrete parameters with more values than this are redrawn at random, not enumerated."""

_REDRAWS = 100
"""Random redraws of a blocked value before keeping the sampler's."""

_ENUMERATE_LIMIT = 256
"""Completions of a partial configuration checked one by one against the parameter
constraints; with more, every combination of the remaining values is counted as valid."""

Allowed = Callable[[Mapping[str, Any]], bool]
"""Whether (possibly partial) parameters satisfy the study's parameter constraints."""

_Key = tuple[bool, Any]


def _key(value: Any) -> _Key:
    """A hashable key that keeps ``True`` apart from ``1`` (categorical choices do)."""
    return (type(value) is bool, value)


def lattice_size(distribution: Distribution | None) -> int | None:
    """How many values ``distribution`` can produce; None for continuous floats."""
    if isinstance(distribution, CategoricalDistribution):
        return len(distribution.choices)
    if isinstance(distribution, FloatDistribution):
        if distribution.step is None:
            return None
        return round((distribution.high - distribution.low) / distribution.step) + 1
    if distribution is None:
        return None
    return (distribution.high - distribution.low) // distribution.step + 1


def lattice(distribution: Distribution) -> list[Any] | None:
    """Every value of a discrete ``distribution``; None when continuous or too many."""
    size = lattice_size(distribution)
    if size is None or size > _LATTICE_LIMIT:
        return None
    if isinstance(distribution, CategoricalDistribution):
        return list(distribution.choices)
    low, high, step = distribution.low, distribution.high, distribution.step
    if isinstance(distribution, FloatDistribution):  # as FloatDistribution.from_unit snaps
        return [min(max(low + k * (step or 0.0), low), high) for k in range(size)]
    return [low + k * int(step or 1) for k in range(size)]


@dataclass(frozen=True)
class _Config:
    params: Mapping[str, Any]
    distributions: Mapping[str, Distribution]
    items: frozenset[tuple[str, _Key]]


def _config(params: Mapping[str, Any], distributions: Mapping[str, Distribution]) -> _Config:
    items = frozenset((name, _key(value)) for name, value in params.items())
    return _Config(dict(params), dict(distributions), items)


def _counts(record: TrialRecord) -> bool:
    """Whether ``record``'s configuration is taken (see the module docstring)."""
    if record.state is TrialState.FAILED:
        return record.fail_kind is None or record.fail_kind.blames_configuration
    return True


class RepeatGuard:
    """The configurations a study holds, and the choice of values that repeat none.

    Thread-safe: :meth:`choose` checks and records a value under one lock, so two trials of
    one process never take the same configuration. Trials of other processes are seen as
    of the last :meth:`refresh` (the study calls it when a trial starts).

    Args:
        study_name: For the warning's text.
    """

    def __init__(self, study_name: str) -> None:
        self._study_name = study_name
        self._lock = threading.Lock()
        self._stored: dict[int, _Config] = {}  # by trial number, from storage
        self._finished: set[int] = set()  # numbers whose stored config is final
        self._live: dict[int, _Config] = {}  # this process's running trials, so far
        self._taken: dict[int, _Config] = {}  # what each trial holds: live, else stored
        self._index: dict[tuple[str, _Key], set[int]] = {}  # (name, value) -> trials
        self._warned = False

    def refresh(self, records: Iterable[TrialRecord]) -> None:
        """Learn the configurations of the study's trials (finished ones are read once)."""
        with self._lock:
            for record in records:
                if record.number in self._finished:
                    continue
                if record.state.is_finished:
                    self._finished.add(record.number)
                self._store(record)

    def told(self, record: TrialRecord) -> None:
        """A trial of this process finished: its record replaces what it held so far."""
        with self._lock:
            self._live.pop(record.number, None)
            self._finished.add(record.number)
            self._store(record)

    def _store(self, record: TrialRecord) -> None:
        if not _counts(record):
            self._stored.pop(record.number, None)
        elif record.state is TrialState.WAITING:
            self._stored[record.number] = _config(record.enqueued_params, {})
        else:
            self._stored[record.number] = _config(record.params, record.distributions)
        self._sync(record.number)

    def _sync(self, number: int) -> None:
        """Re-index what trial ``number`` holds."""
        old = self._taken.pop(number, None)
        for item in old.items if old is not None else ():
            holders = self._index[item]
            holders.discard(number)
            if not holders:
                del self._index[item]
        new = self._live[number] if number in self._live else self._stored.get(number)
        if new is not None and new.items:
            self._taken[number] = new
            for item in new.items:
                self._index.setdefault(item, set()).add(number)

    def _holding(self, items: Iterable[tuple[str, _Key]]) -> set[int]:
        """The trials whose configuration holds every one of ``items`` (not empty)."""
        sets = sorted((self._index.get(item, set()) for item in items), key=len)
        found = set(sets[0])
        for other in sets[1:]:
            found &= other
        return found

    def is_repeat(self, params: Mapping[str, Any]) -> bool:
        """Whether a taken configuration has exactly ``params``."""
        items = frozenset((n, _key(v)) for n, v in params.items())
        if not items:
            return False
        with self._lock:
            return any(self._taken[n].items == items for n in self._holding(items))

    def choose(
        self,
        number: int,
        held: Mapping[str, Any],
        held_distributions: Mapping[str, Distribution],
        name: str,
        distribution: Distribution,
        value: Any,
        *,
        allowed: Allowed,
        seed: int,
    ) -> Any:
        """``value`` for parameter ``name`` of trial ``number``, or a replacement.

        Args:
            number: The trial.
            held: The parameters the trial holds already.
            held_distributions: Their distributions.
            name: The parameter being suggested.
            distribution: Its distribution.
            value: The sampler's value.
            allowed: Whether parameters (possibly partial) satisfy the parameter
                constraints.
            seed: Seeds the tie-breaks and redraws.

        Returns:
            The value to use; recorded as held by the trial.
        """
        with self._lock:
            blocked = self._blocker(number, held, name, allowed)

            def ok(candidate: Any) -> bool:
                return allowed({**held, name: candidate})

            chosen, exhausted = value, False
            if blocked(value):
                found = self._replacement(number, name, distribution, value, blocked, ok, seed)
                exhausted = found is None
                chosen = value if found is None else found
            elif lattice(distribution) is not None and not ok(value):
                # A discrete value a parameter constraint refuses: pick its replacement here,
                # where repeats are known (otherwise the constraint's redraw picks it).
                found = self._replacement(number, name, distribution, value, blocked, ok, seed)
                chosen = value if found is None else found
            params = {**held, name: chosen}
            self._live[number] = _config(params, {**held_distributions, name: distribution})
            self._sync(number)
            warn_now = exhausted and not self._warned
            self._warned = self._warned or exhausted
        if warn_now:
            warn(
                f"Every value of {name!r} in {distribution} leads to a configuration that study "
                f"{self._study_name!r} has evaluated (given {dict(held)!r}), so trial {number} "
                "repeats one: the discrete search space (or its part under the parameters "
                "chosen before) is exhausted. Widen it or run fewer trials; "
                "create_study(deterministic_objective=False) allows repeats without this "
                "warning.",
                RepeatedConfigurationWarning,
            )
        return chosen

    def note(self, number: int, name: str, value: Any, distribution: Distribution) -> None:
        """Record a value changed after :meth:`choose` (a parameter constraint redrew it)."""
        with self._lock:
            config = self._live.get(number)
            if config is not None:
                params = {**config.params, name: value}
                dists = {**config.distributions, name: distribution}
                self._live[number] = _config(params, dists)
                self._sync(number)

    def _blocker(
        self, number: int, held: Mapping[str, Any], name: str, allowed: Allowed
    ) -> Callable[[Any], bool]:
        prefix = [(n, _key(v)) for n, v in held.items()]
        base = self._holding(prefix) if prefix else None  # None: every trial

        def blocked(candidate: Any) -> bool:
            holders = self._index.get((name, _key(candidate)))
            if not holders:
                return False
            group = (holders if base is None else holders & base) - {number}
            if not group:
                return False
            configs = [self._taken[n] for n in group]
            return _filled(configs, {**held, name: candidate}, allowed)

        return blocked

    def _replacement(
        self,
        number: int,
        name: str,
        distribution: Distribution,
        value: Any,
        blocked: Callable[[Any], bool],
        allowed: Callable[[Any], bool],
        seed: int,
    ) -> Any | None:
        """The value replacing ``value`` (see the module docstring), or None if none."""
        values = lattice(distribution)
        if values is None:
            for attempt in range(_REDRAWS):
                candidate = distribution.from_unit(uniform(seed, number, name, "repeat", attempt))
                if not blocked(candidate) and allowed(candidate):
                    return candidate
            return None
        free = [v for v in values if not blocked(v) and allowed(v)]
        if not free:
            return None
        if isinstance(distribution, CategoricalDistribution):
            return free[int(uniform(seed, number, name, "repeat") * len(free))]
        here = distribution.to_unit(value)

        def distance(v: Any) -> tuple[float, float]:
            gap = round(abs(distribution.to_unit(v) - here), 12)
            return (gap, uniform(seed, number, name, "repeat", repr(v)))

        return min(free, key=distance)


def _filled(group: list[_Config], params: Mapping[str, Any], allowed: Allowed) -> bool:
    """Whether the taken configurations ``group`` (all holding ``params``: the trial's
    parameters so far and the candidate) fill every valid completion of ``params``, for
    each set of parameters they have."""
    by_keys: dict[frozenset[str], list[_Config]] = {}
    for config in group:
        by_keys.setdefault(frozenset(config.params), []).append(config)
    for keys, configs in by_keys.items():
        remaining = sorted(keys - set(params))
        if not remaining:
            continue  # a taken configuration has exactly these parameters
        known = next((c for c in configs if set(remaining) <= set(c.distributions)), None)
        if known is None:
            return False
        capacity = _completions(params, {r: known.distributions[r] for r in remaining}, allowed)
        if capacity is None or len({c.items for c in configs}) < capacity:
            return False
    return True


def _completions(
    params: Mapping[str, Any], remaining: Mapping[str, Distribution], allowed: Allowed
) -> int | None:
    """How many valid ways ``remaining`` can complete ``params``; None if unbounded."""
    sizes = [lattice_size(d) for d in remaining.values()]
    if any(s is None for s in sizes):
        return None
    total = math.prod(s for s in sizes if s is not None)
    if total > _ENUMERATE_LIMIT:
        return total
    values = [lattice(d) or [] for d in remaining.values()]
    names = list(remaining)
    return sum(
        allowed({**params, **dict(zip(names, combo, strict=True))})
        for combo in itertools.product(*values)
    )
