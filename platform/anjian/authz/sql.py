"""SQL helpers for scope filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ColumnElement, and_, false, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["in_areas", "likely"]


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


def in_areas(column: Column[Any], areas: list[str] | None) -> ColumnElement[bool] | None:
    """SQL condition: ``column`` (a region code) lies in one of ``areas`` (None: no condition, e.g. for "*")."""
    from .regions import ALL, region_range

    if areas is None or ALL in areas:
        return None
    ranges = [region_range(area) for area in areas]
    clauses = [and_(column >= low, column < high) for low, high in (r for r in ranges if r)]
    return or_(*clauses) if clauses else false()
