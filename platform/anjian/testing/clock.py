"""A clock that stands still until a test moves it (installed by the ``clock`` fixture)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ..store.clock import system_clock

__all__ = ["ManualClock"]


class ManualClock:
    """Now as naive UTC, set and advanced by the test instead of waited for."""

    def __init__(self, start: dt.datetime | None = None, timezone: str = "Asia/Shanghai") -> None:
        self.zone = ZoneInfo(timezone)
        self.moment = system_clock().replace(microsecond=0) if start is None else _naive_utc(start)

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        """Stand at ``moment`` (naive UTC, or aware in any zone)."""
        self.moment = _naive_utc(moment)

    def set_local(self, text: str) -> None:
        """Stand at a local wall-clock time (the clock's zone), e.g. "2025-09-30 10:00"."""
        self.moment = _naive_utc(dt.datetime.fromisoformat(text).replace(tzinfo=self.zone))

    def advance(self, **delta: float) -> None:
        """Move forward by ``timedelta(**delta)``, e.g. ``advance(days=3, hours=2)``."""
        self.moment += dt.timedelta(**delta)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC).replace(tzinfo=None)
