"""A scope condition that remembers its shape: "this column lies in one of these [low, high) ranges".

It renders as the plain condition it wraps, so every query uses it as before; a count can ask it
for its complement. Counting the rows a province may read on a table the province fills means an
index range scan over every row, while "all rows minus those outside" is the table's own row
count (which SQLite keeps cheaply) minus a few index probes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, ColumnElement, CompoundSelect, Select, and_, func, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["RangeScope", "likely"]


class likely(FunctionElement[bool]):  # noqa: N801 (reads as a SQL function)
    """A condition most rows meet: on SQLite ``likelihood(cond, 0.9)``, elsewhere the condition itself.

    Without the hint SQLite walks the region index for a range that covers most of the table and
    then sorts it (250 ms on a million rows) instead of reading the newest rows and filtering them.
    PostgreSQL's planner has column statistics and needs no hint.
    """

    type = Boolean()
    inherit_cache = True
    name = "likely"


@compiles(likely)
def _plain(element: Any, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(likely, "sqlite")
def _sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.9)"


class RangeScope(FunctionElement[bool]):
    """``condition``, known to mean: ``column`` lies in one of ``ranges`` (each ``[low, high)``)."""

    type = Boolean()
    inherit_cache = True
    name = "range_scope"
    # It is a condition already: without this, a WHERE on a database without a boolean type renders
    # it as "(a >= ? AND a < ?) = 1", and the "= 1" binds to the last comparison only, so the
    # index range loses its upper end (a county's page and count then scanned to the table's end).
    _is_implicitly_boolean = True

    def __init__(self, column: Any, ranges: Sequence[tuple[str, str]], condition: ColumnElement[bool]) -> None:
        self.column = column
        self.ranges = tuple(sorted(ranges))
        super().__init__(condition)

    def outside(self) -> ColumnElement[bool]:
        """The rows the condition leaves out: a null column, or a value in no range (index-friendly terms)."""
        return or_(*self.outside_terms())

    def walking(self) -> RangeScope:
        """The same rows, marked as most of the table: a page then walks its sort order and filters,
        rather than reading every row of the ranges and sorting them (for a scope holding thousands)."""
        return _walking(self.column, self.ranges)

    def complement_count(self, table: Any, key: Any, limit: int) -> Select[Any]:
        """(the table's rows, up to ``limit`` keys outside the scope) in one statement: a wide scope
        is counted as the difference. Built once per table, ranges and limit: every scoped list
        page asks it, and building the statement costs more than running it."""
        return _complement_count(self, table, key, limit)

    def outside_terms(self) -> list[ColumnElement[bool]]:
        """``outside`` as separate terms, each one index lookup or range: a null column, below the
        first range, in a gap between two, above the last."""
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
        return terms

    def outside_probe(self, key: Any, limit: int) -> CompoundSelect[Any]:
        """Up to ``limit`` keys per outside term (``key``: a column of the scoped table).

        Each term is its own index walk that stops at its limit. One condition OR-ing the terms
        would collect every outside row before any limit applies (SQLite's multi-index OR), which
        for a narrow scope (one county of a province's table) is nearly the whole table.
        """
        parts = [select(key).where(term).limit(limit).subquery() for term in self.outside_terms()]
        return union_all(*(select(part.c[0]) for part in parts))


@lru_cache(maxsize=256)
def _walking(column: Any, ranges: tuple[tuple[str, str], ...]) -> RangeScope:
    condition = or_(*(and_(likely(column >= low), likely(column < high)) for low, high in ranges))
    return RangeScope(column, ranges, condition)


_COUNTS: dict[tuple[Any, ...], Select[Any]] = {}


def _complement_count(scope: RangeScope, table: Any, key: Any, limit: int) -> Select[Any]:
    cache_key = (scope.column, scope.ranges, table, key, limit)
    found = _COUNTS.get(cache_key)
    if found is not None:
        return found
    if len(_COUNTS) >= 256:  # scopes of a few hundred users and entities; a new catalog starts afresh
        _COUNTS.clear()
    outside = select(func.count()).select_from(scope.outside_probe(key, limit).subquery())
    rows = select(func.count()).select_from(table)
    statement: Select[Any] = select(rows.scalar_subquery(), outside.scalar_subquery())
    _COUNTS[cache_key] = statement
    return statement


@compiles(RangeScope)
def _render(element: Any, compiler: Any, **kw: Any) -> str:
    # Always in parentheses: the condition of several ranges is an OR, and beside a filter
    # ("scope AND status = ?") or under NOT it must stay one term.
    return "(" + str(compiler.process(element.clauses, **kw)) + ")"
