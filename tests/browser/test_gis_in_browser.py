"""一张图 in the browser (GIS plugin enabled): pick an enterprise's location on its form, then find
it on the map and open the record from there; desktop and phone width, offline (no base tiles)."""

from pathlib import Path

import pytest
from browser_server import PASSWORD, running_server

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo server with the GIS plugin enabled (overrides the conftest's)."""
    plugins = {"ANJIAN_PLUGINS": "+gis"}
    with running_server(tmp_path_factory.mktemp("gis-browser") / "var", plugins, prepare=[["gis", "reindex"]]) as running:
        yield running


def test_pick_a_location_and_find_it_on_the_map(chromium, server, sign_in):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(base_url=server["base"], locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # a missing favicon is reported as "Failed to load resource" without its address; scripts are checked by their effect
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    sign_in(page, "admin", PASSWORD)
    record_id = "1"  # the first demo enterprise
    page.goto(f"/e/enterprise/{record_id}/edit")
    name = page.input_value("input[name=name]")
    canvas = page.locator(".anjian-map-canvas")
    canvas.scroll_into_view_if_needed()
    page.wait_for_selector(".anjian-map-canvas.leaflet-container")
    page.locator(".anjian-map-clear").click()
    # type a location, then refine it by clicking the map where the marker stands
    page.fill(".anjian-map-lon", "118.1234")
    page.fill(".anjian-map-lat", "25.0987")
    page.locator(".anjian-map-lat").dispatch_event("change")
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    picked = page.input_value(".anjian-map-value")
    assert '"type":"Point"' in picked
    lon, lat = (float(v) for v in picked.split("[", 1)[1].split("]", 1)[0].split(","))
    assert abs(lon - 118.1234) < 0.05 and abs(lat - 25.0987) < 0.05
    page.screenshot(path=str(ARTIFACTS / "gis-form-desktop.png"), full_page=False)
    page.click(".anjian-form button[type=submit]")
    page.wait_for_url(f"**/e/enterprise/{record_id}")
    assert not page.locator(".anjian-error, .anjian-general-error").count(), page.inner_text(".anjian-page")

    for width, viewport in (("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(viewport)
        page.goto("/gis/")
        page.wait_for_selector("#gis-map[data-ready='1']")
        assert page.locator(".gis-count[data-count='enterprise']").inner_text() not in ("…", "加载失败"), problems
        accidents = page.locator(".gis-count[data-count='accident_report']").inner_text()
        assert accidents not in ("…", "加载失败", "0"), (accidents, problems)  # the demo's accidents, at their enterprise
        hazards = page.locator(".gis-count[data-count='major_hazard_source']").inner_text()
        assert hazards not in ("…", "加载失败", "0"), (hazards, problems)  # the demo's register units, by grade
        page.fill("#gis-search", name)
        page.wait_for_function("document.querySelector(\".gis-count[data-count='enterprise']\").textContent === '1'")
        page.evaluate(
            "([lat, lon]) => document.getElementById('gis-map').gisMap.setView([lat, lon], 16, {animate: false})", [lat, lon]
        )
        point = page.evaluate(
            "([lat, lon]) => { const p = document.getElementById('gis-map').gisMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            [lat, lon],
        )
        page.locator("#gis-map").click(position={"x": point[0], "y": point[1]})
        link = page.locator(".leaflet-popup .gis-open-record")
        assert link.inner_text() == name
        page.screenshot(path=str(ARTIFACTS / f"gis-map-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, "the page must not scroll sideways"
    link.click()
    page.wait_for_url(f"**/e/enterprise/{record_id}")
    assert not problems, problems
    context.close()


def test_a_new_records_map_opens_at_the_deployments_area(chromium, server, sign_in):
    """No location yet: the form's map shows where the deployment's records are (安溪县), not all of China."""
    for width, viewport in (("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})):
        context = chromium.new_context(base_url=server["base"], locale="zh-CN", viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, "admin", PASSWORD)
        for entity in ("enterprise", "major_hazard_source"):
            page.goto(f"/e/{entity}/new")
            canvas = page.locator(".anjian-map-canvas")
            canvas.scroll_into_view_if_needed()
            page.wait_for_selector(".anjian-map-canvas.leaflet-container")
            view = page.evaluate(
                "() => { const m = document.querySelector('.anjian-map-canvas').anjianMap, c = m.getCenter(), b = m.getBounds();"
                " return [c.lng, c.lat, b.getEast() - b.getWest()]; }"
            )
            assert 117.3 < view[0] < 118.7 and 24.7 < view[1] < 25.6, (entity, view)  # 安溪县
            assert view[2] < 8, (entity, view)  # a county and its surroundings, not the country (about 60°)
            page.screenshot(path=str(ARTIFACTS / f"gis-new-{entity}-{width}.png"), full_page=False)
        context.close()
