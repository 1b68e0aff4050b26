"""What a contender is: a named method with its settings and a way to run it."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.cache import canonical_json

History = list[Any]
"""One run's record as its contender returns it: JSON-serialisable, since it is cached
(tuples come back as lists)."""

RunFunction = Callable[[Any, int, float], History]
"""``run(problem, seed, budget)``: one run of a contender."""


@dataclass(frozen=True)
class Contender:
    """A method under test.

    Attributes:
        name: Short name, as tables and ``--contenders`` show it.
        settings: JSON-serialisable description of how it is set up (sampler, options,
            scheduler, ...). Part of the cache key: two contenders with the same name and
            settings must run alike on the same library versions, so build ``run`` from
            the settings and change them when the set-up changes.
        run: ``run(problem, seed, budget)``, one run's :data:`History`. It runs in a
            forked worker process, so it need not pickle.
        libraries: Packages whose versions decide its runs (the problem adds its own).
    """

    name: str
    settings: Mapping[str, Any]
    run: RunFunction
    libraries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        canonical_json(self.settings)  # fail at definition, not after hours of runs
