"""The portal's faces in a real browser at phone width (390 px): a visitor files a complaint with a
photo and follows it by code, an officer handles it, the visitor sees the answer and rates it; an
editor publishes an article through review and a visitor finds it by full-text search; axe-core
finds no serious or critical violation on the public pages; the officer moves between faces."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "Browser-test-1"  # as set by conftest.server
AXE = Path(__file__).resolve().parents[2] / "platform" / "anjian" / "static" / "vendor" / "axe-core" / "axe.min.js"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
DIGITS = "零一二三四五六七八九十"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def phone(chromium, server):
    # bypass_csp lets the test inject axe-core; the pages' own policy is tested without a browser.
    context = chromium.new_context(
        base_url=server["base"], locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_clean(page, name):
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}))
             .violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))"""
    )
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def shoot(page, shot_dir, name):
    shot_dir.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot_dir / f"{name}.png"), full_page=True)


def solve(page):
    label = page.inner_text("label[for=f-captcha]")
    a, b = re.search(r"(.)加(.)等于几", label).groups()
    page.fill("#f-captcha", str(DIGITS.index(a) + DIGITS.index(b)))


def step(page, name, fill=None):
    page.click(f".anjian-transitions a[data-transition={name}]")
    page.wait_for_url(f"**/transitions/{name}")
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    page.click(".anjian-transition-form button[type=submit]")
    page.wait_for_selector(".anjian-flow")


def sign_in(page, user="admin"):
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/office/")


def test_visitor_reports_follows_and_rates_while_the_office_handles_it(phone):
    page = phone
    page.goto("/")
    assert "公共服务平台" in page.title() and page.locator("text=在线举报").count() >= 1
    no_overflow(page)
    axe_clean(page, "home")
    shoot(page, ARTIFACTS, "portal-01-home-390")
    page.click(".block-intake a.button")
    page.wait_for_url("**/report/complaint")
    axe_clean(page, "report form")
    page.fill("#f-subject", "浏览器测试：某五金厂违规动火作业")
    page.fill("#f-content", "车间内无动火审批、无灭火器，焊接火花落在油污地面。")
    page.fill("#f-complainant_name", "王小明")
    page.fill("#f-complainant_phone", "13712345678")
    assert page.get_attribute("#f-files", "capture") == "environment"
    page.set_input_files("#f-files", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
    page.wait_for_selector(".previews img")
    solve(page)
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-02-report-390")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/report/complaint/done")
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"TS[2-9A-Z]{5}-[2-9A-Z]{5}", code)
    axe_clean(page, "done")
    page.click("text=查看办理进度")
    page.wait_for_url(f"**/track/{code}")
    text = page.inner_text("main")
    assert "待甄别" in text and "应于" in text and "王**" in text and "王小明" not in text and "13712345678" not in text
    axe_clean(page, "track")
    shoot(page, ARTIFACTS, "portal-03-track-390")

    # The officer signs in once (landing on the office face) and handles the complaint.
    sign_in(page)
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-04-office-390")
    page.goto("/decision/")
    assert "辅助决策平台" in page.inner_text("body")
    page.goto("/e/complaint/?q=" + code)
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-05-complaint-cards-390")
    page.click("table.anjian-list tbody tr td[data-label] a >> nth=0")
    page.wait_for_selector(".anjian-flow[data-state=received]")
    step(page, "accept")
    page.click(".anjian-transitions a[data-transition=dispatch]")
    page.wait_for_url("**/transitions/dispatch")
    page.click(".select2-selection")
    page.keyboard.type("应急管理局")
    page.click(".select2-results__option:has-text('安溪县应急管理局')")
    page.click(".anjian-transition-form button[type=submit]")
    page.wait_for_selector(".anjian-flow[data-state=handling]")
    page.click(".anjian-transitions a[data-transition=report_handling]")
    page.wait_for_url("**/transitions/report_handling")
    page.fill("#onsite_record", "现场核查属实，已责令停止动火作业。")
    page.select_option("#result", "substantiated")
    page.click(".anjian-transition-form button[type=submit]")
    page.wait_for_selector(".anjian-flow[data-state=handled]")
    step(page, "answer", {"#answer": "经核查举报属实，已责令整改并立案处罚。"})
    assert page.locator(".anjian-flow[data-state=answered]").count() == 1

    # The visitor (signed out) sees the answer and rates it.
    page.context.clear_cookies()
    page.goto(f"/track/{code}")
    assert "经核查举报属实" in page.inner_text("main") and "已答复" in page.inner_text("main")
    page.check("input[name=level][value='5']")
    page.fill("#rating-comment", "处理及时")
    axe_clean(page, "rating")
    page.click("form.rating button[type=submit]")
    page.wait_for_selector(".rated")
    assert "非常满意" in page.inner_text(".rated")
    shoot(page, ARTIFACTS, "portal-06-rated-390")


def test_editor_publishes_through_review_and_visitor_finds_it(phone):
    page = phone
    sign_in(page)
    page.goto("/e/article/new")
    page.fill("#title", "浏览器测试：关于开展粉尘涉爆企业专项检查的通知")
    page.select_option("#column", "notice")
    page.fill("#body", "各乡镇：请于本月底前完成粉尘涉爆企业自查。")
    page.evaluate(
        "document.querySelector('input[name=region_code]') && (document.querySelector('input[name=region_code]').value = '350524')"
    )
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector(".anjian-flow[data-state=draft]")
    step(page, "submit")
    step(page, "publish")
    assert page.locator(".anjian-flow[data-state=published]").count() == 1
    page.context.clear_cookies()
    page.goto("/search?q=粉尘涉爆")
    assert "专项检查的通知" in page.inner_text("main")
    axe_clean(page, "search")
    page.click("main a:has-text('专项检查的通知')")
    assert "请于本月底前完成" in page.inner_text("main")
    axe_clean(page, "article")
    page.goto("/column/notice")
    axe_clean(page, "column")
    no_overflow(page)
    page.click("text=大字版")
    assert "pref-large" in (page.get_attribute("body", "class") or "")
    page.click("text=高对比")
    axe_clean(page, "column high contrast")
    shoot(page, ARTIFACTS, "portal-07-column-large-contrast-390")
    page.goto("/track")
    axe_clean(page, "track lookup")
