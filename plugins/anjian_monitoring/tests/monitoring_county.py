"""Fixtures and helpers of the monitoring tests: a county with monitored enterprises (points,
enterprise users with API keys) and officers.

安溪县 (350524) has two enterprises with points; 思明区 (350203) has one, and an officer each.
Built once per session (anjian.testing.templates) and copied for each test; the clock stands at
START until a test turns it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from anjian import Actor
from anjian.store.clock import use_clock
from anjian.testing.clock import ManualClock
from anjian.testing.plugin import TEST_APP_CONFIG

ADMIN = Actor("admin", is_admin=True)
PASSWORD = "Monitor-pass-1"
TOWN = "350524100000"  # 凤城镇, 安溪县
OTHER = "350203"  # 思明区, 厦门
START = dt.datetime(2026, 3, 2, 2, 0)  # UTC; 10:00 in 安溪
POINTS = {  # code -> (firm index, kind, unit, thresholds and options)
    "A-T1": (0, "temperature", "℃", {"low": 10, "high": 60, "high_high": 80, "deadband": 2}),
    "A-P1": (0, "pressure", "MPa", {"high": 1.6, "rate_limit": 0.5}),
    "A-L1": (0, "liquid_level", "m", {"low_low": 0.5, "min_duration": 60, "offline_after": 120}),
    "B-T1": (1, "temperature", "℃", {"high": 60}),
    "X-G1": (2, "flammable_gas", "%LEL", {"high": 25, "high_high": 50}),
}
USERS = {  # name -> (type, region, firm index, roles)
    "ent": ("enterprise", TOWN, 0, ["monitoring_enterprise"]),
    "ent_b": ("enterprise", TOWN, 1, ["monitoring_enterprise"]),
    "officer": ("agency", "350524", None, ["monitoring_officer"]),
    "stranger": ("agency", OTHER, None, ["monitoring_officer"]),
}


@pytest.fixture
def enabled_plugins() -> tuple[str, ...]:
    return ("monitoring",)


def _build(settings: Any) -> dict[str, Any]:
    import random

    from anjian.auth.apikeys import ApiKeys
    from anjian.demo import credit_code
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    with use_clock(ManualClock(START)):
        platform = Platform(settings)
        try:
            platform.init_db()
            platform.publish()
            rng = random.Random(11)
            firms = []
            for n, region in enumerate((TOWN, TOWN, OTHER)):
                body = {
                    "name": f"监测测试{n}化工有限公司",
                    "credit_code": credit_code(rng),
                    "region_code": region,
                    "industry": "C",
                }
                firms.append(platform.records.create("enterprise", body, ADMIN)["id"])
            objects = [
                platform.records.create(
                    "monitored_object",
                    {"enterprise_id": firm, "region_code": region, "name": f"{n}号罐区", "kind": "tank_farm"},
                    ADMIN,
                )["id"]
                for n, (firm, region) in enumerate(zip(firms, (TOWN, TOWN, OTHER), strict=True))
            ]
            points = {}
            for code, (firm, kind, unit, options) in POINTS.items():
                region = OTHER if firm == 2 else TOWN
                body = {
                    "code": code,
                    "name": f"{code} 监测",
                    "object_id": objects[firm],
                    "enterprise_id": firms[firm],
                    "region_code": region,
                    "kind": kind,
                    "unit": unit,
                    **options,
                }
                points[code] = platform.records.create("monitoring_point", body, ADMIN)["id"]
            app = create_app(platform=platform, config=TEST_APP_CONFIG)
            keys = {}
            with app.app_context():
                sm = app.appbuilder.sm
                sm.create_db()
                app.appbuilder.add_permissions(update_perms=True)
                sm.add_user("admin", "系统", "管理员", "admin@example.org", sm.find_role(sm.auth_role_admin), password=PASSWORD)
                for name, (user_type, region, firm, roles) in USERS.items():
                    assert sm.add_user(
                        name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=PASSWORD
                    )
                    app.appbuilder.session.commit()
                    enterprise = firms[firm] if firm is not None else None
                    platform.access.store.save_account(ADMIN, name, user_type, region, enterprise_id=enterprise)
                    for role in roles:
                        platform.access.store.add_grant(ADMIN, name, role, region)
                for name in ("ent", "ent_b"):
                    _key, secret = ApiKeys(platform.engine).create(
                        name, "gateway", ["monitoring_point:report", "monitoring_point:read"], "test"
                    )
                    keys[name] = secret
        finally:
            platform.dispose()
    return {"firms": firms, "points": points, "keys": keys}


@pytest.fixture
def county(settings: Any, anjian_templates: Any, clock: ManualClock) -> Any:
    """``{"platform", "app", "client", "clock", "firms", "points", "keys"}`` of the monitored county."""
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    built = anjian_templates.prepare("monitoring-county", settings, _build)
    clock.set(START)
    platform = Platform(settings)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    yield {"platform": platform, "app": app, "client": app.test_client(), "clock": clock, **built}
    platform.dispose()


def iso(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).isoformat()


class Gateway:
    """Posts batches with an enterprise's API key (plain JSON or gzip)."""

    def __init__(self, client: Any, key: str) -> None:
        self.client, self.key = client, key

    def send(self, points: list[dict[str, Any]] | None = None, *, body: bytes | None = None, gzip_body: bool = False) -> Any:
        data = body if body is not None else json.dumps({"points": points}).encode()
        headers = {"Authorization": f"ApiKey {self.key}", "Content-Type": "application/json"}
        if gzip_body:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        return self.client.post("/api/v1/monitoring/ingest", data=data, headers=headers)


@pytest.fixture
def gateway(county: Any) -> Gateway:
    """Enterprise A's gateway."""
    return Gateway(county["client"], county["keys"]["ent"])


@pytest.fixture
def token_of(county: Any) -> Any:
    def token(user: str) -> dict[str, str]:
        response = county["client"].post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    return token


# ---- a real server on the county's database (slow and browser tests) ----------------------------


def server_env(settings: Any, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(
        ANJIAN_HOME=str(settings.home),
        ANJIAN_DATABASE_URL=settings.db_url,
        ANJIAN_SECRET_KEY=settings.secret_key,
        ANJIAN_PLUGINS=",".join(settings.plugins),
        ANJIAN_MFA_ADMIN="false",
        ANJIAN_DEMO_DATA="false",
        ANJIAN_PORT=str(port),
    )
    return env


def serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{env['ANJIAN_PORT']}/api/v1/openapi.json", timeout=2):
                return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")
