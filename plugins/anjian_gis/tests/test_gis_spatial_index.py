"""The spatial index: an R*Tree per layer on SQLite (PostGIS GiST or plain columns on PostgreSQL),
kept in step by every write through the record service, rebuilt by ``reindex``; box queries through
it give exactly what a full scan gives."""

from __future__ import annotations

import random
from typing import Any

import pytest
from gis_county import ADMIN, TOWN, point
from sqlalchemy import text

from anjian.store.db import write


def firm(n: int, lon: float, lat: float) -> dict[str, Any]:
    from anjian.demo import credit_code

    return {
        "name": f"索引测试{n}有限公司",
        "credit_code": credit_code(random.Random(1000 + n)),
        "region_code": TOWN,
        "industry": "C",
        "position": point(lon, lat),
    }


def inside(box: Any, lon: float, lat: float) -> bool:
    return box.minx <= lon <= box.maxx and box.miny <= lat <= box.maxy


@pytest.mark.postgres
def test_box_queries_through_the_index_match_a_full_scan(county: Any) -> None:
    from anjian_gis.geometry import BBox
    from anjian_gis.layers import Query, layers, read, reindex
    from anjian_gis.spatial import index_kind

    platform = county["platform"]
    rng = random.Random(3)
    placed: dict[int, tuple[float, float]] = {}
    for n in range(40):
        lon, lat = round(117.8 + rng.random() * 0.4, 5), round(24.9 + rng.random() * 0.4, 5)
        placed[platform.records.create("enterprise", firm(n, lon, lat), ADMIN)["id"]] = (lon, lat)
    counts = reindex(platform)
    assert counts["enterprise"] == 46  # the county's six and these forty
    with platform.engine.connect() as conn:
        kind = index_kind(platform.engine, conn, "enterprise")
        if platform.engine.dialect.name == "sqlite":
            assert kind == "rtree"
        else:
            available = conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
            assert kind == ("postgis" if available else "columns")
    layer = layers(platform.registry)["enterprise"]
    for _ in range(15):
        x, y = 117.8 + rng.random() * 0.4, 24.9 + rng.random() * 0.4
        box = BBox(round(x, 4), round(y, 4), round(x + rng.random() * 0.2, 4), round(y + rng.random() * 0.2, 4))
        found = {f["id"] for f in read(platform, ADMIN, layer, Query(bbox=box, limit=1000)).features if f["id"] in placed}
        assert found == {rid for rid, (lon, lat) in placed.items() if inside(box, lon, lat)}
    # a point exactly on the box's edge is inside (the R*Tree's rounded floats never decide alone)
    rid, (lon, lat) = next(iter(placed.items()))
    edge = BBox(lon, lat, lon + 0.01, lat + 0.01)
    assert rid in {f["id"] for f in read(platform, ADMIN, layer, Query(bbox=edge, limit=1000)).features}


def test_every_write_keeps_the_rtree_in_step(county: Any) -> None:
    from anjian_gis.geometry import BBox
    from anjian_gis.spatial import candidates, rtree_name

    platform = county["platform"]  # not marked postgres: the R*Tree is SQLite's (PostGIS has its own test)
    here, there = BBox(118.0, 25.0, 118.01, 25.01), BBox(118.2, 25.2, 118.21, 25.21)

    def near(box: BBox) -> list[int]:
        with platform.engine.connect() as conn:
            return candidates(conn, "enterprise", box)

    created = platform.records.create("enterprise", firm(1, 118.005, 25.005), ADMIN)["id"]
    assert created in near(here)
    platform.records.update("enterprise", created, {"position": point(118.205, 25.205)}, ADMIN, partial=True)
    assert created not in near(here) and created in near(there)
    platform.records.delete("enterprise", created, ADMIN)
    assert created not in near(there)
    # an index lost (or a database from before it): the next write builds it whole from gis_bbox
    with write(platform.engine) as conn, conn.begin():
        conn.execute(text(f"DROP TABLE {rtree_name('enterprise')}"))
    again = platform.records.create("enterprise", firm(2, 118.006, 25.006), ADMIN)["id"]
    everything = BBox(117.0, 24.0, 119.0, 26.0)
    assert set(near(everything)) == {*county["firms"]["anxi"], *county["firms"]["xiamen"], again}


@pytest.mark.postgres
def test_features_the_database_writes_equal_the_ones_python_builds(county: Any) -> None:
    """``read_json`` (SQLite json_object / PostgreSQL json_build_object) against ``read``: dates, date-times, booleans, nulls."""
    import json

    from anjian_gis.layers import Query, layers, read, read_json
    from anjian_gis.sqljson import MAX_JSON_PROPERTIES

    platform = county["platform"]
    body = {
        "region_code": TOWN,
        "unit_name": "凤城镇某建材厂",
        "occurred_at": "2026-03-01T10:00:00.250000+08:00",
        "account": "搅拌机检修时未断电，检修工手臂被卷入受伤。",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 20.5,
        "position": point(118.19, 25.06),
    }
    platform.records.create("accident_report", body, ADMIN)
    checked = 0
    for layer in layers(platform.registry).values():
        if len(layer.property_fields(False)) > MAX_JSON_PROPERTIES:
            continue
        for actor in (ADMIN, None):
            query = Query(limit=100)
            texts, matched = read_json(platform, actor, layer, query)
            expected = read(platform, actor, layer, query)
            assert matched == expected.matched
            built = [json.loads(t) for t in texts]
            assert built == [{**f, "geometry": f["geometry"]} for f in expected.features], layer.id
            checked += len(built)
    assert checked >= 10
