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
    assert first.complement_count(table, table.c.id, 1001) is second.complement_count(table, table.c.id, 1001)
    assert first.walking() is second.walking()
    other = _scope(table, [("350524", "350525")])
    assert other.complement_count(table, table.c.id, 1001) is not first.complement_count(table, table.c.id, 1001)
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
                assert tuple(conn.execute(scope.complement_count(table, table.c.id, 1001)).one()) == (400, 400 - inside)
                walked = select(func.count()).select_from(table).where(scope.walking())
                assert conn.execute(walked).scalar_one() == inside
    engine.dispose()


def test_a_wide_scope_is_counted_in_one_statement_and_a_narrow_one_directly_once_known():
    from sqlalchemy import event

    from anjian.data.query import RecordReader

    engine = create_engine("sqlite://")
    meta = MetaData()
    table = Table("site", meta, Column("id", Integer, primary_key=True), Column("region_code", String(12)))
    meta.create_all(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with engine.begin() as conn:
        conn.execute(insert(table), [{"region_code": "350524100000" if n % 2 else "350100000000"} for n in range(3000)])
        for ranges, want, first, then in (([("35", "36")], 3000, 1, 1), ([("350524", "350525")], 1500, 2, 1)):
            for count_statements in (first, then, then):
                scope = _scope(table, ranges)
                statements.clear()
                assert RecordReader._count(conn, table, [scope], scope) == want
                assert len(statements) == count_statements, statements
    engine.dispose()
