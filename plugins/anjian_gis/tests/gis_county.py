"""Fixtures of the GIS tests: two counties with located enterprises, hazards and dangers, boundaries,
officers of each county and an API key.

安溪县 (350524) has four enterprises, one major hazard source, two hidden dangers (one closed) and a
published township boundary; 思明区 (350203) has two enterprises and an unpublished boundary.
Built once per session (anjian.testing.templates) and copied for each test.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from anjian import Actor
from anjian.store.clock import use_clock
from anjian.testing.clock import ManualClock
from anjian.testing.plugin import TEST_APP_CONFIG

ADMIN = Actor("admin", is_admin=True)
PASSWORD = "Gis-pass-1"
TOWN = "350524100000"  # 凤城镇, 安溪县
OTHER = "350203"  # 思明区, 厦门
START = dt.datetime(2026, 3, 2, 2, 0)
ANXI_POINTS = [(118.186, 25.056), (118.190, 25.060), (118.030, 25.150), (117.900, 25.200)]
XIAMEN_POINTS = [(118.089, 24.479), (118.120, 24.450)]
TOWN_RING = [[118.15, 25.02], [118.23, 25.02], [118.23, 25.09], [118.15, 25.09], [118.15, 25.02]]
XIAMEN_RING = [[118.05, 24.42], [118.20, 24.42], [118.20, 24.52], [118.05, 24.52], [118.05, 24.42]]
USERS = {  # name -> (region, roles)
    "officer": ("350524", ["gis_viewer"]),
    "stranger": (OTHER, ["gis_viewer"]),
}


@pytest.fixture
def enabled_plugins() -> tuple[str, ...]:
    return ("gis",)


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


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
            rng = random.Random(16)
            create = platform.records.create
            firms: dict[str, list[int]] = {"anxi": [], "xiamen": []}
            for county, region, points in (("anxi", TOWN, ANXI_POINTS), ("xiamen", OTHER, XIAMEN_POINTS)):
                for n, (lon, lat) in enumerate(points):
                    body = {
                        "name": f"{county}测试{n}化工有限公司",
                        "credit_code": credit_code(rng),
                        "region_code": region,
                        "industry": "C" if n % 2 == 0 else "B",
                        "position": point(lon, lat),
                    }
                    firms[county].append(create("enterprise", body, ADMIN)["id"])
            hazard = create(
                "hazard_source_filing",
                {
                    "enterprise_id": firms["anxi"][0],
                    "region_code": TOWN,
                    "source_name": "液氯储罐区",
                    "hazard_level": "2",
                    "assessment_on": "2026-01-10",
                    "position": point(118.1862, 25.0562),
                },
                ADMIN,
            )["id"]
            dangers = []
            for n, closed in enumerate((None, "2026-02-01")):
                body = {
                    "enterprise_id": firms["anxi"][1],
                    "region_code": TOWN,
                    "title": f"测试隐患{n}",
                    "level": "general",
                    "found_on": "2026-01-05",
                    "description": "消防通道堵塞",
                    "position": point(118.1905 + n * 0.001, 25.0605),
                }
                record = create("hidden_danger", body, ADMIN)
                if closed:  # 销号 takes the whole process; the map only reads the date
                    table = platform.registry.table("hidden_danger")
                    with platform.engine.begin() as conn:
                        conn.execute(
                            table.update().where(table.c.id == record["id"]).values(closed_on=dt.date.fromisoformat(closed))
                        )
                dangers.append(record["id"])
            boundaries = [
                create(
                    "region_boundary",
                    {"region_code": TOWN, "name": "凤城镇", "boundary": {"type": "Polygon", "coordinates": [TOWN_RING]}},
                    ADMIN,
                )["id"],
                create(
                    "region_boundary",
                    {
                        "region_code": OTHER,
                        "name": "思明区",
                        "level": "county",
                        "public": False,
                        "boundary": {"type": "Polygon", "coordinates": [XIAMEN_RING]},
                    },
                    ADMIN,
                )["id"],
            ]
            app = create_app(platform=platform, config=TEST_APP_CONFIG)
            with app.app_context():
                sm = app.appbuilder.sm
                sm.create_db()
                app.appbuilder.add_permissions(update_perms=True)
                sm.add_user("admin", "系统", "管理员", "admin@example.org", sm.find_role(sm.auth_role_admin), password=PASSWORD)
                for name, (region, roles) in USERS.items():
                    assert sm.add_user(
                        name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=PASSWORD
                    )
                    app.appbuilder.session.commit()
                    platform.access.store.save_account(ADMIN, name, "agency", region)
                    for role in roles:
                        platform.access.store.add_grant(ADMIN, name, role, region)
                _key, secret = ApiKeys(platform.engine).create(
                    "officer", "gis client", ["enterprise:read", "region_boundary:read"], "test"
                )
        finally:
            platform.dispose()
    return {"firms": firms, "hazard": hazard, "dangers": dangers, "boundaries": boundaries, "key": secret}


@pytest.fixture
def county(settings: Any, anjian_templates: Any, clock: ManualClock) -> Any:
    """``{"platform", "app", "client", "firms", "hazard", "dangers", "boundaries", "key"}``."""
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    built = anjian_templates.prepare("gis-county", settings, _build)
    clock.set(START)
    platform = Platform(settings)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    yield {"platform": platform, "app": app, "client": app.test_client(), **built}
    platform.dispose()


@pytest.fixture
def token_of(county: Any) -> Any:
    def token(user: str) -> dict[str, str]:
        response = county["client"].post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    return token
