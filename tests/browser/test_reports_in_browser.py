"""The section chief (县局科长) in a real browser: the dashboard on the start page, a report with a
changed parameter, a bar of its chart drilled to the records behind it, and an export."""

import pytest

pytestmark = pytest.mark.browser


def test_the_section_chief_reads_drills_and_exports(page, shot, password, sign_in, tmp_path):
    page.set_default_timeout(45_000)  # the shared test machine is slow; nothing here waits on a timer
    sign_in(page, "kezhang", password)
    dashboard = page.locator("#anjian-dashboard")
    assert "监管工作台" in dashboard.inner_text()
    assert page.locator("#anjian-kpi-open_major .anjian-kpi-value").inner_text().strip() == "1"
    page.wait_for_selector("#anjian-dashboard .anjian-chart .main-svg")  # plotly drew offline
    shot("60-dashboard")
    page.click("#anjian-kpi-open_major")
    page.wait_for_url("**/e/hidden_danger/?*")
    assert page.locator("td.anjian-state-cell").count() == 1  # the one open major danger
    page.goto("/reports/")
    page.click("a.anjian-report-link:has-text('隐患按区划和级别统计')")
    page.wait_for_url("**/reports/hidden_danger_by_region")
    assert "发现日期" in page.inner_text("#anjian-report-form")  # the demo dangers were found last year
    page.fill("input[name=period_from]", "2025-01-01")
    page.select_option("#anjian-level-region", "township")
    page.click("#anjian-report-run")
    page.wait_for_selector("#anjian-chart .main-svg .point")
    assert "合计" in page.inner_text("#anjian-report-table")
    shot("61-report")
    bar = page.locator("#anjian-chart .point").first.bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.wait_for_url("**/e/hidden_danger/?*")
    assert "found_on__from=2025-01-01" in page.url and "region_code=" in page.url
    assert page.locator("td.anjian-state-cell").count() >= 1
    shot("62-drilled-records")
    page.go_back()
    page.wait_for_selector("#anjian-report-table")
    with page.expect_download() as download:
        page.click("#anjian-export-xlsx")
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    import openpyxl

    cells = [row for row in openpyxl.load_workbook(saved).active.iter_rows(values_only=True)]
    assert cells[0][0] == "隐患按区划和级别统计" and ("统计范围", "安溪县（350524）") in [r[:2] for r in cells]
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#anjian-chart .main-svg")
    shot("63-report-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, "the report page is wider than a phone"
