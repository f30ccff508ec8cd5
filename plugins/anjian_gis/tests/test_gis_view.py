"""Where a new record's map (and 一张图) opens: the configured view, the deployment region's
centroids from the region dictionary, the extent of what is located, and only then the whole area."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from gis_county import ANXI_POINTS, PASSWORD, XIAMEN_POINTS


@pytest.fixture(autouse=True)
def fresh_views() -> Any:
    from anjian_gis.view import clear_cache

    clear_cache()
    yield
    clear_cache()


def test_a_new_records_map_opens_at_what_is_located(county: Any) -> None:
    from anjian_gis.view import opening_view

    box = opening_view(county["platform"])
    points = ANXI_POINTS + XIAMEN_POINTS
    assert box.minx < min(p[0] for p in points) and box.maxx > max(p[0] for p in points)
    assert box.maxx - box.minx < 1 and box.maxy - box.miny < 1.5  # the two counties, not all of China
    client = county["client"]
    client.post("/login/", data={"username": "admin", "password": PASSWORD})
    form = client.get("/e/enterprise/new").get_data(as_text=True)
    assert f'data-view="{box.minx:.6f},{box.miny:.6f},{box.maxx:.6f},{box.maxy:.6f}"' in form
    assert f'data-area="{box.minx:.6f},{box.miny:.6f},{box.maxx:.6f},{box.maxy:.6f}"' in client.get("/gis/").get_data(
        as_text=True
    )


def test_the_configured_view_comes_first(county: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from anjian_gis.geometry import BBox
    from anjian_gis.view import opening_view

    platform = county["platform"]
    settings = platform.host.settings["gis"]
    monkeypatch.setitem(platform.host.settings, "gis", settings.model_copy(update={"view": "117.5,24.8,118.5,25.5"}))
    assert opening_view(platform) == BBox(117.5, 24.8, 118.5, 25.5)


def test_region_centroids_then_the_area() -> None:
    from anjian_gis.geometry import BBox
    from anjian_gis.settings import GisSettings
    from anjian_gis.view import CENTROID_PAD, opening_view

    items = {
        "350524": {"centroid_lon": 118.0, "centroid_lat": 25.1},
        "350524100000": {"centroid_lon": 118.19, "centroid_lat": 25.06},
        "350524101000": {},  # no centroid declared: not counted
    }
    region = SimpleNamespace(item=lambda code: SimpleNamespace(attributes=items[code]) if code in items else None)

    class Conn:
        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: Any) -> None:
            return None

        def execute(self, _query: Any) -> Any:
            return SimpleNamespace(one=lambda: (None, None, None, None))  # nothing located yet

    class Platform(SimpleNamespace):  # the view cache keeps platforms by weak reference, hashed by identity
        __hash__ = object.__hash__

    def platform(deployment: str) -> Any:
        return Platform(
            host=SimpleNamespace(settings={"gis": GisSettings(area="115,23,121,29")}),
            settings=SimpleNamespace(deployment_region=deployment),
            registry=SimpleNamespace(
                catalog=SimpleNamespace(dictionaries={"region": region}),
                with_descendants=lambda _name, codes: [*codes, *(c for c in items if c != codes[0])],
            ),
            engine=SimpleNamespace(connect=Conn),
        )

    pad = CENTROID_PAD
    assert opening_view(platform("350524")) == BBox(118.0 - pad, 25.06 - pad, 118.19 + pad, 25.1 + pad)
    assert opening_view(platform("")) == BBox(115, 23, 121, 29)  # no region, nothing located: the whole area
