"""Report values equal a reference computed in Python on random data (hypothesis).

Random hidden dangers (region, level, date, funds, enterprise, closed or not) are written straight
into the table; a report with every kind of measure, a tree-dictionary level and a month bucket
is compiled and run; the same figures are computed here from the rows and compared.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from anjian.meta.loader import Document
from anjian.meta.report_spec import build_report
from anjian.reports.compiled import CompiledReport
from anjian.reports.parameters import parse_parameters
from anjian.reports.runner import comparison_period
from anjian.reports.sql import bucket_of
from anjian.workflow.tables import instance

pytestmark = pytest.mark.postgres  # the PostgreSQL pass runs them again

REGIONS = ["350524100000", "350524101000", "350524", "350203", "350206"]
COUNTY = {"350524100000": "350524", "350524101000": "350524", "350524": "350524", "350203": "350203", "350206": "350206"}
START = dt.date(2024, 1, 1)
TODAY = dt.date(2026, 6, 30)
DOCUMENT = {
    "report": "reference_check",
    "title": "参照检验",
    "source": "hidden_danger",
    "parameters": [
        {"name": "period", "kind": "date_range", "field": "found_on", "default": "all"},
        {"name": "level", "kind": "values", "field": "level"},
    ],
    "dimensions": [
        {"name": "region", "field": "region_code", "levels": ["county", "township"]},
        {"name": "month", "field": "found_on", "bucket": "month"},
    ],
    "measures": [
        {"name": "found", "kind": "count"},
        {"name": "closed", "kind": "count", "where": [{"field": "_state", "op": "eq", "value": "closed"}]},
        {"name": "open", "kind": "count", "where": [{"field": "_state", "op": "ne", "value": "closed"}]},
        {"name": "firms", "kind": "count_distinct", "field": "enterprise_id"},
        {"name": "funds", "kind": "sum", "field": "funds"},
        {"name": "mean", "kind": "avg", "field": "funds"},
        {"name": "least", "kind": "min", "field": "funds"},
        {"name": "most", "kind": "max", "field": "funds"},
        {"name": "rate", "kind": "ratio", "numerator": "closed", "denominator": "found"},
        {"name": "share", "kind": "share", "of": "found"},
        {"name": "yoy", "kind": "change", "of": "found", "against": "last_year"},
    ],
    "limit": 1000,
}
MEASURES = [m["name"] for m in DOCUMENT["measures"]]


def day(offset):
    """A day from START, never 29 February (SQLite and PostgreSQL move it a year on differently)."""
    value = START + dt.timedelta(days=offset)
    return value + dt.timedelta(days=1) if (value.month, value.day) == (2, 29) else value


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(REGIONS),
        st.sampled_from(["general", "major"]),
        st.integers(0, 900),
        st.one_of(st.none(), st.integers(0, 100)),
        st.integers(0, 2),
        st.booleans(),
    ),
    max_size=40,
)
period_strategy = st.one_of(st.none(), st.tuples(st.integers(0, 900), st.integers(0, 400)))


@pytest.fixture
def world(published, record_factory):
    registry = published.registry
    catalog = registry.catalog
    report, problems = build_report(
        Document("reference.report.json", "report", "reference_check", DOCUMENT),
        catalog.entities,
        catalog.dictionaries,
        catalog.processes,
        catalog.modules,
    )
    assert not problems and report is not None
    firms = [record_factory.create("enterprise", region_code="350524100000")["id"] for _ in range(3)]
    template = record_factory.body("hidden_danger", enterprise_id=firms[0])
    return {"platform": published, "report": report, "firms": firms, "template": template}


def reference(rows, first, last, levels, grouped_by_county):
    """The report's figures computed in Python: {(region, month): {measure: value}} and the totals."""
    overlapping = first and last and (last - first).days >= 365  # a year earlier would overlap: no 同比
    comparison = comparison_period(first, last, "last_year") if first and last and not overlapping else None

    def in_range(value, bounds):
        return bounds is not None and bounds[0] <= value <= bounds[1]

    groups = defaultdict(lambda: {"current": [], "base": 0})
    total_current, total_base = [], 0
    for region, level, found_on, funds, firm, closed in rows:
        if levels and level not in levels:
            continue
        key_region = COUNTY[region] if grouped_by_county else region
        current = (first is None or found_on >= first) and (last is None or found_on <= last)
        if current:
            groups[(key_region, bucket_of(found_on, "month"))]["current"].append((funds, firm, closed))
            total_current.append((funds, firm, closed))
        elif in_range(found_on, comparison):
            groups[(key_region, bucket_of(found_on.replace(year=found_on.year + 1), "month"))]["base"] += 1
            total_base += 1

    def figures(current, base, total_found):
        funds = [f for f, _, _ in current if f is not None]
        found = len(current)
        closed = sum(1 for _, _, c in current if c)
        return {
            "found": found,
            "closed": closed,
            "open": found - closed,
            "firms": len({firm for _, firm, _ in current}),
            "funds": sum(funds),
            "mean": sum(funds) / len(funds) if funds else None,
            "least": min(funds) if funds else None,
            "most": max(funds) if funds else None,
            "rate": closed / found if found else None,
            "share": found / total_found if total_found else None,
            "yoy": (found - base) / base if comparison and base else None,
        }

    total_found = len(total_current)
    table = {key: figures(g["current"], g["base"], total_found) for key, g in groups.items()}
    return table, figures(total_current, total_base, total_found)


def close_enough(actual, expected):
    if expected is None or actual is None:
        return actual == expected
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    rows=rows_strategy,
    period=period_strategy,
    levels=st.sampled_from([(), ("major",), ("general", "major")]),
    county=st.booleans(),
)
def test_report_values_equal_a_python_reference(world, rows, period, levels, county):
    platform, report = world["platform"], world["report"]
    registry = platform.registry
    table = registry.table("hidden_danger")
    made = [
        (region, level, day(offset), funds, world["firms"][firm], closed) for region, level, offset, funds, firm, closed in rows
    ]
    now = dt.datetime(2026, 6, 30, 8, 0)
    with platform.engine.begin() as conn:
        conn.execute(delete(instance).where(instance.c.entity == "hidden_danger"))
        conn.execute(delete(table))
        for n, (region, level, found_on, funds, firm, closed) in enumerate(made, start=1):
            values = {**world["template"], "region_code": region, "level": level, "found_on": found_on, "funds": funds}
            values.update(enterprise_id=firm, rectify_deadline=dt.date(2026, 12, 31))
            values = {k: v for k, v in values.items() if k in table.c and k != "photos"}
            conn.execute(
                insert(table).values(
                    id=n, created_at=now, updated_at=now, created_by="t", updated_by="t", row_version=1, **values
                )
            )
            conn.execute(
                insert(instance).values(
                    entity="hidden_danger",
                    record_id=n,
                    process="hidden_danger",
                    version=1,
                    state="closed" if closed else "reported",
                    state_since=now,
                    started_by="t",
                    started_at=now,
                )
            )
    args = {"region_level": "county" if county else "township"}
    first = last = None
    if period is not None:
        first = day(period[0])
        last = first + dt.timedelta(days=period[1])
        args.update(period_from=first.isoformat(), period_to=last.isoformat())
    if levels:
        args["level"] = ",".join(levels)
    entity = registry.entity("hidden_danger")
    query = parse_parameters(report, entity, None, registry.catalog.dictionaries, args, TODAY)
    compiled = CompiledReport(registry, report, query, None, TODAY)
    with platform.engine.connect() as conn:
        rows_out, totals = compiled.execute(conn)
    expected, expected_totals = reference(made, first, last, levels, county)
    got = {(row["region"], row["month"]): row for row in rows_out}
    assert set(got) == set(expected)
    for key, figures in expected.items():
        for name in MEASURES:
            assert close_enough(got[key][name], figures[name]), (key, name, got[key][name], figures[name])
    for name in MEASURES:
        assert close_enough(totals[name], expected_totals[name]), (name, totals[name], expected_totals[name])
    # Without count distinct and avg every aggregate adds up by group: the totals then ride on the
    # grouped statement as window functions (no second scan) and must agree with the same reference.
    additive = report.model_copy(
        update={"measures": tuple(m for m in report.measures if m.kind not in ("count_distinct", "avg"))}
    )
    windowed = CompiledReport(registry, additive, query, None, TODAY)
    assert windowed.statements()[1] is None
    with platform.engine.connect() as conn:
        rows_w, totals_w = windowed.execute(conn)
    assert {(row["region"], row["month"]) for row in rows_w} == set(expected)
    for m in additive.measures:
        assert close_enough(totals_w[m.name], expected_totals[m.name]), (m.name, totals_w[m.name], expected_totals[m.name])
