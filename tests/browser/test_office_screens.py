"""An officer's day in a real browser: log in, find, create (with a child row, an attachment and a
checksum override), edit, delete; a configurator publishes a new entity and it appears at once."""

import json
import subprocess
import sys

import pytest

PASSWORD = "Browser-test-1"  # as set by conftest.server

pytestmark = pytest.mark.browser


def login(page):
    page.goto("/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/office/")  # signing in lands on the office face
    page.goto("/e/")


def test_officer_manages_enterprises_end_to_end(page, shot, tmp_path):
    login(page)
    shot("01-home")

    page.click("text=企业基础信息")
    page.click("a:has-text('企业名录')")
    page.wait_for_url("**/e/enterprise/")
    assert "共 240 条" in page.inner_text("h3")
    page.locator(".anjian-filters .anjian-region[data-name=industry] select").first.select_option(label="采矿业")
    page.click("form.anjian-filters button[type=submit]")
    page.wait_for_url("**industry=B**")
    industries = page.locator("table.anjian-list tbody tr td:nth-child(5)").all_inner_texts()
    assert industries and set(industries) == {"采矿业"}
    shot("02-list-filtered")

    page.click("#anjian-new")
    page.fill("#name", "浏览器测试化工有限公司")
    page.fill("#credit_code", "91350211M0000XUF46")  # fails the GB 32100 check character
    region = page.locator(".anjian-field[data-name=region_code] .anjian-region")
    for label in ("福建省", "泉州市", "安溪县", "凤城镇"):
        region.locator("select").last.select_option(label=label)
        page.wait_for_timeout(150)
    page.locator(".anjian-field[data-name=industry] .anjian-region select").first.select_option(label="制造业")
    page.click("button.anjian-add-row:has-text('安全管理人员')")
    page.fill("input[name='safety_staff-0-name']", "陈安全")
    page.fill("input[name='safety_staff-0-post']", "安全总监")
    page.click(".anjian-row button.anjian-add-row:has-text('证书')")
    page.fill("input[name='safety_staff-0-certificates-0-number']", "FJ-2026-001")
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(b"%PDF-1.4 licence")
    page.set_input_files("input[name=licence_files__upload]", str(licence))
    shot("03-form-filled")
    page.click("button[type=submit]:has-text('保存')")

    error = page.locator(".anjian-error[data-for=credit_code]")
    assert "校验位" in error.inner_text()
    assert page.input_value("#name") == "浏览器测试化工有限公司"  # nothing typed is lost
    assert page.input_value("input[name='safety_staff-0-name']") == "陈安全"
    assert page.input_value("input[name='safety_staff-0-phone']") == ""  # an empty input stays empty
    shot("04-checksum-error")
    page.fill("input[name='_override:/credit_code']", "早期赋码，已核验营业执照原件")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url("**/e/enterprise/*")
    detail = page.inner_text(".anjian-page")
    assert "浏览器测试化工有限公司" in detail and "陈安全" in detail and "FJ-2026-001" in detail
    assert "凤城镇" in detail and "营业执照.pdf" in detail and "早期赋码" in detail
    shot("05-detail")

    page.click("a:has-text('编辑')")
    page.fill("#employees", "88")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector("dd[data-field=employees]")
    assert page.inner_text("dd[data-field=employees]").strip() == "88"

    page.click("a.btn-danger:has-text('删除')")
    shot("06-confirm-delete")
    page.click("#anjian-confirm-delete")
    page.wait_for_url("**/e/enterprise/")
    assert "共 240 条" in page.inner_text("h3")


def test_a_published_entity_appears_without_restart(page, shot, server, tmp_path):
    login(page)
    assert "应急演练" not in page.inner_text("nav, .navbar")
    folder = tmp_path / "decl"
    folder.mkdir()
    (folder / "drill.json").write_text(
        json.dumps(
            {
                "title": "应急演练",
                "type": "object",
                "required": ["topic", "held_on"],
                "properties": {
                    "topic": {"type": "string", "title": "演练主题", "maxLength": 100},
                    "held_on": {"type": "string", "format": "date", "title": "演练日期"},
                    "agency_id": {"type": "integer", "title": "组织机构", "x-anjian": {"link": "agency"}},
                },
                "x-anjian": {"entity": "drill", "title_field": "topic"},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "anjian.cli", "publish", str(folder)],
        env=server["env"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    page.wait_for_timeout(1200)
    page.reload()
    page.click("text=其他数据")
    page.click("a:has-text('应急演练')")
    page.wait_for_url("**/e/drill/")
    page.click("#anjian-new")
    page.fill("#topic", "危化品泄漏应急演练")
    page.fill("#held_on", "2026-11-20")
    page.click(".select2-selection")  # the searchable link picker
    page.keyboard.type("应急管理局")
    page.click(".select2-results__option:has-text('安溪县应急管理局')")
    shot("07-new-entity-form")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url("**/e/drill/*")
    text = page.inner_text(".anjian-page")
    assert "危化品泄漏应急演练" in text and "安溪县应急管理局" in text
    shot("08-new-entity-detail")


def test_a_township_officer_sees_only_their_township(page, shot, server):
    def cli(*args):
        subprocess.run(
            [sys.executable, "-m", "anjian.cli", *args], env=server["env"], check=True, capture_output=True, timeout=120
        )

    cli("user", "add", "fengcheng", "--type", "agency", "--region", "350524100000", "--password", "Township-pass-1")
    cli("grant", "add", "fengcheng", "registry_clerk", "350524100000")
    page.goto("/login/")
    page.fill("input[name=username]", "fengcheng")
    page.fill("input[name=password]", "Township-pass-1")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/office/")  # signing in lands on the office face
    page.goto("/e/")
    assert "监管机构和人员" not in page.inner_text(".navbar")  # no grant there: no menu
    page.goto("/e/enterprise/?page_size=100")
    regions = page.locator("table.anjian-list tbody tr td:nth-child(4)").all_inner_texts()
    assert regions and set(regions) == {"凤城镇"}
    shot("09-township-officer-list")
    with page.expect_download() as download:
        page.click("a:has-text('导出全部')")
    from openpyxl import load_workbook

    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        rows = list(load_workbook(handle).active.iter_rows(values_only=True))[1:]
    # id, name, code, 登记区划, address, region label, region code
    assert len(rows) == len(regions) and {(r[5], r[6]) for r in rows} == {("凤城镇", "350524100000")}
    found = page.request.get("/e/enterprise/lookup?q=有限公司").json()["results"]
    assert len(found) == min(20, len(regions))
    assert page.request.get("/e/agency/").status == 403
