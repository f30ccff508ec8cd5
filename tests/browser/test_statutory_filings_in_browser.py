"""The section chief (县局科长) reads the enterprises' quarterly hidden-danger statistics in a real
browser: the county summary, the late and missing filers, and a filing corrected after he first saw
it shown as two versions with the difference; on a desktop (1366 px) and a phone (390 px).

The enterprise files through the real process (the platform of the same installation, in this
process); everything the chief sees comes from the server through the browser.
"""

import pytest

from anjian import Actor

pytestmark = pytest.mark.browser
REPORT = "hazard_statistics_quarterly"
YEAR, QUARTER = 2026, 3  # due 2026-10-15: ended before any run of this test


@pytest.fixture
def installation(server, monkeypatch):
    """The server's platform opened in this process (same home, same database)."""
    from anjian.runtime import Platform

    for key, value in server["env"].items():
        if key.startswith("ANJIAN_"):
            monkeypatch.setenv(key, value)
    platform = Platform()
    yield platform
    platform.engine.dispose()


def file(platform, general_found):
    """qiye (the demo enterprise's safety officer) fills in and submits the quarter's statistics."""
    ent = Actor("qiye")
    enterprise = platform.registry.table("enterprise")
    with platform.engine.connect() as conn:
        firm = conn.execute(enterprise.select().order_by(enterprise.c.id)).first()
    assert firm is not None
    body = {
        "enterprise_id": firm.id,
        "region_code": firm.region_code,
        "period": "quarter",
        "year": YEAR,
        "quarter": QUARTER,
        "general_found": general_found,
        "general_rectified": general_found - 1,
        "major_found": 1,
        "major_rectified": 0,
        "funds": 2.5,
        "signed_by": "负责人",
    }
    record_id = platform.records.create("hazard_statistics", body, ent)["id"]
    platform.workflow.take(ent, "hazard_statistics", record_id, "submit", {})
    return record_id, firm.name


def test_the_section_chief_reads_filings_and_a_correction(page, shot, password, sign_in, installation):
    page.set_default_timeout(45_000)  # the shared test machine is slow; nothing here waits on a timer
    record_id, firm = file(installation, 3)
    sign_in(page, "kezhang", password)
    page.goto(f"/reports/{REPORT}")
    page.click("text=报送情况")
    page.wait_for_url(f"**/reports/{REPORT}/filings**")
    page.select_option("#anjian-filings-year", str(YEAR))
    page.select_option("#anjian-filings-quarter", str(QUARTER))
    page.click("#anjian-filings-run")
    page.wait_for_selector("#anjian-filings-summary")
    summary = page.inner_text("#anjian-filings-summary")
    assert "安溪县" in summary and "2026-10-15" in page.inner_text(".anjian-filings")
    filer = page.locator("#anjian-filers tr", has_text=firm)
    assert "逾期报送" in filer.inner_text() and "第1版" in filer.inner_text()  # filed after 15 October
    shot("70-filings")

    # returned by the officer, corrected and filed again: a second version with its difference
    installation.workflow.take(Actor("keyuan"), "hazard_statistics", record_id, "return", {"comment": "一般隐患数与台账不符"})
    installation.records.update("hazard_statistics", record_id, {"general_found": 5}, Actor("qiye"), partial=True)
    installation.workflow.take(Actor("qiye"), "hazard_statistics", record_id, "submit", {})
    page.reload()
    filer = page.locator("#anjian-filers tr", has_text=firm)
    assert "第2版（已更正）" in filer.inner_text()
    filer.locator("a.anjian-filing-versions").click()
    page.wait_for_url(f"**/reports/{REPORT}/filings/{record_id}")
    assert page.locator(".anjian-version").count() == 2
    changed = page.locator("#anjian-version-2 tr.anjian-changed")
    assert changed.count() == 1 and "+2" in changed.inner_text()  # 3 → 5 一般隐患
    shot("71-filing-versions")

    for width, path in [(390, f"/reports/{REPORT}/filings?year={YEAR}&quarter={QUARTER}"), (390, page.url)]:
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{path} is wider than a phone"
    shot("72-filing-versions-phone")
    page.goto(f"/reports/{REPORT}/filings?year={YEAR}&quarter={QUARTER}")
    shot("73-filings-phone")
    page.goto(f"/reports/{REPORT}")
    page.wait_for_selector("#anjian-report-table")
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    shot("74-statutory-report-phone")
