"""The one clock: every part that stamps or compares time reads it, so tests turn it instead of sleeping."""

import datetime as dt

from sqlalchemy import select

from anjian import Actor
from anjian.audit import append
from anjian.data.db import write
from anjian.data.system import audit_log
from anjian.store.clock import set_clock, system_clock, use_clock, utc_now
from anjian.testing.clock import ManualClock

MOMENT = dt.datetime(2025, 10, 1, 0, 30)


def test_use_clock_turns_utc_now_and_puts_the_previous_clock_back():
    before = utc_now()
    with use_clock(ManualClock(MOMENT)) as clock:
        assert utc_now() == MOMENT
        clock.advance(days=1, hours=2)
        assert utc_now() == MOMENT + dt.timedelta(days=1, hours=2)
        clock.set_local("2025-10-08 09:00")  # Asia/Shanghai, UTC+8
        assert utc_now() == dt.datetime(2025, 10, 8, 1, 0)
    assert abs(utc_now() - before) < dt.timedelta(minutes=5)  # the system clock again
    assert set_clock(None) is system_clock


def test_the_clock_fixture_drives_stamps_and_the_codec(published, clock):
    clock.set(MOMENT)
    with write(published.engine) as conn, conn.begin():
        append(conn, Actor("auditor", is_admin=True), "update", "enterprise", 1, {})
    with published.engine.connect() as conn:
        stamped = conn.execute(select(audit_log.c.at).order_by(audit_log.c.id.desc())).scalars().first()
    assert stamped == MOMENT
    assert published.codec.now() == MOMENT
    created = published.records.create(
        "agency",
        {"name": "时钟测试机构", "kind": "authority", "level": "county", "region_code": "350524"},
        Actor("admin", is_admin=True),
    )
    assert created["created_at"].startswith("2025-10-01T08:30")  # shown in local time
