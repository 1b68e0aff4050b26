"""The scheduler contract of paretune.testing, run on every public scheduler."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

import paretune as pt
from paretune.schedulers import ASHAScheduler
from paretune.schedulers import BaseScheduler
from paretune.schedulers import HyperbandScheduler
from paretune.schedulers import MedianStoppingScheduler
from paretune.schedulers import SuccessiveHalvingScheduler
from paretune.testing import SchedulerContract

LOOP = {"min_resource": 1, "max_resource": 27}
SCHEDULERS: dict[str, Callable[[], BaseScheduler]] = {
    "halving": lambda: SuccessiveHalvingScheduler(eta=3, **LOOP),
    "hyperband": lambda: HyperbandScheduler(eta=3, **LOOP),
    "hyperband-guarded": lambda: HyperbandScheduler(eta=3, bias_guard=0.3, **LOOP),
    "hyperband-safe-first": lambda: HyperbandScheduler(safe_first=True, **LOOP),
    "asha": lambda: ASHAScheduler(eta=3, **LOOP),
    "asha-misleading": lambda: ASHAScheduler(eta=3, skip_misleading=True, **LOOP),
    "median": lambda: MedianStoppingScheduler(min_steps=2, min_trials=3),
}
WALL_CLOCK = {"hyperband-costly": lambda: HyperbandScheduler(skip_costly=True, **LOOP)}


class TestEveryScheduler(SchedulerContract):
    @pytest.fixture(params=sorted(SCHEDULERS))
    def make_scheduler(self, request: pytest.FixtureRequest) -> Callable[[], BaseScheduler]:
        return SCHEDULERS[request.param]


class TestWallClockSchedulers(SchedulerContract):
    """``skip_costly`` judges rungs by measured durations: not repeatable by design."""

    deterministic = False

    @pytest.fixture(params=sorted(WALL_CLOCK))
    def make_scheduler(self, request: pytest.FixtureRequest) -> Callable[[], BaseScheduler]:
        return WALL_CLOCK[request.param]


def test_every_public_scheduler_runs_the_contract() -> None:
    concrete = {
        name
        for name in pt.schedulers.__all__
        if isinstance(getattr(pt.schedulers, name), type)
        and issubclass(getattr(pt.schedulers, name), BaseScheduler)
        and not inspect.isabstract(getattr(pt.schedulers, name))
    }
    covered = {type(make()).__name__ for make in SCHEDULERS.values()}
    assert concrete <= covered, f"no contract run for {sorted(concrete - covered)}"


def test_the_base_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        BaseScheduler()  # type: ignore[abstract]
