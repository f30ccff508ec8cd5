"""A report's dates and values: today in China, the period a change compares with, and cells
as JSON and URLs want them."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ..store.clock import utc_now

__all__ = ["CHINA", "as_number", "as_text", "comparison_period", "divide", "local_today", "plain"]

CHINA = dt.timezone(dt.timedelta(hours=8))


def local_today() -> dt.date:
    """Today in China (the reports' default periods)."""
    return utc_now().astimezone(CHINA).date()


def comparison_period(first: dt.date, last: dt.date, against: str) -> tuple[dt.date, dt.date]:
    """The period a change compares with: the one just before (环比) or a year earlier (同比)."""
    if against == "previous":
        length = last - first + dt.timedelta(days=1)
        return first - length, first - dt.timedelta(days=1)

    def year_back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)

    return year_back(first), year_back(last)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def divide(a: Any, b: Any) -> float | None:
    if a is None or b in (None, 0):
        return None
    return float(a) / float(b)


def as_number(value: Any) -> Any:
    if value is None or isinstance(value, int | bool):
        return value
    number = float(value)
    return None if not math.isfinite(number) else number


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
