"""A real server with demo data and Debian's Chromium driven by Playwright; screenshots as artifacts."""

import shutil
from pathlib import Path

import pytest
from browser_server import running_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("browser") / "var") as running:
        yield running


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, server):
    context = chromium.new_context(base_url=server["base"], locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def sign_in():
    """Sign a user in through the login page, on a fresh session (the last user's cookies cleared)."""

    def sign(page, user, password):
        page.context.clear_cookies()
        page.goto("/login/")
        if not page.locator("input[name=username]").count():
            # Once in a full browser pass (two servers, two browsers on two cores) the login page came
            # up without its form; a person would load it again. A second miss says where it landed.
            print(f"sign_in({user}): no login form at {page.url}: {page.inner_text('body')[:300]!r}; loading it again")
            page.goto("/login/")
            if not page.locator("input[name=username]").count():
                raise AssertionError(f"no login form at {page.url}: {page.inner_text('body')[:500]}")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url("**/office/")  # signing in lands on the office face (业务办公平台)
        page.goto("/e/")

    return sign


@pytest.fixture
def password(server):
    """The demo users' password, generated at `anjian init` and kept in HOME (as `anjian run` prints it)."""
    return (Path(server["env"]["ANJIAN_HOME"]) / "demo_password").read_text().strip()


@pytest.fixture(params=sorted(WIDTHS))
def screen(request, chromium, server):
    """A page at one width (desktop 1366 px, phone 390 px), and a screenshot taker whose files carry
    the width's name."""
    width = request.param
    context = chromium.new_context(
        base_url=server["base"], locale="zh-CN", viewport=WIDTHS[width], is_mobile=width == "phone", has_touch=width == "phone"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(name):
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)

    yield page, shot, width
    context.close()
