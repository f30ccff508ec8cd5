"""The list API: list columns by default, ``fields`` for more, and pages that agree however they are read."""

from __future__ import annotations

import jsonschema
import pytest
from sqlalchemy import insert

from anjian.data.query import SPLIT_MAX_DEPTH, ListQuery

BASE = {
    "region_code": "350524100000",
    "status": "active",
    "economic_type": "private",
    "high_risk_category": "none",
    "legal_representative": "张三",
    "safety_rules": "很长的安全生产规章制度文本" * 20,
}
CODES = ["91512081MA62K0260E", "91430111MA4L41YT1U", "914403001922038216", "91330100716105852F"]


def _company(n: int, industry: str) -> dict:
    return {**BASE, "name": f"字段测试{n}号公司", "credit_code": CODES[n], "industry": industry}


def test_list_items_carry_the_list_columns_unless_fields_ask(api, app):
    for n in range(2):
        assert api.post("/api/v1/e/enterprise", _company(n, "C")).status_code == 201
    spec = app.extensions["anjian"].registry.entity("enterprise")
    page = api.get("/api/v1/e/enterprise").get_json()
    assert set(page["items"][0]) == {"id", *spec.effective_list_columns}
    assert "safety_rules" not in page["items"][0]
    some = api.get("/api/v1/e/enterprise?fields=name,safety_rules,row_version").get_json()
    assert set(some["items"][0]) == {"id", "name", "safety_rules", "row_version"}
    whole = api.get("/api/v1/e/enterprise?fields=*").get_json()["items"][0]
    assert {"safety_rules", "created_at", "row_version", "employees"} <= set(whole)
    wrong = api.get("/api/v1/e/enterprise?fields=name,nonsense")
    assert wrong.status_code == 422 and wrong.get_json()["error"]["errors"][0]["pointer"] == "/query/fields"
    document = api.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"] for p in document["paths"]["/e/enterprise"]["get"]["parameters"]}
    assert "fields" in parameters


def test_responses_match_the_stored_schema_with_nulls(api):
    """Optional fields read back as null; the document's ``<entity>_stored`` schema must allow it."""
    created = api.post("/api/v1/e/enterprise", _company(0, "C"))
    assert created.status_code == 201
    record = created.get_json()
    assert record["email"] is None  # an optional field never given
    document = api.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    resolver = {"$defs": schemas}
    stored = {**schemas["enterprise_stored"], **resolver}
    text = jsonschema.Draft202012Validator(stored)
    text.validate(record)
    text.validate(api.get(f"/api/v1/e/enterprise/{record['id']}").get_json())
    for item in api.get("/api/v1/e/enterprise?fields=*").get_json()["items"]:
        text.validate(item)
    error = api.get("/api/v1/e/enterprise/999999").get_json()
    jsonschema.Draft202012Validator(schemas["Error"]).validate(error)


@pytest.mark.parametrize("used", [1, 4, 40])
def test_a_page_reads_the_same_rows_by_one_index_walk_per_value(published, used):
    """industry=C also selects its divisions (an IN list): narrowed to the codes that occur, and
    walked per code when few occur, the page and the total are the ones of the plain IN query."""
    platform = published
    spec = platform.registry.entity("enterprise")
    table = platform.registry.table("enterprise")
    divisions = platform.registry.with_descendants("industry", ("C",))
    assert len(divisions) > 2
    now = platform.codec.now()
    rows = [
        {
            "name": f"公司{n % 37:03d}",  # duplicate names: the id breaks ties
            "credit_code": f"C{n:017d}",
            "region_code": "350524100000",
            "industry": divisions[n % min(used, len(divisions))] if n % 5 else "F",
            "status": "active" if n % 3 else "suspended",
            "created_at": now,
            "updated_at": now,
            "created_by": "t",
            "updated_by": "t",
            "row_version": 1,
        }
        for n in range(600)
    ]
    with platform.engine.begin() as conn:
        conn.execute(insert(table), rows)
    reader = platform.reader
    with platform.engine.connect() as conn:
        for sort in ("name", "-name", "name,-id"):
            for page in (1, 3, 7):
                query = ListQuery.parse(spec, {"industry": "C", "status": "active", "sort": sort, "page": str(page)})
                assert reader._wide_filter(spec, query) is not None
                split = reader.page(conn, spec, query, None, ("name", "industry"))
                plain = [
                    r.id
                    for r in conn.execute(
                        reader.select(spec, query)
                        .order_by(*_plain_order(table, query.sort))
                        .limit(query.page_size)
                        .offset((page - 1) * query.page_size)
                    )
                ]
                assert [i["id"] for i in split["items"]] == plain and plain, (sort, page)
                assert split["total"] == sum(1 for n in range(600) if n % 5 and n % 3)
        deep = ListQuery.parse(spec, {"industry": "C", "sort": "name", "page": str(SPLIT_MAX_DEPTH)})
        assert [i["id"] for i in reader.page(conn, spec, deep, None, ("name",))["items"]] == []


def _plain_order(table, sort):
    order = [table.c[s.lstrip("-")].desc() if s.startswith("-") else table.c[s] for s in sort]
    order.append(table.c.id.desc() if sort[0].startswith("-") else table.c.id)
    return order
