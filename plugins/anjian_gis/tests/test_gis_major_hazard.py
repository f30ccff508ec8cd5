"""The major hazard register (重大危险源台账) is a layer by grade: its location field, its old
coordinates migrated, a county officer sees only their county's units, 一张图 lists it with 一级…四级."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from gis_county import ADMIN, OTHER, PASSWORD, TOWN, point
from sqlalchemy import select


def unit(firm: int, region: str, **extra: Any) -> dict[str, Any]:
    return {
        "enterprise_id": firm,
        "region_code": region,
        "name": "液氨储罐区",
        "unit_kind": "storage",
        "people_nearby": 60,
        "chemicals": [{"chemical": "7664-41-7", "quantity": 150}],
        **extra,
    }


def test_register_entries_are_a_layer_by_grade_within_the_scope(county: Any, token_of: Any) -> None:
    platform, client = county["platform"], county["client"]
    anxi = platform.records.create(
        "major_hazard_source", unit(county["firms"]["anxi"][0], TOWN, position=point(118.187, 25.057)), ADMIN
    )
    xiamen = platform.records.create(
        "major_hazard_source", unit(county["firms"]["xiamen"][0], OTHER, position=point(118.09, 24.48)), ADMIN
    )
    assert anxi["grade"] in {"level_1", "level_2", "level_3", "level_4"}
    officer = token_of("officer")
    found = client.get("/ogc/collections/major_hazard_source/items?f=json&bbox=117,24,119,26", headers=officer)
    features = found.get_json()["features"]
    assert [f["id"] for f in features] == [anxi["id"]]  # 思明区's unit is outside the officer's county
    assert features[0]["geometry"] == point(118.187, 25.057) and features[0]["properties"]["grade"] == anxi["grade"]
    stranger = client.get("/ogc/collections/major_hazard_source/items?f=json", headers=token_of("stranger")).get_json()
    assert [f["id"] for f in stranger["features"]] == [xiamen["id"]]


def test_one_map_shows_the_register_with_grade_labels(county: Any) -> None:
    from anjian_gis.layers import platform_layers
    from anjian_gis.styles import colour_of, legend

    layer = platform_layers(county["platform"])["major_hazard_source"]
    assert layer.kind == "point" and layer.geometry_field == "position"
    labels = {item["value"]: item["label"] for item in legend(layer)}
    assert labels == {"level_1": "一级", "level_2": "二级", "level_3": "三级", "level_4": "四级"}
    assert colour_of("major_hazard_source", "level_1") != colour_of("major_hazard_source", "level_4")
    client = county["client"]
    client.post("/login/", data={"username": "officer", "password": PASSWORD})
    page = client.get("/gis/").get_data(as_text=True)
    assert "重大危险源" in page and "四级" in page


def test_migrate_lonlat_fills_the_units_location(county: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from anjian_gis.commands import gis

    import anjian.cli._context as context

    platform = county["platform"]
    monkeypatch.setattr(context, "command_platform", lambda init_db=False: platform)
    old = platform.records.create(
        "major_hazard_source", unit(county["firms"]["anxi"][1], TOWN, longitude=118.03, latitude=25.15), ADMIN
    )
    moved = CliRunner().invoke(gis, ["migrate-lonlat", "--entity", "major_hazard_source"])
    assert moved.exit_code == 0, moved.output
    assert "major_hazard_source: 迁移 1 条" in moved.output
    table = platform.registry.table("major_hazard_source")
    with platform.engine.connect() as conn:
        assert conn.execute(select(table.c.position).where(table.c.id == old["id"])).scalar_one() == point(118.03, 25.15)
