"""Drill links worked out once per dimension value and measure equal those worked out row by row.

``DrillLinks`` keeps what a thousand rows share (a value's next-level link, a value's part of the
list query, a measure's own conditions) and combines them. The reference here does it the plain
way for every row: the report's fixed list arguments, each dimension value added in turn, each
measure's conditions on top, quoted by ``urlencode``. Random declarations cover the cases where the
shortcuts must step aside: two dimensions on one field (a month and a year of the same date), a
measure asking the field a dimension asks (level), a drilled-in value, date ranges and values.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anjian.meta.loader import Document
from anjian.meta.report_spec import build_report
from anjian.reports.compiled import CompiledReport
from anjian.reports.parameters import parse_parameters

TODAY = dt.date(2026, 6, 30)
DIMENSIONS = {
    "region": {"name": "region", "field": "region_code", "levels": ["county", "township"]},
    "month": {"name": "month", "field": "found_on", "bucket": "month"},
    "year": {"name": "year", "field": "found_on", "bucket": "year"},
    "level": {"name": "level", "field": "level"},
    "source": {"name": "source", "field": "source"},
}
VALUES = {
    "region": ["350524", "350203", "350524100000", "350524101000", None],
    "month": ["2026-01", "2026-02", "2025-12", None],
    "year": ["2025", "2026"],
    "level": ["general", "major", None],
    "source": ["self_inspection", "report"],
}
MEASURES = [
    {"name": "found", "kind": "count"},
    {"name": "major", "kind": "count", "where": [{"field": "level", "op": "eq", "value": "major"}]},
    {"name": "closed", "kind": "count", "where": [{"field": "_state", "op": "eq", "value": "closed"}]},
    {"name": "recent", "kind": "count", "where": [{"field": "found_on", "op": "ge", "value": "2026-02-01"}]},
    {"name": "firms", "kind": "count_distinct", "field": "enterprise_id"},
    {"name": "funds", "kind": "sum", "field": "funds", "where": [{"field": "funds", "op": "gt", "value": 0}]},
]


def reference_links(drill, row):
    """Each row's links worked out from nothing (the rules of ``DrillLinks``, without its shortcuts)."""
    report, query = drill.report, drill.query
    links = {}
    for d in report.dimensions:
        value = row.get(d.name)
        if value is None or not d.levels:
            continue
        position = d.levels.index(query.levels[d.name])
        if position + 1 < len(d.levels):
            args = {**query.as_args(), d.name: str(value), f"{d.name}_level": d.levels[position + 1]}
            links[d.name] = f"/reports/{report.name}?" + urlencode(args)
    fixed = drill._query_args
    if fixed is None:
        return links
    args = dict(fixed)
    for d in report.dimensions:
        if d.name in row:
            value = row[d.name]
            if value is None:
                return links
        elif d.name in query.drill:
            value = query.drill[d.name]
        else:
            continue
        if not drill._ask(args, d, value):
            return links
    for m in report.measures:
        if m.is_aggregate:
            own = dict(args)
            if all(drill._express(own, c) for c in m.where):
                links[m.name] = f"/e/{drill.entity.name}/?" + urlencode(own)
    return links


@pytest.fixture
def catalog(published):
    return published.registry


declarations = st.fixed_dictionaries(
    {
        "dimensions": st.lists(st.sampled_from(sorted(DIMENSIONS)), min_size=1, max_size=3, unique=True),
        "measures": st.lists(st.sampled_from(range(len(MEASURES))), min_size=1, max_size=4, unique=True),
        "state_filter": st.booleans(),
        "period": st.sampled_from([None, ("2026-01-01", "2026-06-30"), ("2025-12-15", "2026-02-10")]),
        "levels": st.sampled_from([None, "major", "general,major"]),
        "drill": st.sampled_from([None, ("region", "350524"), ("level", "major"), ("month", "2026-02")]),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(declared=declarations, data=st.data())
def test_links_equal_those_worked_out_row_by_row(catalog, declared, data):
    dimensions = [DIMENSIONS[n] for n in declared["dimensions"]]
    document = {
        "report": "drill_check",
        "title": "钻取检验",
        "source": "hidden_danger",
        "parameters": [
            {"name": "period", "kind": "date_range", "field": "found_on", "default": "all"},
            {"name": "levels", "kind": "values", "field": "level"},
        ],
        "dimensions": dimensions,
        "measures": [MEASURES[i] for i in sorted(declared["measures"])],
        "filters": [{"field": "_state", "op": "ne", "value": "closed"}] if declared["state_filter"] else [],
        "limit": 1000,
    }
    report, problems = build_report(
        Document("drill.report.json", "report", "drill_check", document),
        catalog.catalog.entities,
        catalog.catalog.dictionaries,
        catalog.catalog.processes,
        catalog.catalog.modules,
    )
    assert not problems and report is not None, problems
    args = {}
    if declared["period"]:
        args["period_from"], args["period_to"] = declared["period"]
    if declared["levels"]:
        args["levels"] = declared["levels"]
    drilled = declared["drill"]
    if drilled and drilled[0] in declared["dimensions"]:
        args[drilled[0]] = drilled[1]
    entity = catalog.entity("hidden_danger")
    query = parse_parameters(report, entity, None, catalog.catalog.dictionaries, args, TODAY)
    drill = CompiledReport(catalog, report, query, None, TODAY).drill
    rows = data.draw(
        st.lists(
            st.fixed_dictionaries({d["name"]: st.sampled_from(VALUES[d["name"]]) for d in dimensions}),
            min_size=1,
            max_size=12,
        )
    )
    for row in [*rows, *rows, {}]:  # again: the second time every value's part is remembered
        assert drill.links(row) == reference_links(drill, row), row
