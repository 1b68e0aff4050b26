"""Printing results: median [IQR] cells and fixed-width tables."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def median_iqr(values: Sequence[float], digits: int = 3) -> str:
    """``values`` as ``"median [first quartile-third quartile]"``, rounded to ``digits``."""
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return f"{med:.{digits}f} [{q1:.{digits}f}-{q3:.{digits}f}]"


@dataclass(frozen=True)
class Column:
    """A table column: its title, width, and how a value is written (a format spec such
    as ``".2f"`` or ``".1%"``, or a function to a string)."""

    title: str
    width: int
    format: str | Callable[[Any], str] = ""
    align: str = ">"

    def cell(self, value: Any) -> str:
        """``value`` written and aligned to the column's width."""
        text = self.format(value) if callable(self.format) else format(value, self.format)
        return f"{text:{self.align}{self.width}}"


class Table:
    """Columns separated by one space, each line after ``indent``."""

    def __init__(self, *columns: Column, indent: str = "") -> None:
        self.columns = columns
        self.indent = indent

    def header(self) -> str:
        """The titles, aligned as the cells below them."""
        titles = (f"{c.title:{c.align}{c.width}}" for c in self.columns)
        return self.indent + " ".join(titles)

    def row(self, *values: Any) -> str:
        """One row; with fewer values than columns, the last columns are left out."""
        columns = self.columns[: len(values)]
        cells = (column.cell(value) for column, value in zip(columns, values, strict=True))
        return self.indent + " ".join(cells)
