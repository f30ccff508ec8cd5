"""Geometry fields on the write path (field errors, datum conversion, the box index), the form
widget, 一张图, and the commands."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from gis_county import ADMIN, TOWN, point
from sqlalchemy import select

from anjian.errors import RecordValidationError


def enterprise(county: Any, **extra: Any) -> dict[str, Any]:
    import random

    from anjian.demo import credit_code

    return {
        "name": "新建测试化工有限公司",
        "credit_code": credit_code(random.Random(99)),
        "region_code": TOWN,
        "industry": "C",
        **extra,
    }


def indexed(county: Any, entity: str, record_id: int) -> Any:
    from anjian_gis.tables import bbox_index

    with county["platform"].engine.connect() as conn:
        return conn.execute(
            select(bbox_index.c.minx, bbox_index.c.miny).where(bbox_index.c.entity == entity, bbox_index.c.record_id == record_id)
        ).one_or_none()


def test_api_refuses_bad_geometry_with_field_errors(county: Any, token_of: Any) -> None:
    client, admin = county["client"], token_of("admin")
    swapped = client.post("/api/v1/e/enterprise", json=enterprise(county, position=point(25.05, 118.18)), headers=admin)
    assert swapped.status_code == 422
    errors = swapped.get_json()["error"]["errors"]
    assert errors == [{"pointer": "/position", "message": errors[0]["message"], "code": "geometry.swapped"}]
    assert "填反" in errors[0]["message"]
    paris = client.post("/api/v1/e/enterprise", json=enterprise(county, position=point(2.35, 48.85)), headers=admin)
    assert paris.status_code == 422 and paris.get_json()["error"]["errors"][0]["code"] == "geometry.outside"
    open_ring = {"type": "Polygon", "coordinates": [[[118.1, 25.0], [118.2, 25.0], [118.2, 25.1], [118.1, 25.1]]]}
    body = {"region_code": TOWN, "name": "测试", "boundary": open_ring}
    refused = client.post("/api/v1/e/region_boundary", json=body, headers=admin)
    assert refused.status_code == 422 and refused.get_json()["error"]["errors"][0]["code"] == "geometry.ring_open"


def test_the_deployments_area_is_a_setting(county: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANJIAN_GIS_AREA", "117.6,24.8,118.4,25.5")  # 安溪县 only
    with pytest.raises(RecordValidationError) as caught:
        county["platform"].records.create("enterprise", enterprise(county, position=point(116.4, 39.9)), ADMIN)
    assert caught.value.errors[0].code == "geometry.outside" and "辖区" in caught.value.errors[0].message


def test_index_follows_create_update_and_delete(county: Any) -> None:
    records = county["platform"].records
    created = records.create("enterprise", enterprise(county, position=point(118.1, 25.1)), ADMIN)
    assert indexed(county, "enterprise", created["id"]) == (118.1, 25.1)
    records.update("enterprise", created["id"], {"position": point(118.2, 25.2)}, ADMIN, partial=True)
    assert indexed(county, "enterprise", created["id"]) == (118.2, 25.2)
    records.delete("enterprise", created["id"], ADMIN)
    assert indexed(county, "enterprise", created["id"]) is None


def test_gcj02_input_is_converted_once(county: Any) -> None:
    from anjian_gis.geometry import wgs84_to_gcj02
    from anjian_gis.records import normalise

    spec = county["platform"].registry.entity("enterprise")
    position = spec.by_name["position"]
    options = {"widget": "map", "geometry": {"kind": "point", "input_crs": "gcj02"}}
    declared = SimpleNamespace(
        column_fields=(position.model_copy(update={"schema_": {**position.schema_, "x-anjian": options}}),)
    )
    glon, glat = wgs84_to_gcj02(118.186, 25.056)
    changed = normalise(declared, {"position": point(glon, glat)}, None)
    assert changed["position"]["coordinates"] == pytest.approx([118.186, 25.056], abs=1e-6)
    stored = {"position": changed["position"]}
    assert normalise(declared, stored, stored) == {}  # an unchanged stored value is not shifted again
    assert normalise(spec, {"position": point(glon, glat)}, None) == {}  # undeclared: taken as CGCS2000


def test_form_shows_the_map_widget_and_saves_a_point(county: Any) -> None:
    from gis_county import PASSWORD

    client = county["client"]
    client.post("/login/", data={"username": "admin", "password": PASSWORD})
    form = client.get("/e/enterprise/new")
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'class="anjian-map-field" data-kind="point"' in html and "vendor/leaflet-1.9.4/leaflet.js" in html
    with client.get("/e/_static/vendor/leaflet-1.9.4/leaflet.js") as script:
        assert script.status_code == 200


def test_one_map_page_lists_the_users_layers(county: Any) -> None:
    from gis_county import PASSWORD

    client = county["client"]
    client.post("/login/", data={"username": "officer", "password": PASSWORD})
    page = client.get("/gis/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "一张图" in html
    layers = json.loads(html.split('data-layers="', 1)[1].split('"', 1)[0].replace("&#34;", '"').replace("&amp;", "&"))
    assert {layer["id"] for layer in layers} == {
        "enterprise",
        "hazard_source_filing",
        "hidden_danger",
        "accident_report",
        "major_hazard_source",
        "region_boundary",
    }
    danger = next(layer for layer in layers if layer["id"] == "hidden_danger")
    assert danger["open_field"] == "closed_on" and danger["detail"].endswith("/{id}")
    with client.get("/gis/static/gis-map.js") as script:
        assert script.status_code == 200
    anonymous = county["app"].test_client().get("/gis/")
    assert anonymous.status_code in (302, 303)  # the screen needs a login; the public uses /ogc/


def test_import_boundaries_and_migrate_lonlat(county: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from anjian_gis.commands import gis

    import anjian.cli._context as context

    platform = county["platform"]
    monkeypatch.setattr(context, "command_platform", lambda init_db=False: platform)
    ring = [[117.9, 25.1], [118.0, 25.1], [118.0, 25.2], [117.9, 25.2], [117.9, 25.1]]
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "350524101000", "name": "蓬莱镇"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            },
            {
                "type": "Feature",
                "properties": {"code": "350524102000", "name": "坏数据"},
                "geometry": {"type": "Polygon", "coordinates": [ring[:-1]]},
            },
        ],
    }
    source = tmp_path / "towns.geojson"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(gis, ["import-boundaries", str(source)])
    assert result.exit_code == 0, result.output
    assert "新增 1，更新 0，未导入 1" in result.output and "ring_open" not in result.output and "未闭合" in result.output
    again = CliRunner().invoke(gis, ["import-boundaries", str(source)])
    assert "新增 0，更新 1" in again.output

    firm = platform.records.create("enterprise", enterprise(county, longitude=118.05, latitude=25.15), ADMIN)
    moved = CliRunner().invoke(gis, ["migrate-lonlat"])
    assert moved.exit_code == 0 and "迁移 1 条" in moved.output
    table = platform.registry.table("enterprise")
    with platform.engine.connect() as conn:
        assert conn.execute(select(table.c.position).where(table.c.id == firm["id"])).scalar_one() == point(118.05, 25.15)
    assert indexed(county, "enterprise", firm["id"]) == (118.05, 25.15)
    rebuilt = CliRunner().invoke(gis, ["reindex"])
    assert "enterprise: 7" in rebuilt.output
