"""The major-danger flow driven on screen, at desktop and at phone width: the enterprise reports it
with a photo, the county officer confirms it from the inbox, the enterprise writes and submits the
plan, the section head approves it, the enterprise asks for and gets more time, reports the work
done, the officer checks on site and closes it (销号). Then Swagger UI renders offline."""

import pytest
from flow_steps import state, take_step

pytestmark = pytest.mark.browser

PLAN = ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")


def test_major_hidden_danger_from_report_to_closing_on_screen(screen, password, tmp_path, sign_in):
    page, shot, width = screen
    title = f"屏幕流程（{width}）：粉尘涉爆车间除尘系统失效"
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 256)

    # The enterprise reports it, with one photo; the form asks only for what a report needs.
    sign_in(page, "qiye", password)
    page.goto("/e/hidden_danger/new")
    assert page.locator("[name=supervised], [name=closed_on], [name=plan_goal]").count() == 0
    page.fill("#title", title)
    page.select_option("#level", "major")
    page.fill("#found_on", "2026-11-20")
    page.fill("#description", "除尘系统风机损坏，车间粉尘浓度超标。")
    page.fill("#measures", "更换风机并增设浓度监测")
    page.fill("#responsible_person", "赵设备")
    page.fill("#rectify_deadline", "2027-01-31")
    page.fill("#current_state", "除尘风机停转，车间积尘")  # what a major report carries (16号令)
    page.fill("#cause", "风机轴承损坏未及时更换")
    page.fill("#severity", "粉尘浓度超标可致爆炸")
    page.fill("#difficulty", "需停产更换风机，约两周")
    page.set_input_files("input[name=photos__upload]", str(photo))
    shot("30-report-form")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=reported]")
    url = page.url
    assert page.locator("dd[data-field=photos] a.anjian-file-link").count() == 1  # chosen once, shown once
    take_step(page, "report_major", {"#comment": "请县局审核认定"})
    assert state(page) == "county_review"

    # The county officer finds it in the inbox and confirms it as a major danger.
    sign_in(page, "keyuan", password)
    page.goto("/e/_inbox/")
    page.click(f"table.anjian-inbox a:has-text('{title}')")
    page.wait_for_selector(".anjian-flow[data-state=county_review]")
    take_step(page, "confirm_major", {"#comment": "认定为重大事故隐患，请制定治理方案"}, lambda: shot("31-officer-confirms"))
    assert state(page) == "planning"

    # The enterprise is told, finds the step waiting for its plan, writes the plan and submits it.
    sign_in(page, "qiye", password)
    page.goto("/e/_notices/")
    assert title in page.inner_text("table.anjian-notices") and "待办" in page.inner_text("table.anjian-notices")
    page.goto("/e/_inbox/")
    assert title in page.inner_text("table.anjian-inbox")
    page.goto(url)
    panel = page.inner_text(".anjian-flow")
    assert "由其他人员办理" not in panel and "请先填写" in panel
    shot("32-plan-waiting")
    page.click(".anjian-step-waiting a:has-text('编辑记录')")
    page.wait_for_url("**/edit")
    assert page.locator("[name=photos__upload], [name=title]").count() == 0  # only what this state may change
    for field in PLAN:
        page.fill(f"#{field}", "按治理方案执行")
    shot("33-plan-form")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=planning]")
    assert page.locator(".anjian-general-error, .anjian-error").count() == 0
    take_step(page, "submit_plan")
    assert state(page) == "plan_review"

    # The section head approves the plan (挂牌督办 is a decision of its own, not part of approval).
    sign_in(page, "kezhang", password)
    page.goto(url)
    take_step(page, "approve_plan", {"#comment": "同意治理方案"})
    assert state(page) == "governing"

    # The enterprise asks for more time on screen; the section head approves it there.
    sign_in(page, "qiye", password)
    page.goto(url)
    page.click(".anjian-extend summary")
    page.fill(".anjian-extension-request input[name=amount]", "10")
    page.select_option(".anjian-extension-request select[name=unit]", "workdays")
    page.fill(".anjian-extension-request input[name=reason]", "除尘设备到货延迟")
    shot("34-extension-request")
    page.click(".anjian-extension-request button[type=submit]")
    page.wait_for_selector(".anjian-extension")
    sign_in(page, "kezhang", password)
    page.goto(url)
    assert "除尘设备到货延迟" in page.inner_text(".anjian-extension")
    page.fill(".anjian-extension-decision input[name=note]", "同意延期")
    page.click(".anjian-extension-decision button[value='1']")
    page.wait_for_selector(".alert-success")
    assert "已批准延期" in page.inner_text(".alert-success")
    assert page.locator(".anjian-extension").count() == 0

    # The enterprise reports the work done; the officer checks on site and closes it.
    sign_in(page, "qiye", password)
    page.goto(url)
    take_step(page, "report_completion", {"#completed_on": "2026-12-20", "#assessment": "风机已更换，浓度达标"})
    assert state(page) == "onsite_check"
    sign_in(page, "keyuan", password)
    page.goto("/e/_inbox/")
    page.click(f"table.anjian-inbox a:has-text('{title}')")
    take_step(page, "close", {"#check_result": "现场核查合格，同意销号"})
    assert state(page) == "closed" and "已销号" in page.inner_text(".anjian-flow .anjian-state")

    steps = page.locator("table.anjian-steps tr[data-step]").evaluate_all("rows => rows.map(r => r.dataset.step)")
    assert steps == ["_start", "report_major", "confirm_major", "submit_plan", "approve_plan", "report_completion", "close"]
    people = page.locator("table.anjian-steps tr[data-step] td:nth-child(2)").all_inner_texts()
    assert people[0] == "企业安全员" and "县局科员" in people and "县局科长" in people  # names, not logins
    assert "qiye" not in people
    shot("35-closed-with-history")
    page.goto("/e/hidden_danger/?_state=closed")
    assert title in page.inner_text("table.anjian-list") and "已销号" in page.inner_text("table.anjian-list")
    shot("36-list-by-state")


def test_swagger_ui_renders_without_the_internet(page, shot):
    outside = []

    def only_this_server(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert page.inner_text(".swagger-ui .info .title").strip()
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert not outside
    shot("37-swagger-ui")
