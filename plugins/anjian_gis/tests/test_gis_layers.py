"""Which layers exist: accidents (事故报送 with its location, old coordinates migrated), no alarm layer
while the monitoring plugin is off, and anonymous properties from the entity's public projection."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from gis_county import ADMIN, PASSWORD, TOWN, point
from sqlalchemy import select


def admin_headers(county: Any) -> dict[str, str]:
    client = county["client"]
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def accident(**extra: Any) -> dict[str, Any]:
    return {
        "region_code": TOWN,
        "unit_name": "凤城镇某建材厂",
        "occurred_at": "2026-03-01T10:00:00+08:00",
        "address": "搅拌站",
        "account": "搅拌机检修时未断电，检修工手臂被卷入受伤。",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 20,
        **extra,
    }


def test_accidents_are_a_layer_coloured_by_grade(county: Any) -> None:
    platform, client = county["platform"], county["client"]
    created = platform.records.create("accident_report", accident(position=point(118.19, 25.06)), ADMIN)
    headers = admin_headers(county)
    ids = {c["id"] for c in client.get("/ogc/collections?f=json", headers=headers).get_json()["collections"]}
    assert "accident_report" in ids and "monitoring_alarm" not in ids  # no monitoring plugin in this county
    found = client.get("/ogc/collections/accident_report/items?f=json&bbox=118.18,25.05,118.2,25.07", headers=headers)
    features = found.get_json()["features"]
    assert [f["id"] for f in features] == [created["id"]]
    assert features[0]["geometry"] == point(118.19, 25.06) and features[0]["properties"]["grade"] == "general"


def test_one_map_lists_the_accident_layer(county: Any) -> None:
    from anjian_gis.layers import platform_layers
    from anjian_gis.styles import legend

    found = platform_layers(county["platform"])
    assert "monitoring_alarm" not in found
    labels = {item["value"]: item["label"] for item in legend(found["accident_report"])}
    assert labels["general"] == "一般事故" and labels["especially_major"] == "特别重大事故"
    client = county["client"]
    client.post("/login/", data={"username": "officer", "password": PASSWORD})
    page = client.get("/gis/")
    assert page.status_code == 200 and "事故报送" in page.get_data(as_text=True)


def test_migrate_lonlat_fills_the_accidents_location(county: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from anjian_gis.commands import gis

    import anjian.cli._context as context

    platform = county["platform"]
    monkeypatch.setattr(context, "command_platform", lambda init_db=False: platform)
    old = platform.records.create("accident_report", accident(longitude=118.05, latitude=25.15), ADMIN)
    moved = CliRunner().invoke(gis, ["migrate-lonlat", "--entity", "accident_report"])
    assert moved.exit_code == 0, moved.output
    assert "accident_report: 迁移 1 条" in moved.output
    table = platform.registry.table("accident_report")
    with platform.engine.connect() as conn:
        assert conn.execute(select(table.c.position).where(table.c.id == old["id"])).scalar_one() == point(118.05, 25.15)
    wrong = CliRunner().invoke(gis, ["migrate-lonlat", "--entity", "region_boundary"])
    assert wrong.exit_code != 0 and "longitude" in wrong.output


def test_anonymous_properties_are_the_public_projection_with_its_masks() -> None:
    from anjian_gis.layers import Layer

    from anjian.meta.public import PublicProjection

    def field(name: str) -> Any:
        return SimpleNamespace(name=name, type="string", attachment=None, hidden=False)

    spec = SimpleNamespace(
        column_fields=[field("name"), field("contact_phone"), field("secret"), field("region_code")],
        public=PublicProjection(fields=("region_code", "name", "contact_phone"), mask={"contact_phone": "phone"}),
    )
    layer = Layer("x", "x", "", spec, "position", "point", None, True)
    assert [f.name for f in layer.property_fields(anonymous=True)] == ["region_code", "name", "contact_phone"]
    assert layer.masks(anonymous=True) == {"contact_phone": "phone"} and layer.masks(anonymous=False) == {}
    assert len(layer.property_fields(anonymous=False)) == 4
    hidden = Layer("y", "y", "", SimpleNamespace(column_fields=spec.column_fields, public=None), "position", "point", None, True)
    assert hidden.property_fields(anonymous=True) == []  # no projection declared: nothing but the geometry leaves


def test_anonymous_requests_are_rate_limited_per_address(county: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from anjian_gis.callers import AnonymousBudget

    platform, client = county["platform"], county["client"]
    monkeypatch.setattr("anjian_gis.callers.ANONYMOUS", AnonymousBudget())
    settings = platform.host.settings["gis"]
    monkeypatch.setitem(platform.host.settings, "gis", settings.model_copy(update={"anonymous_per_minute": 2}))
    paths = [
        "/ogc/collections?f=json",
        "/ogc/wfs?service=WFS&request=GetCapabilities",
        "/ogc/wms?service=WMS&request=GetCapabilities",
    ]
    answers = [client.get(path) for path in paths]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "过于频繁" in answers[2].get_data(as_text=True) and "ExceptionReport" in answers[2].get_data(as_text=True)
    limited = client.get("/ogc/collections/region_boundary/items?f=json")
    assert limited.status_code == 429 and limited.get_json()["code"] == "RequestRefused"
    assert client.get("/ogc/collections?f=json", headers=admin_headers(county)).status_code == 200  # signed callers are not
    budget = AnonymousBudget()
    assert [budget.spend("a", 1, now=0.0), budget.spend("a", 1, now=1.0), budget.spend("b", 1, now=1.0)] == [True, False, True]
    assert budget.spend("a", 1, now=61.0)  # a new minute
