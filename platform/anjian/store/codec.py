"""Convert field values between their JSON form (API, import) and their stored form."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from ..meta.spec import FieldSpec
from .clock import utc_now

__all__ = ["Codec", "utc_now"]


class Codec:
    """Dates as ISO strings outside, date/datetime objects inside; times stored in UTC."""

    def __init__(self, timezone: str = "Asia/Shanghai") -> None:
        self.zone = ZoneInfo(timezone)

    def to_db(self, field: FieldSpec, value: Any) -> Any:
        if value is None or field.attachment is not None:
            return value
        if field.format == "date" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if field.format == "date-time" and isinstance(value, str):
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.zone)
            return moment.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def to_json(self, field: FieldSpec | None, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return self.moment(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def moment(self, value: dt.datetime) -> str:
        """A stored UTC datetime as local ISO 8601 with offset."""
        return value.replace(tzinfo=dt.UTC).astimezone(self.zone).isoformat(timespec="seconds")

    def now(self) -> dt.datetime:
        """Now from the process clock (``anjian.store.clock``), which tests turn."""
        return utc_now()
