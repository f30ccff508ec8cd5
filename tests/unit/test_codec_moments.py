"""Moments leave the engine as RFC 3339 (schemathesis found year 738 written as +08:05:43)."""

import datetime as dt

from anjian.store.codec import Codec


def test_a_modern_moment_is_written_in_local_time():
    assert Codec().moment(dt.datetime(2025, 9, 29, 2, 0)) == "2025-09-29T10:00:00+08:00"


def test_a_moment_before_standard_time_zones_is_written_in_utc_with_a_whole_minute_offset():
    written = Codec().moment(dt.datetime(738, 7, 16, 5, 38, 28))
    assert written == "0738-07-16T05:38:28+00:00"
    assert dt.datetime.fromisoformat(written) == dt.datetime(738, 7, 16, 5, 38, 28, tzinfo=dt.UTC)
