"""Ties: candidates that measured exactly the same (constant predictors, repeated configs)."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paretune.trial import TrialRecord

__all__ = ["distinct", "representatives"]


def distinct(
    trials: Iterable[TrialRecord], *, metrics: Sequence[str] | None = None
) -> list[list[TrialRecord]]:
    """Group trials whose metric values are identical.

    Many configurations can yield the same model in effect: a classifier that predicts
    one class whatever its regularisation, or a tree too shallow for its other parameters
    to matter. Such trials measure exactly the same, and nothing in the study tells them
    apart. Every rule of :mod:`paretune.select` compares these groups, not single trials,
    and returns the lowest-numbered trial of the group it picks.

    Args:
        trials: The trials to group, in any order.
        metrics: The metric names to compare (the rules pass the study's objectives and
            constrained metrics). None compares every metric of the records: two trials are
            then tied only when their ``metrics`` dicts are equal. A metric a record lacks
            compares as missing.

    Returns:
        The groups, in the order of their first trial in ``trials``; each group keeps the
        order of ``trials``. Values compare exactly (``==``), with no tolerance.

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(objectives={"accuracy": "maximize"})
        >>> for acc in (0.5, 0.8, 0.5):
        ...     _ = study.tell(study.ask(), {"accuracy": acc})
        >>> [[t.number for t in g] for g in pt.select.distinct(study.trials)]
        [[0, 2], [1]]
    """
    groups: dict[tuple[object, ...], list[TrialRecord]] = {}
    for trial in trials:
        if metrics is None:
            key: tuple[object, ...] = tuple(sorted(trial.metrics.items()))
        else:
            key = tuple(trial.metrics.get(name) for name in metrics)
        groups.setdefault(key, []).append(trial)
    return list(groups.values())


def representatives(groups: Iterable[Sequence[TrialRecord]]) -> list[TrialRecord]:
    """The lowest-numbered trial of each group, in the groups' order."""
    return [min(group, key=lambda t: t.number) for group in groups]
