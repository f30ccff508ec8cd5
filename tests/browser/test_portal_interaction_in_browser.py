"""互动交流 and public accounts in a real browser at phone width (390 px), against the demo server
with an SMTP server: the home is alive (no 暂无内容), a visitor comments on an open 意见征集 and
reads a closed one's summary, answers a survey and reads a closed survey's results, registers
with an e-mail address verified through the mail, signs in, and asks for a password reset;
axe-core finds no serious or critical violation on any of these pages."""

import re
from pathlib import Path

import pytest
import test_portal_in_browser
from browser_server import running_server
from test_portal_in_browser import ARTIFACTS, axe_clean, no_overflow, shoot, solve

from anjian.testing import free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def mailbox():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Sink(Message):
        def handle_message(self, message):
            received.append(message)

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, mailbox):
    env = {"ANJIAN_SMTP_HOST": "127.0.0.1", "ANJIAN_SMTP_PORT": str(mailbox[0])}
    with running_server(tmp_path_factory.mktemp("browser") / "var", extra_env=env) as running:
        yield running


phone = pytest.fixture(test_portal_in_browser.phone.__wrapped__)  # the same phone, on this module's server


def test_the_demo_home_is_alive_and_interaction_works_on_a_phone(phone, chromium, server):
    page = phone
    page.goto("/")
    assert "暂无内容" not in page.inner_text("main")
    no_overflow(page)
    axe_clean(page, "home with demo content")
    shoot(page, ARTIFACTS, "portal-10-home-demo-390")
    wide = chromium.new_context(base_url=server["base"], locale="zh-CN", viewport={"width": 1366, "height": 900})
    desk = wide.new_page()
    desk.goto("/")
    desk.screenshot(path=str(Path(ARTIFACTS) / "portal-10-home-demo-1366.png"), full_page=True)
    wide.close()

    page.goto("/column/consult")
    axe_clean(page, "consultation column")
    page.click("main a:has-text('应急预案')")
    assert "正在征集" in page.inner_text("main")
    axe_clean(page, "open consultation")
    page.fill("#f-content", "建议在预案中写明各乡镇应急物资储备点的位置和联系人。")
    solve(page)
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-11-consultation-open-390")
    page.click("button:has-text('提交意见')")
    page.wait_for_selector("#comment-sent")
    axe_clean(page, "comment sent")
    page.goto("/column/consult")
    page.click("main a:has-text('约谈办法')")
    main = page.inner_text("main")
    assert "已截止" in main and "共收到意见建议 12 条" in main and "提交意见" not in main
    axe_clean(page, "closed consultation")
    shoot(page, ARTIFACTS, "portal-12-consultation-closed-390")

    page.goto("/column/surveys")
    page.click("main a:has-text('满意度调查')")
    page.check("input[name=q0][value='0']")
    page.check("input[name=q1][value='1']")
    page.check("input[name=q1][value='3']")
    solve(page)
    axe_clean(page, "open survey")
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-13-survey-open-390")
    page.click("button:has-text('提交答卷')")
    page.wait_for_selector("#survey-done")
    assert "感谢参与" in page.inner_text("#survey-done")
    page.reload()
    assert page.locator("button:has-text('提交答卷')").count() == 0  # one answer per visitor
    page.goto("/column/surveys")
    page.click("main a:has-text('宣传方式问卷')")
    assert "共 8 人参加" in page.inner_text("main")
    axe_clean(page, "survey results")
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-14-survey-results-390")


def test_a_visitor_registers_through_the_mail_signs_in_and_resets_the_password(phone, mailbox):
    page = phone
    _, received = mailbox
    page.goto("/")
    page.click("header a:has-text('公众注册')")
    page.wait_for_url("**/register")
    axe_clean(page, "register")
    page.fill("#f-name", "陈公众")
    page.fill("#f-email", "chen@example.cn")
    page.fill("#f-password", "Gongzhong-pass-2026")
    page.fill("#f-password_again", "Gongzhong-pass-2026")
    solve(page)
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-15-register-390")
    page.click("button:has-text('注册')")
    page.wait_for_selector("#message")
    assert "如果该邮箱地址可以使用" in page.inner_text("#message")
    axe_clean(page, "register sent")
    mail = next(m for m in received if m["To"] == "chen@example.cn")
    link = re.search(r"https?://\S+", mail.get_payload(decode=True).decode("utf-8")).group(0)
    page.goto(link)
    assert "注册成功" in page.inner_text("#message")
    page.click("main a:has-text('登录')")
    page.fill("input[name=username]", "chen@example.cn")
    page.fill("input[name=password]", "Gongzhong-pass-2026")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))  # a public (公众) account lands back on the public face
    assert "业务办公平台" in page.inner_text("header")

    page.context.clear_cookies()
    page.goto("/login/")
    page.click("#account-links a:has-text('忘记密码')")
    page.wait_for_url("**/password/forgot")
    axe_clean(page, "forgot password")
    page.fill("#f-email", "chen@example.cn")
    solve(page)
    page.click("button:has-text('发送重设链接')")
    page.wait_for_selector("#message")
    mail = [m for m in received if m["To"] == "chen@example.cn"][-1]
    link = re.search(r"https?://\S+", mail.get_payload(decode=True).decode("utf-8")).group(0)
    page.goto(link)
    axe_clean(page, "reset password")
    page.fill("#f-password", "Neues-Passwort-2027")
    page.fill("#f-password_again", "Neues-Passwort-2027")
    shoot(page, ARTIFACTS, "portal-16-reset-390")
    page.click("button:has-text('保存新密码')")
    assert "密码已重设" in page.inner_text("#message")

    page.goto("/report/enterprise_account")
    axe_clean(page, "enterprise account request")
    no_overflow(page)
    shoot(page, ARTIFACTS, "portal-17-enterprise-request-390")
    page.goto("/guide/enterprise_account")
    axe_clean(page, "enterprise account guide")


def test_every_public_page_is_axe_clean_at_phone_width(phone):
    """Every page the navigation, the columns and 办事服务 lead to (one article of each column)."""
    page = phone
    page.goto("/")
    paths = {"/", "/guide/", "/track", "/search?q=安全", "/password/forgot", "/register"}
    paths |= {a for a in page.eval_on_selector_all("nav.main-nav a", "els => els.map(e => e.getAttribute('href'))")}
    page.goto("/guide/")
    paths |= set(page.eval_on_selector_all("main a[href^='/guide/']", "els => els.map(e => e.getAttribute('href'))"))
    columns = [p for p in list(paths) if p.startswith("/column/")]
    for column in columns:
        page.goto(column)
        paths |= set(page.eval_on_selector_all("main a[href^='/column/']", "els => els.map(e => e.getAttribute('href'))"))
    for column in sorted(p for p in paths if p.startswith("/column/") and "?" not in p):
        page.goto(column)
        first = page.locator("ul.articles a").first
        if first.count():
            paths.add(first.get_attribute("href"))
    paths = {p for p in paths if not p.endswith((".json", ".rss"))}  # feeds are not pages
    assert len(paths) > 25
    for path in sorted(paths):
        page.goto(path)
        no_overflow(page)
        axe_clean(page, path)
