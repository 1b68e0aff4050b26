"""One self-contained HTML report of a study, readable by someone who never ran paretune.

The file embeds plotly.js, so it opens offline. Needs the ``plot`` extra
(``pip install 'paretune[plot]'``).
"""

from paretune.report._write import render_report as render_report
from paretune.report._write import write_report as write_report

__all__ = ["render_report", "write_report"]
