"""SQL helpers for scope filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, and_, false, or_

from ..data.ranges import likely as likely  # the hint lives beside the scope it marks

__all__ = ["in_areas", "likely"]


def in_areas(column: Column[Any], areas: list[str] | None) -> ColumnElement[bool] | None:
    """SQL condition: ``column`` (a region code) lies in one of ``areas`` (None: no condition, e.g. for "*")."""
    from .regions import ALL, region_range

    if areas is None or ALL in areas:
        return None
    ranges = [region_range(area) for area in areas]
    clauses = [and_(column >= low, column < high) for low, high in (r for r in ranges if r)]
    return or_(*clauses) if clauses else false()
