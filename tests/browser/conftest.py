"""A real server with demo data and Debian's Chromium driven by Playwright; screenshots as artifacts."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PASSWORD = "Browser-test-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("browser") / "var"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(
        ANJIAN_HOME=str(home),
        ANJIAN_ADMIN_PASSWORD=PASSWORD,
        ANJIAN_PORT=str(port),
        ANJIAN_MFA_ADMIN="false",
        ANJIAN_SECRET_KEY="browser-test-secret-0123456789-0123456789",
    )
    subprocess.run([sys.executable, "-m", "anjian.cli", "init"], env=env, check=True, capture_output=True, timeout=300)
    process = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"{base}/login/", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.1)
    yield {"base": base, "env": env}
    process.terminate()
    process.wait(timeout=20)


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
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url("**/office/")  # signing in lands on the office face (业务办公平台)
        page.goto("/e/")

    return sign
