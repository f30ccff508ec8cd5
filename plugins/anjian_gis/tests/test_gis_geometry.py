"""Geometry checks and datum conversion, without a database."""

from __future__ import annotations

import pytest
from anjian_gis.geometry import (
    CHINA,
    BBox,
    bbox_of,
    bd09_to_wgs84,
    check_geometry,
    convert_geometry,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_gcj02,
)

ANXI = BBox(117.6, 24.8, 118.4, 25.5)


def ring(*points: tuple[float, float]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}


def test_valid_point_line_and_polygon_pass() -> None:
    assert check_geometry({"type": "Point", "coordinates": [118.18, 25.05]}, "point", ANXI) is None
    assert check_geometry({"type": "LineString", "coordinates": [[118.1, 25.0], [118.2, 25.1]]}, "line", ANXI) is None
    assert check_geometry(ring((118.1, 25.0), (118.2, 25.0), (118.2, 25.1), (118.1, 25.0)), "polygon", ANXI) is None


@pytest.mark.parametrize(
    ("value", "kind", "code"),
    [
        ({"type": "Point", "coordinates": [25.05, 118.18]}, "point", "geometry.swapped"),  # lat/lon typed the wrong way round
        ({"type": "Point", "coordinates": [2.35, 48.85]}, "point", "geometry.outside"),  # Paris
        ({"type": "Point", "coordinates": [200, 25]}, "point", "geometry.range"),
        ({"type": "Point", "coordinates": ["118", 25]}, "point", "geometry.coordinates"),
        ({"type": "LineString", "coordinates": [[118.1, 25.0]]}, "line", "geometry.coordinates"),
        ({"type": "Point", "coordinates": [118.1, 25.0]}, "polygon", "geometry.type"),
        ("118.1,25.0", "point", "geometry.type"),
        (ring((118.1, 25.0), (118.2, 25.0), (118.2, 25.1), (118.15, 25.12)), "polygon", "geometry.ring_open"),
        (ring((118.1, 25.0), (118.2, 25.0), (118.1, 25.0)), "polygon", "geometry.ring_size"),
        # a bow tie: the edges (0,0)-(1,1) and (1,0)-(0,1) cross
        (
            ring((118.1, 25.0), (118.2, 25.1), (118.2, 25.0), (118.1, 25.1), (118.1, 25.0)),
            "polygon",
            "geometry.self_intersection",
        ),
    ],
)
def test_bad_geometries_are_named(value: object, kind: str, code: str) -> None:
    problem = check_geometry(value, kind, ANXI)
    assert problem is not None and problem.code == code, problem
    assert problem.message  # a Chinese sentence for the form


def test_outside_the_deployment_but_inside_china() -> None:
    beijing = {"type": "Point", "coordinates": [116.4, 39.9]}
    assert check_geometry(beijing, "point", CHINA) is None
    problem = check_geometry(beijing, "point", ANXI)
    assert problem is not None and problem.code == "geometry.outside" and "辖区" in problem.message


def test_gcj02_round_trip_and_offset() -> None:
    lon, lat = 118.186, 25.056
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 0.002 < abs(glon - lon) + abs(glat - lat) < 0.02  # hundreds of metres
    back = gcj02_to_wgs84(glon, glat)
    assert abs(back[0] - lon) < 1e-6 and abs(back[1] - lat) < 1e-6


def test_bd09_and_geometry_conversion() -> None:
    glon, glat = wgs84_to_gcj02(118.186, 25.056)
    blon, blat = gcj02_to_bd09(glon, glat)
    assert 0.005 < abs(blon - glon) < 0.01  # 百度 adds about 0.0065 degrees on top of GCJ-02
    lon, lat = bd09_to_wgs84(blon, blat)
    assert abs(lon - 118.186) < 1e-5 and abs(lat - 25.056) < 1e-5
    converted = convert_geometry({"type": "Point", "coordinates": [glon, glat]}, "gcj02")
    assert converted["coordinates"] == pytest.approx([118.186, 25.056], abs=1e-6)
    assert convert_geometry({"type": "Point", "coordinates": [1, 2]}, "cgcs2000")["coordinates"] == [1, 2]


def test_bbox_of() -> None:
    box = bbox_of(ring((118.1, 25.0), (118.3, 25.0), (118.2, 25.2), (118.1, 25.0)))
    assert box == BBox(118.1, 25.0, 118.3, 25.2)
    assert bbox_of(None) is None
