"""The generated screens over HTTP with a signed-in session (the browser suite drives the same pages)."""

import re

import pytest

from anjian import Actor
from anjian.testing.plugin import ADMIN_PASSWORD

COMPANY = {
    "name": "界面测试有限公司",
    "credit_code": "91350200MA2YJ1XR9G",
    "region_code": "350524100000",
    "industry": "C",
    "status": "active",
    "high_risk_category": "none",
}


@pytest.fixture
def browser(client):
    response = client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 302
    return client


def errors_in(html):
    return dict(re.findall(r'data-for="([^"]+)">([^<]+)<', html))


def test_pages_need_a_login(client):
    response = client.get("/e/enterprise/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_home_lists_modules_and_the_menu_follows_the_manifests(browser):
    html = browser.get("/e/").get_data(as_text=True)
    assert "企业基础信息" in html and "监管机构和人员" in html
    assert 'href="/e/agency/"' in html and "专家库" in html  # menu entries from the module manifest


def test_list_shows_labels_filters_sorts_and_pages(browser, app):
    platform = app.extensions["anjian"]
    for n, (industry, town) in enumerate([("C", "350524100000"), ("B", "350524101000"), ("C", "350524102000")]):
        platform.records.create(
            "enterprise",
            {
                **COMPANY,
                "name": f"列表{n}号有限公司",
                "industry": industry,
                "region_code": town,
                "credit_code": ["91512081MA62K0260E", "91430111MA4L41YT1U", "914403001922038216"][n],
            },
            Actor("t", is_admin=True),
        )
    html = browser.get("/e/enterprise/?industry=C&sort=-name").get_data(as_text=True)
    assert "列表2号有限公司" in html and "列表1号有限公司" not in html
    assert html.index("列表2号") < html.index("列表0号")  # sorted descending
    assert "制造业" in html and "凤城镇" in html and "在业" in html  # dictionary and enum labels, not codes
    county = browser.get("/e/enterprise/?region_code=350524").get_data(as_text=True)
    assert county.count('name="ids"') == 3  # a county code selects its townships
    paged = browser.get("/e/enterprise/?page_size=20&page=2").get_data(as_text=True)
    assert "没有符合条件的记录" in paged
    assert "共 3 条" in browser.get("/e/enterprise/?q=列表").get_data(as_text=True)


def test_create_with_children_and_errors_next_to_fields_keeping_what_was_typed(browser):
    form = {
        "name": "x",
        "credit_code": "91350211M0000XUF46",
        "employees": "许多",
        "status": "gone",
        "safety_staff-0-__row": "1",
        "safety_staff-0-post": "安全员",
        "safety_staff-0-certificates-0-__row": "1",
        "safety_staff-0-certificates-0-kind": "A证",
    }
    response = browser.post("/e/enterprise/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = errors_in(html)
    assert errors["employees"] == "应为整数"
    assert "可选值" in errors["status"]  # an invalid choice is a field error, never a 500
    assert "校验位" in errors["credit_code"] and 'name="_override:/credit_code"' in html
    assert "safety_staff-0-name" in errors and "safety_staff-0-certificates-0-number" in errors
    assert 'value="许多"' in html and 'value="安全员"' in html and 'value="A证"' in html  # nothing typed is lost

    good = {
        **COMPANY,
        "credit_code": "91350211M0000XUF46",
        "_override:/credit_code": "早期赋码，已核验原件",
        "safety_staff-5-__row": "1",
        "safety_staff-5-name": "王五",
        "safety_staff-5-certificates-9-__row": "1",
        "safety_staff-5-certificates-9-number": "Z-9",
    }
    saved = browser.post("/e/enterprise/new", data=good)
    assert saved.status_code == 302
    detail = browser.get(saved.headers["Location"]).get_data(as_text=True)
    assert "王五" in detail and "Z-9" in detail and "早期赋码，已核验原件" in detail


def test_a_link_to_a_missing_record_is_a_field_error(browser):
    response = browser.post(
        "/e/staff/new", data={"name": "张三", "agency_id": "4040", "region_code": "350524", "status": "active"}
    )
    assert response.status_code == 422 and "不存在" in errors_in(response.get_data(as_text=True))["agency_id"]
    empty = browser.post("/e/staff/new", data={"name": "张三", "agency_id": "", "status": ""})
    assert empty.status_code == 422 and "agency_id" in errors_in(empty.get_data(as_text=True))


def test_edit_keeps_child_rows_and_delete_asks_first(browser, app):
    platform = app.extensions["anjian"]
    record = platform.records.create("enterprise", {**COMPANY, "safety_staff": [{"name": "甲"}]}, Actor("t", is_admin=True))
    url = f"/e/enterprise/{record['id']}"
    form_html = browser.get(url + "/edit").get_data(as_text=True)
    assert 'name="safety_staff-0-id"' in form_html and 'value="甲"' in form_html
    fields = dict(re.findall(r'<input class="form-control"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form_html))
    assert fields["name"] == COMPANY["name"]
    edited = {
        **COMPANY,
        "employees": "40",
        "row_version": "1",
        "safety_staff-0-__row": "1",
        "safety_staff-0-id": str(record["safety_staff"][0]["id"]),
        "safety_staff-0-name": "甲",
    }
    assert browser.post(url + "/edit", data=edited).status_code == 302
    assert "40" in browser.get(url).get_data(as_text=True)
    stale = browser.post(url + "/edit", data=edited)  # the same row_version again: someone changed it
    assert stale.status_code == 422 and "已被他人修改" in stale.get_data(as_text=True)
    assert "确定删除" in browser.get(url + "/delete").get_data(as_text=True)
    assert browser.post(url + "/delete").status_code == 302
    assert browser.get(url).status_code == 404


def test_bulk_delete_and_export_of_selected_rows(browser, app):
    platform = app.extensions["anjian"]
    ids = [
        platform.records.create("expert", {"name": f"专家{n}", "specialty": "fire"}, Actor("t", is_admin=True))["id"]
        for n in range(3)
    ]
    exported = browser.post("/e/expert/bulk", data={"action": "export", "format": "csv", "ids": [str(ids[0])]})
    text = exported.get_data().decode("utf-8-sig")
    assert exported.status_code == 200 and "专家0" in text and "专家1" not in text
    browser.post("/e/expert/bulk", data={"action": "delete", "ids": [str(i) for i in ids[:2]]})
    assert browser.get("/e/expert/").get_data(as_text=True).count('name="ids"') == 1


def test_attachments_upload_with_the_form_and_survive_an_error(browser):
    from io import BytesIO

    form = {**COMPANY, "name": "", "licence_files__upload": (BytesIO(b"%PDF-1.4"), "执照.pdf")}
    response = browser.post("/e/enterprise/new", data=form, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "执照.pdf" in html  # the upload is kept while the name is fixed
    file_id = re.search(r'name="licence_files" value="([0-9a-f]{32})"', html).group(1)
    saved = browser.post("/e/enterprise/new", data={**COMPANY, "licence_files": file_id})
    detail = browser.get(saved.headers["Location"]).get_data(as_text=True)
    assert f"/e/_file/{file_id}" in detail
    download = browser.get(f"/e/_file/{file_id}")
    assert download.data == b"%PDF-1.4"
    download.close()
    wrong = browser.post(
        "/e/enterprise/new",
        content_type="multipart/form-data",
        data={**COMPANY, "licence_files__upload": (BytesIO(b"MZ"), "tool.exe")},
    )
    assert "文件内容不是允许的类型" in wrong.get_data(as_text=True)  # decided by the content


def test_link_lookup_and_region_picker_data(browser, app):
    platform = app.extensions["anjian"]
    platform.records.create(
        "agency",
        {"name": "安溪县应急管理局", "kind": "authority", "level": "county", "region_code": "350524"},
        Actor("t", is_admin=True),
    )
    found = browser.get("/e/agency/lookup?q=应急").get_json()["results"]
    assert found[0]["text"] == "安溪县应急管理局"
    assert browser.get("/e/_dict/region?path=350524100000").get_json()["path"] == ["350000", "350500", "350524", "350524100000"]
    towns = browser.get("/e/_dict/region?parent=350524").get_json()["items"]
    assert len(towns) == 24


def test_english_is_available(browser):
    browser.get("/lang/en")
    html = browser.get("/e/enterprise/").get_data(as_text=True)
    assert "New" in html and "Export all" in html
    assert "企业名称" in html  # labels come from the metadata titles


def test_a_new_entity_gets_screens_and_a_menu_entry_without_restart(browser, api):
    site = {
        "title": "重点场所",
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string", "title": "场所名称", "maxLength": 50}},
        "x-anjian": {"entity": "key_site", "title_field": "name"},
    }
    assert browser.get("/e/key_site/").status_code == 404
    assert api.post("/api/v1/meta/publish", {"documents": [site]}).status_code == 200
    assert "重点场所" in browser.get("/e/").get_data(as_text=True)
    created = browser.post("/e/key_site/new", data={"name": "凤城广场"})
    assert created.status_code == 302 and "凤城广场" in browser.get(created.headers["Location"]).get_data(as_text=True)


def test_the_audit_log_screen_filters_entries(browser, app):
    platform = app.extensions["anjian"]
    created = platform.records.create(
        "expert", {"name": "审计专家", "specialty": "fire", "region_code": "350524"}, Actor("t", is_admin=True)
    )
    html = browser.get(f"/e/_audit/?entity=expert&record_id={created['id']}").get_data(as_text=True)
    rows = re.findall(r'<tr data-audit="\d+">.*?</tr>', html, re.S)
    assert len(rows) == 1 and "create" in rows[0] and "安溪县" in rows[0]
    logins = browser.get("/e/_audit/?action=login").get_data(as_text=True)
    assert "admin" in logins


def test_a_table_that_needs_rows_starts_with_them_on_a_new_form(browser, app):
    """执法人员 needs at least one row (minItems 1): a new inspection record's form shows one blank
    row and marks the table required; the enterprise's optional staff table starts empty; a record
    being edited shows its own rows only."""
    form_html = browser.get("/e/inspection_record/new").get_data(as_text=True)
    rows = re.search(r'data-name="inspectors" data-token="__i0__">\s*<div class="anjian-rows">(.*?)<template', form_html, re.S)
    assert rows and 'name="inspectors-0-name"' in rows.group(1) and 'name="inspectors-1-name"' not in rows.group(1)
    assert re.search(r'<label class="control-label">执法人员 <span class="text-danger">\*</span>', form_html)
    staff = browser.get("/e/enterprise/new").get_data(as_text=True)
    assert 'name="safety_staff-0-name"' not in staff
    assert not re.search(r'<label class="control-label">[^<]*安全管理人员[^<]*<span', staff)
    left_empty = browser.post("/e/inspection_record/new", data={"inspectors-0-__row": "1", "inspectors-0-name": ""})
    assert left_empty.status_code == 422 and "inspectors-0-name" in errors_in(left_empty.get_data(as_text=True))
