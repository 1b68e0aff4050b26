"""The value an evaluation returns: a flat metrics dict that carries its breakdown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Evaluation(dict[str, float]):
    """Metric name -> value, ready for ``trial.report`` or ``study.tell``.

    Besides the flat numbers it carries what does not fit in one float. When passed to
    :meth:`Study.tell <paretune.study.Study.tell>`, :meth:`breakdown` is stored with the
    trial as the user attribute ``"evaluation"``.

    Attributes:
        by_group: Per sensitive feature (and their intersection, key ``"a & b"``), per
            group: ``count``, ``accuracy``, ``true_positive_rate``,
            ``false_positive_rate``, ``selection_rate`` (and ``coverage`` for a model
            that abstains, the rates then being those of the rows it decided).
        intervals: Metric -> ``(low, high)`` confidence interval, where repeats or a
            bootstrap produced one.
        details: Everything else measured, e.g. the full latency report and its noise.
    """

    def __init__(
        self,
        metrics: Mapping[str, float],
        *,
        by_group: Mapping[str, Any] | None = None,
        intervals: Mapping[str, tuple[float, float]] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(metrics)
        self.by_group: dict[str, Any] = dict(by_group or {})
        self.intervals: dict[str, tuple[float, float]] = dict(intervals or {})
        self.details: dict[str, Any] = dict(details or {})

    def breakdown(self) -> dict[str, Any]:
        """JSON-ready ``{"by_group", "intervals", "details"}`` (what ``tell`` stores)."""
        return {
            "by_group": self.by_group,
            "intervals": {k: [float(lo), float(hi)] for k, (lo, hi) in self.intervals.items()},
            "details": self.details,
        }

    def __repr__(self) -> str:
        return f"Evaluation({dict(self)!r})"
