"""Live monitoring alarms on 一张图: a layer only while the monitoring plugin is enabled, drawn at the
alarm's enterprise (alarms have no geometry of their own), open alarms only, inside the caller's scope."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest
from gis_county import ADMIN, OTHER, PASSWORD, TOWN, point

from anjian import Actor
from anjian.store.clock import use_clock
from anjian.testing.clock import ManualClock
from anjian.testing.plugin import TEST_APP_CONFIG

START = dt.datetime(2026, 3, 2, 2, 0)
FIRMS = [(TOWN, (118.186, 25.056)), (TOWN, (118.03, 25.15)), (OTHER, (118.089, 24.479))]


@pytest.fixture
def enabled_plugins() -> tuple[str, ...]:
    return ("monitoring", "gis")


def _build(settings: Any) -> dict[str, Any]:
    from anjian.auth.apikeys import ApiKeys
    from anjian.demo import credit_code
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    with use_clock(ManualClock(START)):
        platform = Platform(settings)
        try:
            platform.init_db()
            platform.publish()
            rng = random.Random(7)
            create = platform.records.create
            alarms = []
            for n, (region, (lon, lat)) in enumerate(FIRMS):
                firm = create(
                    "enterprise",
                    {
                        "name": f"报警图层测试{n}化工有限公司",
                        "credit_code": credit_code(rng),
                        "region_code": region,
                        "industry": "C",
                        "position": point(lon, lat),
                    },
                    ADMIN,
                )["id"]
                thing = create(
                    "monitored_object", {"enterprise_id": firm, "region_code": region, "name": "罐区", "kind": "tank_farm"}, ADMIN
                )["id"]
                sensor = create(
                    "monitoring_point",
                    {
                        "code": f"T{n}",
                        "name": "温度",
                        "object_id": thing,
                        "enterprise_id": firm,
                        "region_code": region,
                        "kind": "temperature",
                        "unit": "℃",
                        "high": 60,
                    },
                    ADMIN,
                )["id"]
                for kind in ("high", "high_high"):
                    body = {
                        "point_id": sensor,
                        "enterprise_id": firm,
                        "region_code": region,
                        "kind": kind,
                        "value": 70,
                        "raised_at": "2026-03-02T09:00:00+08:00",
                        "summary": f"{n}号企业温度{kind}",
                    }
                    alarms.append(create("monitoring_alarm", body, ADMIN)["id"])
            closed = alarms[1]  # 闭环 is the process's business; the map reads only closed_at
            table = platform.registry.table("monitoring_alarm")
            with platform.engine.begin() as conn:
                conn.execute(table.update().where(table.c.id == closed).values(closed_at=START))
            app = create_app(platform=platform, config=TEST_APP_CONFIG)
            with app.app_context():
                sm = app.appbuilder.sm
                sm.create_db()
                app.appbuilder.add_permissions(update_perms=True)
                sm.add_user("officer", "officer", "", "officer@example.org", sm.find_role(sm.auth_role_public), password=PASSWORD)
                app.appbuilder.session.commit()
            platform.access.store.save_account(ADMIN, "officer", "agency", "350524")
            platform.access.store.add_grant(ADMIN, "officer", "monitoring_officer", "350524")
            platform.access.store.add_grant(ADMIN, "officer", "gis_viewer", "350524")
            _id, key = ApiKeys(platform.engine).create("officer", "map client", ["monitoring_alarm:read"], "test")
        finally:
            platform.dispose()
    return {"alarms": alarms, "closed": closed, "key": key}


@pytest.fixture
def alarm_county(settings: Any, anjian_templates: Any, clock: ManualClock) -> Any:
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    built = anjian_templates.prepare("gis-alarms", settings, _build)
    clock.set(START)
    platform = Platform(settings)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    yield {"platform": platform, "client": app.test_client(), **built}
    platform.dispose()


def test_open_alarms_are_drawn_at_their_enterprise_within_scope(alarm_county: Any) -> None:
    client, key = alarm_county["client"], {"X-API-Key": alarm_county["key"]}
    listed = client.get("/ogc/collections?f=json", headers=key)
    assert listed.status_code == 200, listed.get_data(as_text=True)
    assert "monitoring_alarm" in {c["id"] for c in listed.get_json()["collections"]}
    found = client.get("/ogc/collections/monitoring_alarm/items?f=json&limit=100", headers=key).get_json()
    alarms = alarm_county["alarms"]
    # 安溪县's open alarms only: the closed one and 思明区's are not on the officer's map
    assert sorted(f["id"] for f in found["features"]) == [alarms[0], alarms[2], alarms[3]]
    assert found["numberMatched"] == 3
    by_id = {f["id"]: f for f in found["features"]}
    assert by_id[alarms[0]]["geometry"] == point(118.186, 25.056)  # where the enterprise stands
    assert by_id[alarms[2]]["geometry"] == point(118.03, 25.15)
    assert by_id[alarms[3]]["properties"]["kind"] == "high_high"
    near = client.get("/ogc/collections/monitoring_alarm/items?f=json&bbox=118.0,25.1,118.1,25.2", headers=key).get_json()
    assert [f["id"] for f in near["features"]] == [alarms[2], alarms[3]]
    one = client.get(f"/ogc/collections/monitoring_alarm/items/{alarms[4]}?f=json", headers=key)
    assert one.status_code == 404  # 思明区's alarm: not revealed


def test_alarm_layer_on_wms_and_wfs(alarm_county: Any) -> None:
    from PIL import Image

    client, key = alarm_county["client"], {"X-API-Key": alarm_county["key"]}
    image = client.get(
        "/ogc/wms?service=WMS&version=1.3.0&request=GetMap&layers=monitoring_alarm&styles=&crs=CRS:84"
        "&bbox=118.17,25.04,118.21,25.08&width=200&height=200&format=image/png",
        headers=key,
    )
    assert image.status_code == 200
    png = Image.open(io.BytesIO(image.data)).convert("RGBA")
    assert png.getpixel((80, 120))[3] == 255 and png.getpixel((10, 10))[3] == 0  # (118.186, 25.056) -> (80, 120)
    wfs = client.get(
        "/ogc/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=aj:monitoring_alarm&outputFormat=application/json",
        headers=key,
    ).get_json()
    assert wfs["numberMatched"] == 3


def test_alarm_layer_read_as_functions_follow_the_scope(alarm_county: Any) -> None:
    from anjian_gis.layers import Query, platform_layers, read

    platform = alarm_county["platform"]
    layer = platform_layers(platform)["monitoring_alarm"]
    assert (layer.geometry_entity, layer.via) == ("enterprise", "enterprise_id")
    everything = read(platform, ADMIN, layer, Query(limit=100))
    assert len(everything.features) == 5  # every open alarm, both counties
    officer = read(platform, Actor("officer"), layer, Query(limit=100))
    assert len(officer.features) == 3
