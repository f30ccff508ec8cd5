"""事故报送 on screen, at phone width and on the desktop: the enterprise files a 快报, the county
receives it and forwards it to the city, a 续报 with three deaths raises the grade to 较大事故, and
the city forwards it to the province, which the grade now requires."""

import datetime as dt

import pytest
from flow_steps import no_overflow, state, take_step

pytestmark = pytest.mark.browser

CST = dt.timezone(dt.timedelta(hours=8))


def minutes_ago(minutes):
    return (dt.datetime.now(CST) - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def test_enterprise_files_county_forwards_and_a_follow_up_raises_the_grade(screen, password, sign_in):
    page, shot, width = screen
    account = f"屏幕流程（{width}）：冲压机伤人，1人重伤送医"

    # The enterprise files its 快报.
    sign_in(page, "qiye", password)
    page.goto("/e/accident_report/new")
    assert page.locator("[name=reach], [name=received_at], [name=grade]").count() == 0  # not typed
    page.fill("#occurred_at", minutes_ago(20))
    page.fill("#account", account)
    for field, value in {"#deaths": "0", "#missing": "0", "#serious_injuries": "1", "#direct_loss": "20"}.items():
        page.fill(field, value)
    page.select_option("#category", "03")
    no_overflow(page)
    shot("40-accident-first-report")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=draft]")
    url = page.url
    assert "一般事故" in page.inner_text("dd[data-field=grade]")
    take_step(page, "submit")
    assert state(page) == "submitted"

    # The county receives it, notes whom it told, and forwards it to the city.
    sign_in(page, "keyuan", password)
    page.goto(url)
    take_step(
        page,
        "receive",
        {"#receiver": "县局值班员", "#notified": "安溪县人民政府、县公安局、县总工会"},
        lambda: shot("41-county-receives"),
    )
    assert state(page) == "county"
    take_step(page, "forward_city")
    assert state(page) == "city"
    assert "设区的市" in page.inner_text("dd[data-field=reach]")

    # A 续报: three deaths make it 较大事故, flagged as changed.
    sign_in(page, "qiye", password)
    page.goto(url + "/edit" if not url.endswith("/") else url + "edit")
    page.click(".anjian-children[data-name=updates] .anjian-add-row")
    page.select_option("[name='updates-0-kind']", "follow_up")
    page.fill("[name='updates-0-reported_at']", minutes_ago(2))
    for field, value in {"deaths": "3", "missing": "0", "serious_injuries": "1", "direct_loss": "60"}.items():
        page.fill(f"[name='updates-0-{field}']", value)
    page.fill("[name='updates-0-account']", "3名重伤人员经抢救无效死亡")
    no_overflow(page)
    shot("42-follow-up-form")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=city]")
    assert not page.locator(".anjian-error, .anjian-general-error").count(), page.inner_text(".anjian-page")
    assert "较大事故" in page.inner_text("dd[data-field=grade]")
    assert "续报" in page.inner_text("table.anjian-child[data-child=accident_update]")
    shot("43-grade-raised")

    # The city sees it and forwards it to the province, which a 较大事故 requires.
    sign_in(page, "shiji", password)
    page.goto(url)
    take_step(page, "forward_province")
    assert state(page) == "province"
    no_overflow(page)
    shot("44-city-forwards")


def test_a_unit_reports_to_the_province_and_the_county_skips_the_city(screen, password, sign_in):
    """越级上报 on screen: a 较大 accident's unit also reports straight to the province (21号令), the
    county skips the city with its reason; the history reads in Chinese, as cards on a phone."""
    page, shot, width = screen
    sign_in(page, "qiye", password)
    page.goto("/e/accident_report/new")
    page.fill("#occurred_at", minutes_ago(30))
    page.fill("#account", f"越级上报（{width}）：储罐区爆炸，3人死亡")
    for field, value in {"#deaths": "3", "#missing": "0", "#serious_injuries": "0", "#direct_loss": "300"}.items():
        page.fill(field, value)
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=draft]")
    url = page.url
    assert "较大事故" in page.inner_text("dd[data-field=grade]")
    take_step(page, "report_province_direct", {"#comment": "较大事故，按21号令同时直报省应急管理厅"})
    assert state(page) == "draft" and "省级" in page.inner_text("dd[data-field=reach]")
    take_step(page, "submit")

    sign_in(page, "keyuan", password)
    page.goto(url)
    take_step(page, "receive", {"#receiver": "县局值班员"})
    take_step(page, "skip_to_province", {"#comment": "市局值班电话无法接通，越级报省厅"}, lambda: shot("45-county-skips"))
    assert state(page) == "province"
    history = page.inner_text("table.anjian-history")
    for text in (
        "办理：越级报省级",
        "意见：市局值班电话无法接通",
        "通报",
        "安溪县人民政府",
        "办理：单位直报省级",
        "已通知：市局值班员",
    ):
        assert text in history
    no_overflow(page)
    page.locator("table.anjian-history").scroll_into_view_if_needed()
    shot("46-history")
