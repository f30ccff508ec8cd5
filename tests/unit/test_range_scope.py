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


def _site(engine):
    meta = MetaData()
    table = Table(
        "site", meta, Column("id", Integer, primary_key=True), Column("region_code", String(12)), Column("status", String(8))
    )
    Index("ix_site_region", table.c.region_code)
    meta.create_all(engine)
    return table


def test_a_scope_of_several_ranges_stays_one_term_beside_a_filter_and_under_not():
    engine = create_engine("sqlite://")
    table = _site(engine)
    ranges = [("350524", "350525"), ("440100", "440101")]
    condition = or_(*(and_(table.c.region_code >= low, table.c.region_code < high) for low, high in ranges))
    scope = RangeScope(table.c.region_code, ranges, condition)
    rows = [("350524100000", "active"), ("350524100000", "closed"), ("440100000000", "active"), ("110100000000", "active")]
    with engine.begin() as conn:
        conn.execute(insert(table), [{"region_code": r, "status": s} for r, s in rows])
        active = select(table.c.region_code).where(scope, table.c.status == "active").order_by(table.c.id)
        # a user with grants in two regions filtering by status sees only that status
        assert conn.execute(active).scalars().all() == ["350524100000", "440100000000"]
        assert conn.execute(select(table.c.region_code).where(~scope)).scalars().all() == ["110100000000"]
    engine.dispose()


def test_a_scope_walks_its_index_range_from_both_ends():
    """The wrapper renders as the plain condition, without a trailing "= 1" that cut off the range's
    upper end (a county's list then read to the end of the index)."""
    engine = create_engine("sqlite://")
    table = _site(engine)
    ranges = [("350524", "350525")]
    scope = RangeScope(table.c.region_code, ranges, and_(table.c.region_code >= "350524", table.c.region_code < "350525"))
    count = select(func.count()).select_from(table).where(scope)
    with engine.connect() as conn:
        sql = str(count.compile(conn))
        assert "= 1" not in sql
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, ("350524", "350525")))
        assert "region_code>? AND region_code<?" in plan, plan
        probe = select(func.count()).select_from(scope.outside_probe(table.c.id, COMPLEMENT_PROBE + 1).subquery())
        probe_sql = str(probe.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + probe_sql))
        # one bounded index walk per outside term, never an OR that collects every outside row first
        assert "MULTI-INDEX OR" not in plan and plan.count("USING COVERING INDEX ix_site_region") == 3, plan
    engine.dispose()


def test_a_scope_holding_many_rows_pages_by_walking_the_sort_order():
    """``walking()`` keeps the rows and tells SQLite they are most of the table: a page of the newest
    rows reads the table backwards and filters, instead of reading the whole range and sorting it."""
    engine = create_engine("sqlite://")
    table = _site(engine)
    ranges = [("350524", "350525")]
    scope = RangeScope(table.c.region_code, ranges, and_(table.c.region_code >= "350524", table.c.region_code < "350525"))
    with engine.begin() as conn:
        conn.execute(insert(table), [{"region_code": "350524100000" if n % 3 else "440100000000"} for n in range(600)])

        def plan(condition):
            page = select(table.c.id).where(condition).order_by(table.c.id.desc()).limit(20)
            sql = str(page.compile(conn, compile_kwargs={"literal_binds": True}))
            return " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))

        assert "ix_site_region" in plan(scope)  # few rows expected: the range index, then sort
        assert "ix_site_region" not in plan(scope.walking()) and "TEMP B-TREE" not in plan(scope.walking())
        newest = select(table.c.id).order_by(table.c.id.desc()).limit(20)
        assert conn.execute(newest.where(scope.walking())).scalars().all() == conn.execute(newest.where(scope)).scalars().all()
    engine.dispose()
