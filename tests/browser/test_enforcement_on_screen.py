"""行政执法 on screen, at phone width and on the desktop: the county officer records an inspection
that found problems, orders a rectification with its deadline, arranges the recheck and closes it
with the 整改复查意见书; the section head sees the closed record with its history and the report."""

import datetime as dt

import pytest
from flow_steps import no_overflow, state, take_step

pytestmark = pytest.mark.browser

CST = dt.timezone(dt.timedelta(hours=8))


def pick_region(page, *codes):
    """The cascading region picker, one level after the other as a person picks them."""
    for depth, code in enumerate(codes):
        level = page.locator(".anjian-field[data-name=region_code] select.anjian-region-level").nth(depth)
        level.locator(f"option[value='{code}']").wait_for(state="attached")
        level.select_option(code)


def test_an_officer_orders_a_rectification_and_closes_it_after_the_recheck(screen, password, sign_in):
    page, shot, width = screen
    today = dt.datetime.now(CST).date()
    deadline = today + dt.timedelta(days=15)
    items = f"屏幕执法（{width}）：有限空间作业审批和警示标志"

    sign_in(page, "keyuan", password)
    page.goto("/e/inspection_record/new")
    page.click(".anjian-field[data-name=enterprise_id] .select2-selection")  # the searchable link picker
    page.keyboard.type("安溪县")
    page.locator(".select2-results__option").first.click()
    pick_region(page, "350000", "350500", "350524")
    page.fill("#inspected_on", today.isoformat())
    page.fill("#inspectors-0-name", "林执法")  # the table needs one row: the form starts with it
    page.fill("#inspectors-0-certificate_no", "35052400017")
    page.click(".anjian-children[data-name=inspectors] .anjian-add-row")
    page.fill("#inspectors-1-name", "陈执法")
    page.fill("#items_checked", items)
    page.fill("#problems", "有限空间作业未审批；入口无警示标志")
    page.fill("#problem_count", "2")
    page.select_option("#handling", "rectify_order")
    no_overflow(page)
    shot("80-inspection-form")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=recorded]")
    url = page.url
    text = page.inner_text(".anjian-page")
    assert "林执法" in text and "陈执法" in text and "责令限期整改" in text
    assert not page.locator(".anjian-transitions a[data-transition=close_on_site]").count()  # not for this handling

    take_step(
        page,
        "order_rectification",
        {"#order_doc_no": f"安应急责改〔{today.year}〕{width}号", "#rectify_deadline": deadline.isoformat()},
    )
    assert state(page) == "rectifying"
    panel = page.inner_text(".anjian-flow")
    assert "责令限期整改期限" in panel and deadline.isoformat() in panel  # the clock the order started
    shot("81-rectifying")

    take_step(page, "request_recheck")
    assert "复查时限" in page.inner_text(".anjian-flow") and "不是法律规定" in page.inner_text(".anjian-flow")
    take_step(
        page,
        "recheck_pass",
        {"#recheck_on": today.isoformat(), "#recheck_opinion": "已办理审批，警示标志已设置", "#recheck_doc_no": f"复查{width}"},
    )
    assert state(page) == "closed"

    # The section head finds it closed, with who did what, and counts it in the report.
    sign_in(page, "kezhang", password)
    page.goto(url)
    history = page.inner_text(".anjian-flow")
    assert "下达责令限期整改指令书" in history and "复查合格" in history and "县局科员" in history
    shot("82-closed-with-history")
    page.goto("/reports/inspections_by_handling")
    page.wait_for_selector("table")
    assert "责令限期整改" in page.inner_text("table")
    shot("83-inspections-report")
