"""Report indexes (SQLite): a report grouped by a region level and a month bucket walks an index on
those expressions and the columns it reads, instead of sorting every row; the figures stay the same."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from anjian.meta.loader import Document
from anjian.meta.report_spec import build_report
from anjian.reports.compiled import CompiledReport
from anjian.reports.indexes import create_report_indexes, report_indexes
from anjian.reports.parameters import parse_parameters

DOCUMENT = {
    "report": "indexed_check",
    "title": "索引检验",
    "source": "hidden_danger",
    "parameters": [{"name": "period", "kind": "date_range", "field": "found_on", "default": "all"}],
    "dimensions": [
        {"name": "region", "field": "region_code", "levels": ["county", "township"]},
        {"name": "month", "field": "found_on", "bucket": "month"},
    ],
    "measures": [
        {"name": "found", "kind": "count"},
        {"name": "major", "kind": "count", "where": [{"field": "level", "op": "eq", "value": "major"}]},
        {"name": "funds", "kind": "sum", "field": "funds"},
    ],
    "limit": 1000,
}
REGIONS = ["350524100000", "350524101000", "350203", "350206"]


def build(published, document):
    catalog = published.registry.catalog
    report, problems = build_report(
        Document("indexed.report.json", "report", document["report"], document),
        catalog.entities,
        catalog.dictionaries,
        catalog.processes,
        catalog.modules,
    )
    assert not problems and report is not None
    return report


def compiled(published, report, args):
    registry = published.registry
    entity = registry.entity(report.source)
    query = parse_parameters(report, entity, None, registry.catalog.dictionaries, args, dt.date(2026, 6, 30))
    return CompiledReport(registry, report, query, None, dt.date(2026, 6, 30))


def plan(published, statement):
    with published.engine.connect() as conn:
        sql = statement.compile(published.engine)
        params = tuple(sql.params[k] for k in sql.positiontup)
        return " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(sql), params))


@pytest.fixture
def indexed_dangers(published, record_factory):
    firm = record_factory.create("enterprise", region_code="350524100000")["id"]
    template = record_factory.body("hidden_danger", enterprise_id=firm)
    now = published.codec.now()
    rows = [
        {
            **template,
            "region_code": REGIONS[n % 4],
            "found_on": dt.date(2025, 1 + n % 12, 1 + n % 27),
            "level": "major" if n % 5 == 0 else "general",
            "funds": n % 7,
            "created_at": now,
            "updated_at": now,
            "created_by": "t",
            "updated_by": "t",
            "row_version": 1,
        }
        for n in range(120)
    ]
    with published.engine.begin() as conn:
        conn.execute(insert(published.registry.table("hidden_danger")), rows)
        conn.exec_driver_sql("ANALYZE hidden_danger")  # the planner knows the table as a running one would
    return published


@pytest.mark.parametrize("level", ["county", "township"])
def test_a_report_groups_by_walking_its_index_with_the_same_figures(indexed_dangers, level):
    report = build(indexed_dangers, DOCUMENT)
    args = {"region_level": level}
    before = compiled(indexed_dangers, report, args)
    grouped, _ = before.statements()
    shown = plan(indexed_dangers, grouped)
    assert "TEMP B-TREE FOR GROUP BY" in shown, shown  # without the index SQLite sorts
    with indexed_dangers.engine.connect() as conn:
        expected = before.execute(conn)
    assert create_report_indexes(indexed_dangers.engine, indexed_dangers.registry, [report]) == 2  # county, township
    after = compiled(indexed_dangers, report, args)
    grouped, _ = after.statements()
    shown = plan(indexed_dangers, grouped)
    assert "COVERING INDEX rx_" in shown and "FOR GROUP BY" not in shown, shown
    with indexed_dangers.engine.connect() as conn:
        assert after.execute(conn) == expected
    assert sum(r["found"] for r in expected[0]) == 120


def test_reports_over_the_state_or_comparing_with_last_year_get_no_index(published):
    with_state = {**DOCUMENT, "report": "state_check"}
    with_state["measures"] = [
        *DOCUMENT["measures"],
        {"name": "closed", "kind": "count", "where": [{"field": "_state", "op": "eq", "value": "closed"}]},
    ]
    assert report_indexes(published.registry, build(published, with_state)) == []
    yoy = {**DOCUMENT, "report": "yoy_check"}
    yoy["measures"] = [*DOCUMENT["measures"], {"name": "yoy", "kind": "change", "of": "found", "against": "last_year"}]
    assert report_indexes(published.registry, build(published, yoy)) == []


def test_the_index_of_a_withdrawn_report_is_dropped(published):
    report = build(published, DOCUMENT)
    create_report_indexes(published.engine, published.registry, [report])
    names = {name for name, _, _ in report_indexes(published.registry, report)}

    def present():
        with published.engine.connect() as conn:
            return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}

    assert names <= present()
    create_report_indexes(published.engine, published.registry, [])
    assert not names & present()


def test_a_published_report_index_leaves_publish_and_checksums_working(published, tmp_path):
    """SQLite cannot describe an index on expressions to SQLAlchemy, which warns when it reflects the
    table: the next publish (which compares indexes) and a backup's checksums must still work."""
    import json
    import shutil
    import warnings

    from anjian.backup.checksums import table_checksums
    from anjian.config import bundled_metadata_path

    folder = tmp_path / "metadata"
    shutil.copytree(bundled_metadata_path(), folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "hazard" / "indexed_check.report.json").write_text(json.dumps(DOCUMENT, ensure_ascii=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as pytest's configuration does; a server would only log it
        published.publish([folder])
        names = {name for name, _, _ in report_indexes(published.registry, build(published, DOCUMENT))}
        with published.engine.connect() as conn:
            present = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert names and names <= present
        again = published.publish([folder])  # compares the tables' indexes with the declarations
        assert not again.plan.destructive
        with published.engine.connect() as conn:
            assert table_checksums(conn)["hidden_danger"].rows == 0
