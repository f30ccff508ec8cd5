"""The sample table behind one storage interface: partitioned by day on PostgreSQL, one B-tree on SQLite."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from anjian_monitoring.partitions import DAY, ensure_partitions, partition_names
from anjian_monitoring.storage import SampleStore
from anjian_monitoring.tables import SAMPLE_DEFAULT, sample
from anjian_monitoring.tasks import purge, sweep
from monitoring_county import START
from sqlalchemy import func, select

from anjian.store.db import write

pytestmark = pytest.mark.postgres


def _ms(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.UTC).timestamp() * 1000)


def _count(platform: Any, table: str | None = None) -> int:
    with platform.engine.connect() as conn:
        if table is None:
            return int(conn.execute(select(func.count()).select_from(sample)).scalar_one())
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def test_day_partitions_are_made_ahead_filled_from_the_default_and_dropped_by_retention(county: Any) -> None:
    platform, clock = county["platform"], county["clock"]
    point = county["points"]["A-T1"]
    store = SampleStore(platform.engine)
    rows = [(point, _ms(START) - d * DAY + s * 1000, 20.0 + s, 0) for d in range(3) for s in range(10)]
    with write(platform.engine) as conn, conn.begin():
        assert store.insert(conn, rows) == 30  # before any day partition exists: held by the default one
    postgres = platform.engine.dialect.name == "postgresql"
    result = sweep(platform)
    assert result.get("partitions_created", 0) == (90 + 1 + 7 if postgres else 0)
    with platform.engine.connect() as conn:
        names = partition_names(conn)
    if postgres:
        assert names[0] == "monitoring_sample_p20251202" and names[-1] == "monitoring_sample_p20260309"
        assert _count(platform, SAMPLE_DEFAULT) == 0  # moved into their days
        assert [_count(platform, f"monitoring_sample_p202602{d}") for d in ("28",)] == [10]
        assert _count(platform, "monitoring_sample_p20260301") == 10 and _count(platform, "monitoring_sample_p20260302") == 10
    else:
        assert names == []
    assert _count(platform) == 30
    with write(platform.engine) as conn, conn.begin():
        assert store.insert(conn, rows) == 0  # idempotent across partitions too
        assert ensure_partitions(conn, _ms(START), 90) == []  # nothing missing: nothing made twice
    clock.set(START + dt.timedelta(days=91))
    removed = purge(platform)
    # the cut-off is START + 1 day: every day from 2025-12-02 to 2026-03-02 ended before it (91)
    assert removed["raw_partitions"] == (91 if postgres else 0)
    assert _count(platform) == 0
