"""SQL helpers for scope filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, and_, false, or_

from ..data.ranges import likely as likely  # the hint lives beside the scope it marks

__all__ = ["in_areas", "likely", "within_area"]


def within_area(column: Column[Any], area: str) -> ColumnElement[bool] | None:
    """SQL condition: ``column`` (a region code) lies within ``area``, as an index range
    (None: the area holds every code, e.g. ``*``)."""
    from .regions import region_range

    bounds = region_range(area)
    return None if bounds is None else and_(column >= bounds[0], column < bounds[1])


def in_areas(column: Column[Any], areas: list[str] | None) -> ColumnElement[bool] | None:
    """SQL condition: ``column`` (a region code) lies in one of ``areas`` (None: no condition, e.g. for "*")."""
    from .regions import ALL

    if areas is None or ALL in areas:
        return None
    clauses = [c for c in (within_area(column, area) for area in areas) if c is not None]
    return or_(*clauses) if clauses else false()
