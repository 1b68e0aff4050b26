"""The progress bar of ``optimize(show_progress_bar=True)``: trials, feasible count, hypervolume."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING
from typing import TextIO

import numpy as np

from paretune._costs import CostMeter
from paretune.pareto import hypervolume
from paretune.pareto import is_pareto_efficient
from paretune.trial import TrialRecord
from paretune.trial import TrialState

if TYPE_CHECKING:
    from paretune.study._study import Study

__all__ = ["ProgressBar", "normalised_hypervolume"]

_WIDTH = 24
_REDRAW_S = 0.2


def normalised_hypervolume(study: Study, records: list[TrialRecord]) -> float | None:
    """Hypervolume of the feasible front of ``records`` with every objective scaled to
    ``[0, 1]`` over the feasible complete trials and the reference point at 1.1 in each:
    a number that grows as the front improves, whatever the objectives' units. None
    without a feasible complete trial."""
    feasible = [r for r in records if r.state is TrialState.COMPLETE and r.feasible]
    if study.fidelity is not None:
        feasible = [r for r in feasible if r.budget == study.fidelity.high]
    if not feasible:
        return None
    losses = study.losses(feasible)
    low, span = losses.min(axis=0), np.ptp(losses, axis=0)
    scaled = (losses - low) / np.where(span > 0, span, 1.0)
    front = scaled[is_pareto_efficient(scaled)]
    return float(hypervolume(front, np.full(losses.shape[1], 1.1)))


class ProgressBar:
    """One line on ``stream`` redrawn as trials finish: how far the limits are, trials done,
    feasible trials and the normalised hypervolume of the front so far.

    The fraction follows ``n_trials`` when given, else ``timeout``, else ``max_cost``. On a
    terminal the line is redrawn in place (at most five times a second); elsewhere (a log
    file, a notebook's captured output) a line is written every tenth of the way.
    """

    def __init__(
        self,
        study: Study,
        *,
        n_trials: int | None,
        timeout: float | None,
        max_cost: float | None,
        stream: TextIO | None = None,
    ) -> None:
        self.study = study
        self.n_trials, self.timeout, self.max_cost = n_trials, timeout, max_cost
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.done = 0
        self.cost = CostMeter()
        self._lock = threading.Lock()
        self._drawn_at = -1.0
        self._tenth = -1

    def fraction(self) -> float | None:
        """How far the call is towards its first limit, in ``[0, 1]``; None without one."""
        if self.n_trials is not None:
            return min(1.0, self.done / self.n_trials)
        if self.timeout is not None:
            return min(1.0, (time.monotonic() - self.started) / self.timeout)
        if self.max_cost is not None:
            return min(1.0, self.cost.spent / self.max_cost)
        return None

    def line(self) -> str:
        """The text of the bar now."""
        records = self.study.get_trials()
        feasible = sum(r.state is TrialState.COMPLETE and r.feasible for r in records)
        volume = normalised_hypervolume(self.study, records)
        fraction = self.fraction()
        bar = ""
        if fraction is not None:
            filled = round(fraction * _WIDTH)
            bar = f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {100 * fraction:3.0f}% "
        total = f"/{self.n_trials}" if self.n_trials is not None else ""
        elapsed = time.monotonic() - self.started
        hv = "n/a" if volume is None else f"{volume:.4f}"
        return (
            f"{bar}{self.done}{total} trials, {feasible} feasible, hypervolume {hv}, {elapsed:.0f}s"
        )

    def update(self, record: TrialRecord) -> None:
        """Count a finished trial and redraw when due."""
        with self._lock:
            self.done += 1
            self.cost.add(record)
            now = time.monotonic()
            if self.tty:
                if now - self._drawn_at >= _REDRAW_S:
                    self._drawn_at = now
                    self.stream.write("\r" + self.line())
                    self.stream.flush()
                return
            fraction = self.fraction()
            tenth = int((fraction or 0.0) * 10)
            if tenth > self._tenth:
                self._tenth = tenth
                self.stream.write(self.line() + "\n")
                self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        with self._lock:
            text = self.line()
            self.stream.write(("\r" + text + "\n") if self.tty else (text + "\n"))
            self.stream.flush()
