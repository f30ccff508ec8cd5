"""A scope condition that remembers its shape: "this column lies in one of these [low, high) ranges".

It renders as the plain condition it wraps, so every query uses it as before; a count can ask it
for its complement. Counting the rows a province may read on a table the province fills means an
index range scan over every row, while "all rows minus those outside" is the table's own row
count (which SQLite keeps cheaply) minus a few index probes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["RangeScope"]


class RangeScope(FunctionElement[bool]):
    """``condition``, known to mean: ``column`` lies in one of ``ranges`` (each ``[low, high)``)."""

    type = Boolean()
    inherit_cache = True
    name = "range_scope"

    def __init__(self, column: Any, ranges: Sequence[tuple[str, str]], condition: ColumnElement[bool]) -> None:
        self.column = column
        self.ranges = tuple(sorted(ranges))
        super().__init__(condition)

    def outside(self) -> ColumnElement[bool]:
        """The rows the condition leaves out: a null column, or a value in no range (index-friendly terms)."""
        merged: list[tuple[str, str]] = []
        for low, high in self.ranges:
            if merged and low <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        column = self.column
        terms: list[ColumnElement[bool]] = [column.is_(None), column < merged[0][0]]
        terms += [and_(column >= a[1], column < b[0]) for a, b in zip(merged, merged[1:], strict=False)]
        terms.append(column >= merged[-1][1])
        return or_(*terms)


@compiles(RangeScope)
def _render(element: Any, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))
