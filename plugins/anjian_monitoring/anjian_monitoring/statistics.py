"""Alarm statistics: the computed handling time the shipped reports (``*.report.json``) sum and average."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["handling_minutes"]


def _moment(value: Any) -> dt.datetime | None:
    """An ISO date-time as aware UTC (a time without offset is China Standard Time, as the forms send it)."""
    if not isinstance(value, str) or len(value) < 16:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment.astimezone(dt.UTC)


def handling_minutes(record: Mapping[str, Any], ctx: Any) -> int | None:
    """Minutes from the alarm to its 闭环 (empty while it is open)."""
    raised, closed = _moment(record.get("raised_at")), _moment(record.get("closed_at"))
    if raised is None or closed is None:
        return None
    return max(0, int((closed - raised).total_seconds() // 60))
