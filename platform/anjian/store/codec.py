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
            return self._moment_of(value)
        if field.type == "number" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # a DOUBLE column: an integer beyond 64 bits must not reach the driver
        return value

    def _moment_of(self, value: str) -> dt.datetime:
        """An RFC 3339 date-time (as the validator accepts it) in UTC without tzinfo.

        ``t``/``z`` may be lower case, and a leap second (``:60``) is kept as the last
        microsecond of its minute: datetime cannot hold it.
        """
        text = value.upper().replace("Z", "+00:00")
        leap = len(text) > 18 and text[17:19] == "60"
        if leap:
            text = text[:17] + "59" + text[19:]
        moment = dt.datetime.fromisoformat(text)
        if leap:
            moment = moment.replace(microsecond=999_999)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(dt.UTC).replace(tzinfo=None)

    def to_json(self, field: FieldSpec | None, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return self.moment(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def moment(self, value: dt.datetime) -> str:
        """A stored UTC datetime as local RFC 3339 with offset.

        Before time zones were standard the zone database gives local mean time (Shanghai
        +08:05:43); RFC 3339 offsets are whole minutes, so such a moment is written in UTC.
        """
        local = value.replace(tzinfo=dt.UTC).astimezone(self.zone)
        offset = local.utcoffset()
        if offset is not None and offset.seconds % 60:
            local = value.replace(tzinfo=dt.UTC)
        return local.isoformat(timespec="seconds")

    def now(self) -> dt.datetime:
        """Now from the process clock (``anjian.store.clock``), which tests turn."""
        return utc_now()
