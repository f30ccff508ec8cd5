"""The live panel and a trend chart in Debian's Chromium (plotly served offline, thresholds drawn);
screenshots at desktop width and 390 px go to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from anjian_monitoring.simulate import post_batch
from monitoring_county import PASSWORD, serve, server_env

from anjian.testing import free_port

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def test_live_panel_and_trend_in_the_browser(county: Any, settings: Any) -> None:
    from playwright.sync_api import sync_playwright

    county["platform"].dispose()
    port = free_port()
    server = serve(server_env(settings, port))
    base = f"http://127.0.0.1:{port}"
    try:
        now = dt.datetime.now(dt.UTC)
        points = [
            {"point": "A-T1", "ts": (now - dt.timedelta(minutes=m)).isoformat(), "value": 40 + 30 * (m % 20 == 0) + m % 7}
            for m in range(120)
        ]
        points += [
            {"point": "A-P1", "ts": now.isoformat(), "value": 1.1},
            {"point": "A-L1", "ts": now.isoformat(), "value": 0, "quality": "fault"},
        ]
        assert post_batch(f"{base}/api/v1/monitoring/ingest", county["keys"]["ent"], points)["accepted"] == 122
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu"],
            )
            for width, suffix in ((1366, "desktop"), (390, "390")):
                context = browser.new_context(base_url=base, locale="zh-CN", viewport={"width": width, "height": 900})
                page = context.new_page()
                page.set_default_timeout(20_000)
                errors: list[str] = []
                # A CSP refusal is a console error; failed loads are caught as responses (the browser's own
                # favicon request is not the page's and only logs "Failed to load resource").
                page.on(
                    "console",
                    lambda m, seen=errors: (
                        seen.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None
                    ),
                )
                page.on("response", lambda response, seen=errors: seen.append(response.url) if response.status >= 400 else None)
                page.goto("/login/")
                page.fill("input[name=username]", "officer")
                page.fill("input[name=password]", PASSWORD)
                page.click("input[type=submit], button[type=submit]")
                page.wait_for_url("**/office/")  # signing in lands on the office face (业务办公平台)
                page.goto("/monitoring/")
                assert page.locator("tr[data-code='A-T1'] .label").inner_text() in ("正常", "高报")
                assert page.locator("tr[data-code='A-L1'] .label").inner_text() == "故障"
                assert "未闭环报警" in page.inner_text("#monitoring-panel")
                page.screenshot(path=str(ARTIFACTS / f"monitoring-panel-{suffix}.png"), full_page=True)
                page.click("tr[data-code='A-T1'] a")
                page.wait_for_selector("#monitoring-trend .main-svg")
                page.wait_for_function("document.getElementById('monitoring-trend-note').textContent.length > 0")
                assert "1 分钟汇总，共 120 个数据点" in page.inner_text("#monitoring-trend-note")  # 24 hours: minute rollups
                assert page.locator("#monitoring-trend .shapelayer path").count() == 3  # 低报, 高报, 高高报
                page.screenshot(path=str(ARTIFACTS / f"monitoring-trend-{suffix}.png"), full_page=True)
                assert errors == []  # no script refused by the Content-Security-Policy
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
