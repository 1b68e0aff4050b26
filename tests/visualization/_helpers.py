"""Reading plotly figures back in the tests."""

from __future__ import annotations

from typing import Any

import paretune as pt
from paretune.trial import TrialState


def message_of(fig: Any) -> str:
    """The text of an empty figure's annotation ("" when it has data)."""
    assert fig.layout.meta is not None and fig.layout.meta["empty"] is True
    assert len(fig.data) == 0
    return str(fig.layout.annotations[0].text)


def by_name(fig: Any) -> dict[str, Any]:
    """The figure's traces by legend name without the count: ``"dominated (4)"`` -> key
    ``"dominated"``."""
    return {str(trace.name).rsplit(" (", 1)[0]: trace for trace in fig.data}


def complete(study: pt.Study) -> list[pt.TrialRecord]:
    return study.get_trials(states=(TrialState.COMPLETE,))
