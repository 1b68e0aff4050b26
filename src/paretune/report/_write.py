"""Assemble the report: the sections that apply, in order, with plotly.js embedded once."""

from __future__ import annotations

import datetime as dt
import os
import pathlib
from typing import TYPE_CHECKING

from paretune._version import __version__
from paretune.report import _sections
from paretune.report._html import page

if TYPE_CHECKING:
    from paretune.study import Study

__all__ = ["render_report", "write_report"]

_INSTALL_HINT = "The HTML report needs plotly: pip install 'paretune[plot]'."


def _plotly_js() -> str:
    try:
        from plotly.offline import get_plotlyjs
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return str(get_plotlyjs())


def render_report(study: Study) -> str:
    """The report of ``study`` as one HTML document (plotly.js inline, no network needed).

    Sections: the set-up (objectives, constraints, fidelity, search space, sampler, seed,
    environment, trial counts), every plot that applies to the study, the Pareto front as a
    table, failures by kind, the cross-fidelity calibration, and the test-split evaluation
    when :func:`paretune.analysis.test_front` stored one.

    Raises:
        ImportError: If plotly is not installed.
    """
    plotly_js = _plotly_js()
    trials = study.get_trials()
    sections: list[tuple[str, str, str]] = [("setup", "Set-up", _sections.setup(study, trials))]
    complete = any(t.state.value == "complete" for t in trials)
    for anchor, heading, applies, draw in _sections.PLOTS:
        if complete and applies(study, trials):
            sections.append((anchor, heading, draw(study)))
    front = _sections.front(study, trials)
    if front is not None:
        sections.insert(2 if complete else 1, ("front", "Pareto front (table)", front))
    for anchor, heading, build in (
        ("failures", "Failures by kind", _sections.failures),
        ("fidelity", "Cross-fidelity calibration", _sections.fidelity),
        ("test-split", "Test-split evaluation", _sections.test_split),
    ):
        html = build(study, trials)
        if html is not None:
            sections.append((anchor, heading, html))
    made = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"{len(trials)} trials; report made {made} by paretune {__version__}"
    return page(f"Study {study.name}", subtitle, sections, plotly_js)


def write_report(study: Study, path: str | os.PathLike[str]) -> pathlib.Path:
    """Write :func:`render_report`'s document to ``path`` (parent folders must exist).

    Returns:
        The absolute path written.

    Raises:
        ImportError: If plotly is not installed.
        FileNotFoundError: If the parent folder does not exist.
    """
    target = pathlib.Path(path).resolve()
    if not target.parent.is_dir():
        raise FileNotFoundError(
            f"Cannot write the report to {target}: the folder {target.parent} does not exist."
        )
    target.write_text(render_report(study), encoding="utf-8")
    return target
