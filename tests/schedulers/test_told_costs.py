"""Told costs make scheduler decisions a function of the trials: the same in any process,
whatever the wall clock does, and right where the wall clock misleads."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import paretune as pt
from paretune._clock import SimulatedClock
from paretune._clock import use_clock
from tests.schedulers._replay import replay_table
from tests.schedulers._replay import run

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _decisions_in_a_fresh_process(kind: str, hash_seed: str) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-m", "tests.schedulers._replay", kind],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    decisions: list[dict[str, object]] = json.loads(done.stdout)
    return decisions


def test_skip_costly_decides_the_same_in_two_fresh_processes() -> None:
    # Each process sleeps a random few milliseconds before every tell: timing noise that
    # decided the cost rule when it read durations, and must change nothing now.
    first = _decisions_in_a_fresh_process("skip_costly", "1")
    second = _decisions_in_a_fresh_process("skip_costly", "2")
    assert len(first) == 90
    assert first == second  # every promotion, bracket, budget, configuration and floor
    floors = [d["floor"] for d in first]
    assert floors[0] == 0 and floors[-1] == 1  # budget 1 costs too much for what it saves
    assert any(d["promotes"] is not None for d in first)
    assert len({d["bracket"] for d in first}) > 5


def test_told_cheap_costs_keep_the_cheap_rungs_that_wall_clock_time_gave_up() -> None:
    # A replayed benchmark: every result arrives in about the same wall-clock time, whatever
    # its budget, while the training it stands for costs in proportion to the budget.
    table = replay_table(fixed=0.0, per_epoch=1.0)
    scheduler = pt.schedulers.HyperbandScheduler(skip_costly=True, safe_first=True)
    with use_clock(clock := SimulatedClock()):
        _, timed = run(scheduler, 60, table=table, tell_costs=False, clock=clock)
    # The old failure: judged on seconds, every cheap rung looked too costly, so the study
    # trained nearly every new configuration at the top budget.
    assert timed[-1]["floor"] == 2
    assert [d["budget"] for d in timed[-20:] if d["promotes"] is None] == [9] * 20
    scheduler = pt.schedulers.HyperbandScheduler(skip_costly=True, safe_first=True)
    with use_clock(clock := SimulatedClock()):
        _, told = run(scheduler, 60, table=table, tell_costs=True, clock=clock)
    assert {d["floor"] for d in told} == {0}
    started = [d["budget"] for d in told[-40:] if d["promotes"] is None]
    assert started.count(1) > started.count(9)  # the cheap rung screens again
    assert any(d["promotes"] is not None for d in told[-40:])
