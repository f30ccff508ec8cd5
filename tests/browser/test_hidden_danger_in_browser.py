"""A major hidden danger in a real browser: the enterprise reports it, the county officer finds it in
the inbox and confirms it, the enterprise submits its plan, the section head puts it under
supervision; every step shows in the record's history. Uses the demo people of `anjian init`."""

import pytest

pytestmark = pytest.mark.browser


def step(page, name, fill=None):
    page.click(f".anjian-transitions a[data-transition={name}]")
    page.wait_for_url(f"**/transitions/{name}")
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    page.click(".anjian-transition-form button[type=submit]")
    page.wait_for_selector(".anjian-flow")


def test_a_major_hidden_danger_goes_from_the_enterprise_to_supervision(page, shot, password, sign_in):
    sign_in(page, "qiye", password)
    page.goto("/e/hidden_danger/new")
    # An enterprise user's own enterprise and its township are filled in already.
    assert page.locator(".anjian-field[data-name=enterprise_id] .select2-selection").inner_text().strip()
    page.fill("#title", "浏览器测试：粉尘涉爆车间除尘系统失效")
    page.select_option("#level", "major")
    page.fill("#found_on", "2026-11-20")
    page.fill("#description", "除尘系统风机损坏，车间粉尘浓度超标。")
    page.fill("#measures", "更换风机并增设浓度监测")
    page.fill("#responsible_person", "赵设备")
    page.fill("#rectify_deadline", "2027-01-31")
    page.fill("#current_state", "除尘风机停转，车间积尘")
    page.fill("#cause", "风机轴承损坏未及时更换")
    page.fill("#severity", "粉尘浓度超标可致爆炸")
    page.fill("#difficulty", "需停产更换风机，约两周")
    shot("20-hidden-danger-form")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_load_state()
    assert page.locator(".anjian-flow[data-state=reported]").count() == 1, page.inner_text(".anjian-page")
    url = page.url
    step(page, "report_major", {"#comment": "请县局审核认定"})
    assert "县局审核中" in page.inner_text(".anjian-flow .anjian-state")
    shot("21-reported")

    sign_in(page, "keyuan", password)
    assert "我的待办 (" in page.inner_text(".navbar")
    page.goto("/e/_inbox/")
    page.click("table.anjian-inbox a:has-text('粉尘涉爆车间')")
    page.wait_for_selector(".anjian-flow[data-state=county_review]")
    shot("22-officer-inbox-record")
    step(page, "confirm_major", {"#comment": "认定为重大事故隐患"})
    assert "制定治理方案" in page.inner_text(".anjian-flow .anjian-state")

    sign_in(page, "qiye", password)
    page.goto(url + "/edit")
    for field in ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety"):
        page.fill(f"#{field}", "按治理方案执行")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=planning]")
    step(page, "submit_plan")

    sign_in(page, "kezhang", password)
    page.goto(url)
    step(page, "approve_plan", {"#comment": "同意治理方案"})
    assert "治理中" in page.inner_text(".anjian-flow .anjian-state")
    history = page.locator("table.anjian-steps tr[data-step]").evaluate_all("rows => rows.map(r => r.dataset.step)")
    assert history == ["_start", "report_major", "confirm_major", "submit_plan", "approve_plan"]
    assert "重大隐患治理期限" in page.inner_text(".anjian-deadlines")
    shot("23-supervised-with-history")
