"""A region scope counted as "all rows minus those outside" gives the count of the plain condition."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, and_, create_engine, func, insert, or_, select

from anjian.data.query import COMPLEMENT_PROBE, RecordReader
from anjian.data.ranges import RangeScope


@pytest.mark.parametrize(
    "ranges",
    [[("35", "36")], [("350524", "350525"), ("3505", "3506")], [("3501", "3502"), ("3503", "3504")], [("44", "45")]],
)
def test_complement_count_equals_the_condition_count(ranges):
    engine = create_engine("sqlite://")
    meta = MetaData()
    table = Table("site", meta, Column("id", Integer, primary_key=True), Column("region_code", String(12)))
    Index("ix_site_region", table.c.region_code)
    meta.create_all(engine)
    codes = ["350524100000", "350500000000", "350100000000", "350300000000", "440100000000", "3", "36", "", None]
    with engine.begin() as conn:
        # most rows in one county (as a province that fills the table), a few everywhere else and null
        conn.execute(insert(table), [{"region_code": codes[n % 30] if n % 30 < len(codes) else codes[0]} for n in range(3000)])
        condition = or_(*(and_(table.c.region_code >= low, table.c.region_code < high) for low, high in ranges))
        scope = RangeScope(table.c.region_code, ranges, condition)
        want = conn.execute(select(func.count()).select_from(table).where(condition)).scalar_one()
        assert RecordReader._count(conn, table, [scope], scope) == want
        # the same rows are selected through the wrapper as through the condition itself
        assert conn.execute(select(func.count()).select_from(table).where(scope)).scalar_one() == want
        outside = conn.execute(select(func.count()).select_from(table).where(scope.outside())).scalar_one()
        assert outside + want == 3000
        assert COMPLEMENT_PROBE < 3000  # both ways are exercised across the cases (few and many outside)
    engine.dispose()
