"""Every page in a real browser as an enterprise safety officer, a county clerk and an administrator,
at desktop and at 390 px phone width: every label Chinese, nothing loaded from the internet, only
buttons that work, lists usable on a phone. Screenshots go to test-artifacts/screenshots/."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

PASSWORD = "Browser-test-1"  # the administrator's, as set by conftest.server
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ENGLISH = re.compile(
    r"\b(Groups?|True|False|None|Cancel|Delete|Edit|Add|Show|Search|Actions|Profile|Logout|Not Found|Forbidden|"
    r"Access is Denied|Previous|Next|Record Count|List Users|User's Statistics|Security|Page)\b"
)
COMMON = ["/e/", "/e/enterprise/", "/e/hidden_danger/", "/e/_inbox/", "/users/userinfo/", "/resetmypassword/form", "/e/nope"]
PAGES = {
    "qiye": COMMON,
    "keyuan": [*COMMON, "/e/complaint/", "/admin/users/"],
    "admin": [*COMMON, "/admin/users/", "/admin/organisations/", "/admin/grants/", "/e/_audit/", "/users/list/"],
}

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_password(server):
    return (Path(server["env"]["ANJIAN_HOME"]) / "demo_password").read_text().strip()


def check_page(page, url, base):
    """Open ``url``; return the English words shown and whether the page scrolls sideways."""
    page.goto(url)
    text = page.inner_text("body")
    words = sorted(set(ENGLISH.findall(text)))
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    return words, wide


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("user", PAGES)
def test_every_page_is_chinese_local_and_fits(chromium, server, demo_password, user, viewport, request, sign_in):
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(base_url=server["base"], locale="zh-CN", viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(15_000)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None) else None)
    try:
        sign_in(page, user, PASSWORD if user == "admin" else demo_password)
        problems = {}
        for n, url in enumerate(PAGES[user]):
            words, wide = check_page(page, url, server["base"])
            page.screenshot(path=str(artifacts / f"zh-{user}-{viewport}-{n:02d}{url.replace('/', '_')}.png"), full_page=True)
            if words or wide:
                problems[url] = {"english": words, "scrolls sideways": wide}
        assert not problems, problems
        assert not outside, outside
        # The 404 page is the styled Chinese one, with the navbar.
        page.goto("/e/nope")
        assert page.locator(".anjian-error-page").count() == 1 and "找不到页面" in page.inner_text("body")
        # 修改密码 is in the user menu.
        page.goto("/e/")
        if viewport == "phone":
            page.click(".navbar-toggle")
            # As a person waits for the menu to finish opening: a click during Bootstrap's collapse
            # animation can be lost on a loaded machine (the class "in" is set when it has opened).
            page.wait_for_selector(".navbar-collapse.in")
        page.click("#anjian-user-menu")
        page.wait_for_selector("#anjian-change-password", state="visible")
        page.click("#anjian-change-password")
        page.wait_for_url("**/resetmypassword/form")
        # The buttons of 用户信息 work for everyone: 重设密码 and 编辑用户 open the user's own forms.
        for button, target in (("resetmypassword", "**/resetmypassword/form"), ("userinfoedit", "**/userinfoeditview/form")):
            page.goto("/users/userinfo/")
            page.click(f"[id='btn-action-AnjianUserDBModelView.action-{button}']")
            page.wait_for_url(target)
            assert "访问被拒绝" not in page.inner_text("body")
        # Every 编辑/删除 shown on the first enterprise and hidden-danger pages opens for this user.
        for entity in ("enterprise", "hidden_danger"):
            page.goto(f"/e/{entity}/")
            links = page.eval_on_selector_all(
                "a.anjian-edit, a.anjian-delete, #anjian-new", "els => els.map(e => e.getAttribute('href'))"
            )
            for link in links[:6]:
                response = page.goto(link)
                assert response.status == 200, (user, link, response.status)
    finally:
        context.close()
