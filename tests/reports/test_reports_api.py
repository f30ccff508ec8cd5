"""The report API: values, drill links, scope, parameters refused with field errors, exports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from report_world import OTHER_COUNTY, TODAY, TOWN_A, grant

URL = "/api/v1/reports/hidden_danger_by_region"
YEAR = {"period_from": "2026-01-01", "period_to": str(TODAY)}


def rows_by(result, *names):
    return {tuple(row[n] for n in names): row for row in result["rows"]}


def test_counts_rates_and_year_on_year_by_county(api, dangers):
    result = api.get(URL, query_string=YEAR).get_json()
    rows = rows_by(result, "region", "danger_level")
    anxi = rows[("350524", "general")]
    assert (anxi["found"], anxi["closed"], anxi["open"]) == (3, 2, 1)
    assert anxi["rectification_rate"] == pytest.approx(2 / 3)
    assert anxi["yoy"] == pytest.approx((3 - 2) / 2)  # 2025-01-01..2025-06-30 had two general ones
    assert anxi["_labels"] == {"region": "安溪县", "danger_level": "一般事故隐患"}
    assert rows[("350203", "major")]["found"] == 1
    assert result["totals"]["found"] == 5 and result["totals"]["share"] == 1.0
    assert sum(r["share"] for r in result["rows"]) == pytest.approx(1.0)
    assert result["parameters"]["period_from"] == "2026-01-01"


def test_a_county_drills_to_its_townships_and_its_records(api, dangers):
    county = rows_by(api.get(URL, query_string=YEAR).get_json(), "region", "danger_level")[("350524", "general")]
    drill = county["_links"]["region"]
    assert drill.startswith("/reports/hidden_danger_by_region?") and "region_level=township" in drill
    query = drill.split("?", 1)[1]
    towns = rows_by(api.get(f"{URL}?{query}").get_json(), "region", "danger_level")
    assert {k: v["found"] for k, v in towns.items()} == {
        (TOWN_A, "general"): 2,
        (TOWN_A, "major"): 1,
        ("350524101000", "general"): 1,
    }
    records = towns[(TOWN_A, "general")]["_links"]["found"]
    assert records.startswith("/e/hidden_danger/?")
    listed = api.get("/api/v1/e/hidden_danger?" + records.split("?", 1)[1]).get_json()
    assert listed["total"] == 2
    links = towns[(TOWN_A, "general")]["_links"]
    assert "_state=closed" in links["closed"]  # the list screen's 环节 filter
    assert "_state=reported%2Crectifying" in links["open"] and "closed" not in links["open"]  # every other state


@pytest.mark.parametrize(
    ("args", "pointer"),
    [
        ({"nonsense": "1"}, "/query/nonsense"),
        ({"level": "major' OR '1'='1"}, "/query/level"),
        ({"level": "{{7*7}}"}, "/query/level"),
        ({"sort": "found; DROP TABLE hidden_danger"}, "/query/sort"),
        ({"sort": "${jndi:ldap://x}"}, "/query/sort"),
        ({"region": "350524' --"}, "/query/region"),
        ({"region_level": "street"}, "/query/region_level"),
        ({"period_from": "1900-01-01"}, "/query/period_from"),
        ({"period_from": "1950-01-01", "period_to": "2199-01-01"}, "/query/period_from"),
        ({"period_from": "2026-05-01", "period_to": "2026-04-01"}, "/query/period_to"),
        ({"period_from": "yesterday"}, "/query/period_from"),
        ({"limit": "100000"}, "/query/limit"),
    ],
)
def test_bad_parameters_are_field_errors(api, published, args, pointer):
    response = api.get(URL, query_string=args)
    assert response.status_code == 422, response.get_json()
    assert pointer in [e["pointer"] for e in response.get_json()["error"]["errors"]]


def test_reports_follow_the_callers_grants_and_scope(client, published, dangers, officer_api):
    assert officer_api.get("/api/v1/reports").get_json()["items"] == []
    assert officer_api.get(URL).status_code == 403
    grant(published, "officer", "hazard_officer", TOWN_A)
    listed = [r["name"] for r in officer_api.get("/api/v1/reports").get_json()["items"]]
    assert "hidden_danger_by_region" in listed and "complaints_by_channel" not in listed
    result = officer_api.get(URL, query_string={**YEAR, "region_level": "township"}).get_json()
    assert {row["region"] for row in result["rows"]} == {TOWN_A}
    assert result["totals"]["found"] == 3
    assert "凤城镇" in result["scope"]
    assert OTHER_COUNTY not in str(result["rows"])


def test_unknown_report_is_404(api, published):
    assert api.get("/api/v1/reports/no_such_report").status_code == 404


def test_exports_print_parameters_and_scope_above_the_table(api, dangers):
    response = api.get(URL + "/export", query_string={**YEAR, "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["报表", "隐患按区划和级别统计"]
    assert ["发现日期", "2026-01-01 至 2026-06-30"] in lines
    assert any(line[:1] == ["统计范围"] for line in lines)
    header = lines.index(["区划", "隐患级别", "排查隐患数", "已销号", "未销号", "整改率", "占比", "同比"])
    assert lines[header + 1][:3] == ["思明区", "重大事故隐患", "1"]  # ordered by region code
    assert lines[-1][0] == "合计" and lines[-1][2] == "5"
    book = openpyxl.load_workbook(io.BytesIO(api.get(URL + "/export", query_string=YEAR).data))
    cells = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    assert cells[0][0] == "隐患按区划和级别统计"
    assert cells[-1][0] == "合计" and cells[-1][2] == 5
    assert api.get(URL + "/export", query_string={"format": "pdf"}).status_code == 422


def test_reports_are_in_the_openapi_document(api, published):
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/reports" in paths and "/reports/hidden_danger_by_region/export" in paths
    names = {p["name"] for p in paths["/reports/hidden_danger_by_region"]["get"]["parameters"]}
    assert {"period_from", "period_to", "level", "region", "region_level", "sort", "limit"} <= names


def test_a_published_report_is_live_at_once(api, published, dangers):
    from anjian.meta.loader import Document

    document = {
        "report": "dangers_by_category",
        "title": "隐患按类别",
        "source": "hidden_danger",
        "dimensions": [{"name": "category", "field": "category"}],
        "measures": [{"name": "n", "title": "隐患数", "kind": "count"}],
    }
    assert api.get("/api/v1/reports/dangers_by_category").status_code == 404
    published.publish(documents=[Document("extra/dangers_by_category.report.json", "report", "dangers_by_category", document)])
    result = api.get("/api/v1/reports/dangers_by_category").get_json()
    assert result["totals"]["n"] == len(dangers)
    assert "dangers_by_category" in {r["name"] for r in api.get("/api/v1/reports").get_json()["items"]}
