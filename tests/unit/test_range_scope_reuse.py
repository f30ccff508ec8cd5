"""A scoped list page reuses the statements its region scope derives (building them cost more than
running them: a province's page took several times the unscoped one), and they still select right."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, and_, create_engine, func, insert, or_, select

from anjian.data.ranges import RangeScope


def _scope(table, ranges):
    condition = or_(*(and_(table.c.region_code >= low, table.c.region_code < high) for low, high in ranges))
    return RangeScope(table.c.region_code, ranges, condition)


def test_scopes_of_the_same_ranges_share_their_derived_statements():
    table = Table("site", MetaData(), Column("id", Integer, primary_key=True), Column("region_code", String(12)))
    first, second = _scope(table, [("35", "36")]), _scope(table, [("35", "36")])  # two requests of one user
    assert first.outside_count(table.c.id, 1001) is second.outside_count(table.c.id, 1001)
    assert first.walking() is second.walking()
    other = _scope(table, [("350524", "350525")])
    assert other.outside_count(table.c.id, 1001) is not first.outside_count(table.c.id, 1001)
    assert other.walking() is not first.walking() and other.walking().ranges == (("350524", "350525"),)


def test_reused_statements_count_and_select_the_scopes_rows():
    engine = create_engine("sqlite://")
    meta = MetaData()
    table = Table("site", meta, Column("id", Integer, primary_key=True), Column("region_code", String(12)))
    meta.create_all(engine)
    codes = ["350524100000", "350100000000", "440100000000", None]
    with engine.begin() as conn:
        conn.execute(insert(table), [{"region_code": codes[n % 4]} for n in range(400)])
        for ranges, inside in (([("35", "36")], 200), ([("350524", "350525")], 100)):
            for _ in range(2):
                scope = _scope(table, ranges)
                assert conn.execute(scope.outside_count(table.c.id, 1001)).scalar_one() == 400 - inside
                walked = select(func.count()).select_from(table).where(scope.walking())
                assert conn.execute(walked).scalar_one() == inside
    engine.dispose()
