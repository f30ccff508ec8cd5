"""The REST API: tokens, CRUD, list parameters, error bodies; on SQLite and PostgreSQL."""

import pytest

from anjian.testing.plugin import ADMIN_PASSWORD

pytestmark = pytest.mark.postgres

COMPANY = {
    "name": "安溪县接口测试有限公司",
    "credit_code": "91350200MA2YJ1XR9G",
    "region_code": "350524100000",
    "industry": "C",
    "employees": 20,
}


def test_token_endpoint(client):
    ok = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    body = ok.get_json()
    assert ok.status_code == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 3600
    for payload in (
        {"username": "admin", "password": "wrong"},
        {"username": "nobody", "password": "x"},
        {"username": "admin' OR '1'='1", "password": "' OR 1=1 --"},
    ):
        refused = client.post("/api/v1/auth/token", json=payload)
        assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "auth.failed"
    assert client.post("/api/v1/auth/token", data="not json").status_code == 422


def test_requests_without_a_valid_token_are_refused(client):
    assert client.get("/api/v1/e/enterprise").status_code == 401
    for header in ("Bearer nonsense", "Basic YWRtaW46eA==", "Bearer "):
        response = client.get("/api/v1/e/enterprise", headers={"Authorization": header})
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_crud_over_http(api):
    created = api.post("/api/v1/e/enterprise", COMPANY)
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    assert created.headers["Location"] == f"/api/v1/e/enterprise/{record['id']}"
    url = f"/api/v1/e/enterprise/{record['id']}"
    assert api.get(url).get_json()["name"] == COMPANY["name"]
    patched = api.patch(url, {"employees": 21})
    assert patched.status_code == 200 and patched.get_json()["employees"] == 21
    replaced = api.put(url, {**COMPANY, "name": "改名后的公司"})
    assert replaced.get_json()["employees"] == 20 and replaced.get_json()["name"] == "改名后的公司"
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_error_bodies(api):
    invalid = api.post("/api/v1/e/enterprise", {**COMPANY, "employees": "many", "status": "gone"})
    assert invalid.status_code == 422
    error = invalid.get_json()["error"]
    assert error["code"] == "record.invalid"
    assert {e["pointer"] for e in error["errors"]} == {"/employees", "/status"}
    assert api.post("/api/v1/e/enterprise", None, data="{broken", content_type="application/json").status_code == 422
    assert api.post("/api/v1/e/enterprise", COMPANY).status_code == 201
    conflict = api.post("/api/v1/e/enterprise", {**COMPANY, "name": "重复代码公司"})
    assert conflict.status_code == 409 and conflict.get_json()["error"]["errors"][0]["pointer"] == "/credit_code"
    assert api.get("/api/v1/e/no_such_entity").status_code == 404
    assert api.get("/api/v1/e/enterprise/999999").status_code == 404
    assert api.get("/api/v1/e/enterprise_safety_staff").status_code == 404  # child tables are not entities of their own
    assert api.get("/api/v1/nowhere").get_json()["error"]["code"] == "http.404"


def test_list_filter_sort_page_and_search(api):
    for n, (industry, employees) in enumerate([("C", 5), ("C", 50), ("B", 500), ("F", 7)]):
        body = {**COMPANY, "name": f"列表测试{n}号公司", "credit_code": None, "industry": industry, "employees": employees}
        body.pop("credit_code")
        body["credit_code"] = ["91512081MA62K0260E", "91430111MA4L41YT1U", "914403001922038216", "91330100716105852F"][n]
        assert api.post("/api/v1/e/enterprise", body).status_code == 201
    page = api.get("/api/v1/e/enterprise?industry=C&sort=-employees&fields=employees").get_json()
    assert page["total"] == 2 and [i["employees"] for i in page["items"]] == [50, 5]
    assert set(page) == {"items", "total", "page", "page_size"}
    both = api.get("/api/v1/e/enterprise?industry=C,B&sort=employees&page=2&page_size=2&fields=*").get_json()
    assert both["total"] == 3 and [i["employees"] for i in both["items"]] == [500]
    assert api.get("/api/v1/e/enterprise?q=2号").get_json()["total"] == 1
    bad = api.get("/api/v1/e/enterprise?page=0&sort=nope&colour=red&employees=1").get_json()["error"]
    assert {e["pointer"] for e in bad["errors"]} == {"/query/page", "/query/sort", "/query/colour", "/query/employees"}


def test_openapi_describes_the_live_catalog_and_changes_on_publish(api, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert "/e/enterprise/{id}" in document["paths"]
    assert document["components"]["schemas"]["enterprise"]["properties"]["name"]["maxLength"] == 200
    site = {"title": "站点", "type": "object", "properties": {"name": {"type": "string"}}, "x-anjian": {"entity": "site"}}
    assert api.post("/api/v1/meta/publish", {"documents": [site]}).status_code == 200
    assert "/e/site" in client.get("/api/v1/openapi.json").get_json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_openapi_lists_every_api_route(app, client):
    """Each route of the API blueprint appears in the document (for an entity that runs a process)."""
    import re

    document = client.get("/api/v1/openapi.json").get_json()
    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in document["paths"]}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("anjian_api.") or rule.endpoint in ("anjian_api.openapi", "anjian_api.docs"):
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<entity>", "hidden_danger")
        # Each report has its own paths; the filings of statutory reports only.
        report = "hazard_statistics_quarterly" if "/filings" in path else "hidden_danger_by_region"
        path = path.replace("/reports/<name>", f"/reports/{report}")
        path = re.sub(r"<[^>]+>", "{}", path)
        assert path in documented, f"{rule.rule} is not in the OpenAPI document"


def test_publish_over_http(api, officer_api):
    site = {
        "title": "站点",
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": 50}},
        "x-anjian": {"entity": "site"},
    }
    assert officer_api.post("/api/v1/meta/publish", {"documents": [site]}).status_code == 403
    dry = api.post("/api/v1/meta/publish", {"documents": [site], "dry_run": True}).get_json()
    assert dry["dry_run"] and dry["plan"]["changes"][0]["kind"] == "create_table"
    assert api.get("/api/v1/e/site").status_code == 404
    published = api.post("/api/v1/meta/publish", {"documents": [site]})
    assert published.status_code == 200 and published.get_json()["changed"] == ["entity:site"]
    assert api.post("/api/v1/e/site", {"name": "凤城站"}).status_code == 201
    narrowed = {**site, "properties": {"name": {"type": "string", "maxLength": 2}}}
    refused = api.post("/api/v1/meta/publish", {"documents": [narrowed]})
    assert refused.status_code == 409 and refused.get_json()["error"]["plan"]["changes"][0]["destructive"]
    assert api.get("/api/v1/e/site").get_json()["items"][0]["name"] == "凤城站"
    broken = {**site, "x-anjian": {"entity": "site", "colour": "red"}}
    error = api.post("/api/v1/meta/publish", {"documents": [broken]}).get_json()["error"]
    assert error["code"] == "metadata.invalid" and error["errors"][0]["pointer"] == "/x-anjian/colour"
    assert api.post("/api/v1/meta/publish", {"documents": [{"hello": 1}]}).status_code == 422


def test_dictionary_levels_for_cascading_pickers(api):
    provinces = api.get("/api/v1/meta/dictionaries/region?parent=").get_json()["items"]
    assert [p["code"] for p in provinces] == ["350000"]
    cities = api.get("/api/v1/meta/dictionaries/region?parent=350000").get_json()["items"]
    assert {"code": "350500", "label": "泉州市", "parent": "350000", "level": "prefecture"} in cities


# werkzeug's test client spools a >500 KB request body to a temporary file it never closes.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_attachments_upload_with_limits_and_link_to_records(api, client):
    from io import BytesIO

    def upload(name, data, field="licence_files"):
        return client.post(
            "/api/v1/files",
            headers=api.headers,
            content_type="multipart/form-data",
            data={"entity": "enterprise", "field": field, "file": (BytesIO(data), name)},
        )

    assert upload("virus.exe", b"MZ").status_code == 422
    assert upload("big.pdf", b"x" * (10 * 1024 * 1024 + 1)).status_code == 422
    assert upload("a.pdf", b"%PDF", field="name").status_code == 422
    stored = upload("执照.pdf", b"%PDF-1.4 test")
    assert stored.status_code == 201
    file_id = stored.get_json()["id"]
    created = api.post("/api/v1/e/enterprise", {**COMPANY, "licence_files": [file_id]})
    assert created.status_code == 201 and created.get_json()["licence_files"] == [file_id]
    missing = api.post("/api/v1/e/enterprise", {**COMPANY, "credit_code": "91512081MA62K0260E", "licence_files": ["f" * 32]})
    assert missing.status_code == 422 and missing.get_json()["error"]["errors"][0]["code"] == "attachment"
    download = client.get(f"/api/v1/files/{file_id}", headers=api.headers)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 test"
    download.close()
    import gc

    gc.collect()  # collect the test client's spooled upload here, under this test's warning filter


def test_import_and_export_over_http(api, client):
    from io import BytesIO

    csv_body = "企业名称,统一社会信用代码,所在行政区划,行业门类 (GB/T 4754)\n导入一号有限公司,91512081MA62K0260E,350524,C\n坏行,x,350524,C\n"

    def upload(skip):
        return client.post(
            f"/api/v1/e/enterprise/import?skip_invalid={skip}",
            headers=api.headers,
            content_type="multipart/form-data",
            data={"file": (BytesIO(csv_body.encode("utf-8-sig")), "enterprises.csv")},
        )

    refused = upload(0)
    assert refused.status_code == 422 and not refused.get_json()["committed"]
    assert {e["row"] for e in refused.get_json()["errors"]} == {3}
    done = upload(1)
    assert done.status_code == 200 and done.get_json()["created"] == 1 and done.get_json()["skipped"] == 1
    exported = api.get("/api/v1/e/enterprise/export?format=csv&industry=C")
    assert exported.status_code == 200 and "导入一号有限公司" in exported.data.decode("utf-8-sig")
    assert api.get("/api/v1/e/enterprise/export?format=pdf").status_code == 422
    xlsx = api.get("/api/v1/e/enterprise/export?format=xlsx")
    assert xlsx.data[:2] == b"PK"
