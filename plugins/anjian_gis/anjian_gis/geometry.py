"""GeoJSON geometries of metadata fields: checks with field errors, datum conversion, bounding boxes.

Coordinates are stored in CGCS2000 (EPSG:4490), which the platform treats as WGS 84 (they differ by
centimetres). Consumer maps in China hand out GCJ-02 (高德, 腾讯) or BD-09 (百度) coordinates, offset by
hundreds of metres; a field that declares ``input_crs`` gets them converted on input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHINA",
    "KINDS",
    "BBox",
    "GeometryProblem",
    "bbox_of",
    "bd09_to_wgs84",
    "check_geometry",
    "convert_geometry",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geometry_options",
    "wgs84_to_gcj02",
]

KINDS = {"point": ("Point",), "line": ("LineString",), "polygon": ("Polygon",)}
MAX_VERTICES = 20_000


@dataclass(frozen=True)
class BBox:
    """A lon/lat box (min x, min y, max x, max y)."""

    minx: float
    miny: float
    maxx: float
    maxy: float

    def contains(self, x: float, y: float) -> bool:
        return self.minx <= x <= self.maxx and self.miny <= y <= self.maxy

    def as_list(self) -> list[float]:
        return [self.minx, self.miny, self.maxx, self.maxy]


CHINA = BBox(73.5, 3.8, 135.1, 53.6)


@dataclass(frozen=True)
class GeometryProblem:
    """What is wrong with a geometry: a Chinese sentence and a machine code (FieldError's ``code``)."""

    message: str
    code: str


def geometry_options(field: Any) -> dict[str, Any] | None:
    """The ``x-anjian.geometry`` declaration of a field, or None for other fields."""
    options = (getattr(field, "schema_", None) or {}).get("x-anjian") or {}
    found = options.get("geometry")
    return dict(found) if isinstance(found, dict) else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _position(value: Any) -> bool:
    return isinstance(value, list) and len(value) in (2, 3) and all(_number(v) for v in value)


def _positions(geometry: dict[str, Any]) -> list[list[float]]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [coords]
    if kind == "LineString":
        return list(coords)
    return [p for ring in coords for p in ring]


def check_geometry(value: Any, kind: str, area: BBox = CHINA) -> GeometryProblem | None:
    """The first problem of ``value`` as a geometry of ``kind``, or None when it is fine."""
    allowed = KINDS[kind]
    if not isinstance(value, dict) or value.get("type") not in allowed:
        return GeometryProblem(f"应为 GeoJSON {allowed[0]} 几何，如 {_example(kind)}", "geometry.type")
    coords: Any = value.get("coordinates")
    shape = _shape_problem(allowed[0], coords)
    if shape:
        return shape
    points = _positions(value)
    if len(points) > MAX_VERTICES:
        return GeometryProblem(f"顶点过多（{len(points)} 个，最多 {MAX_VERTICES} 个）", "geometry.size")
    for x, y, *_ in points:
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            if -90 <= x <= 90 and -180 <= y <= 180:
                return GeometryProblem(f"坐标 ({x}, {y}) 超出范围：经纬度可能填反了，应为 [经度, 纬度]", "geometry.swapped")
            return GeometryProblem(f"坐标 ({x}, {y}) 超出经纬度范围（经度 -180～180，纬度 -90～90）", "geometry.range")
        if not area.contains(x, y):
            if area.contains(y, x):
                return GeometryProblem(f"坐标 ({x}, {y}) 不在本辖区内：经纬度可能填反了，应为 [经度, 纬度]", "geometry.swapped")
            where = "中国境内" if area == CHINA else "本系统的辖区范围"
            return GeometryProblem(
                f"坐标 ({x}, {y}) 不在{where}（经度 {area.minx}～{area.maxx}，纬度 {area.miny}～{area.maxy}）", "geometry.outside"
            )
    if allowed[0] == "Polygon":
        for ring in coords:
            if _self_intersects(ring):
                return GeometryProblem("多边形的边自相交，请按顺序重新绘制各顶点", "geometry.self_intersection")
    return None


def _example(kind: str) -> str:
    return {
        "point": '{"type": "Point", "coordinates": [117.9, 25.1]}',
        "line": '{"type": "LineString", "coordinates": [[117.9, 25.1], [118.0, 25.2]]}',
        "polygon": '{"type": "Polygon", "coordinates": [[[117.9, 25.1], [118.0, 25.1], [118.0, 25.2], [117.9, 25.1]]]}',
    }[kind]


def _shape_problem(kind: str, coords: Any) -> GeometryProblem | None:
    if kind == "Point":
        return None if _position(coords) else GeometryProblem("点的坐标应为 [经度, 纬度] 两个数", "geometry.coordinates")
    if kind == "LineString":
        if not isinstance(coords, list) or len(coords) < 2 or not all(_position(p) for p in coords):
            return GeometryProblem("线应至少有两个顶点，每个为 [经度, 纬度]", "geometry.coordinates")
        return None
    if not isinstance(coords, list) or not coords:
        return GeometryProblem("多边形应为由环组成的数组，外环在前", "geometry.coordinates")
    for ring in coords:
        if not isinstance(ring, list) or not all(_position(p) for p in ring):
            return GeometryProblem("多边形的每个环应为 [经度, 纬度] 顶点的数组", "geometry.coordinates")
        if len(ring) < 4:
            return GeometryProblem("多边形的环至少需要 4 个顶点（首尾相同）", "geometry.ring_size")
        if ring[0][:2] != ring[-1][:2]:
            return GeometryProblem("多边形未闭合：最后一个顶点应与第一个顶点相同", "geometry.ring_open")
    return None


def _orientation(a: Sequence[float], b: Sequence[float], c: Sequence[float]) -> int:
    value = (b[1] - a[1]) * (c[0] - b[0]) - (b[0] - a[0]) * (c[1] - b[1])
    return 0 if abs(value) < 1e-15 else (1 if value > 0 else 2)


def _on_segment(a: Sequence[float], b: Sequence[float], c: Sequence[float]) -> bool:
    return min(a[0], c[0]) <= b[0] <= max(a[0], c[0]) and min(a[1], c[1]) <= b[1] <= max(a[1], c[1])


def _segments_cross(p1: Sequence[float], q1: Sequence[float], p2: Sequence[float], q2: Sequence[float]) -> bool:
    o1, o2, o3, o4 = _orientation(p1, q1, p2), _orientation(p1, q1, q2), _orientation(p2, q2, p1), _orientation(p2, q2, q1)
    if o1 != o2 and o3 != o4:
        return True
    return (
        (o1 == 0 and _on_segment(p1, p2, q1))
        or (o2 == 0 and _on_segment(p1, q2, q1))
        or (o3 == 0 and _on_segment(p2, p1, q2))
        or (o4 == 0 and _on_segment(p2, q1, q2))
    )


def _self_intersects(ring: list[list[float]]) -> bool:
    """Whether two non-adjacent edges of a closed ring touch (a sweep over x keeps it near n log n)."""
    edges = [(ring[i], ring[i + 1]) for i in range(len(ring) - 1)]
    count = len(edges)
    order = sorted(range(count), key=lambda i: min(edges[i][0][0], edges[i][1][0]))
    active: list[int] = []
    for i in order:
        a, b = edges[i]
        left = min(a[0], b[0])
        active = [j for j in active if max(edges[j][0][0], edges[j][1][0]) >= left]
        for j in active:
            if abs(i - j) in (1, count - 1):
                continue  # neighbours share a vertex by construction
            if _segments_cross(a, b, edges[j][0], edges[j][1]):
                return True
        active.append(i)
    return False


def bbox_of(geometry: Any) -> BBox | None:
    """The bounding box of a (valid) geometry; None when there is none."""
    if not isinstance(geometry, dict) or "coordinates" not in geometry:
        return None
    try:
        points = _positions(geometry)
    except (KeyError, TypeError):
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return BBox(min(xs), min(ys), max(xs), max(ys)) if xs else None


# ---- GCJ-02 / BD-09 (the published conversion; accurate to about a metre inside China) ------------

_A = 6378245.0
_EE = 0.00669342162296594323


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 to GCJ-02 (the datum every consumer map in mainland China uses)."""
    if not CHINA.contains(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 back to WGS 84 by fixed-point iteration (the forward offset is smooth; 5 steps give < 1 cm)."""
    x, y = lon, lat
    for _ in range(5):
        gx, gy = wgs84_to_gcj02(x, y)
        x, y = x - (gx - lon), y - (gy - lat)
    return x, y


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 to BD-09 (百度's further offset)."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * math.pi * 3000.0 / 180.0)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * math.pi * 3000.0 / 180.0)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 (百度) to WGS 84, through GCJ-02."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * math.pi * 3000.0 / 180.0)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * math.pi * 3000.0 / 180.0)
    return gcj02_to_wgs84(z * math.cos(theta), z * math.sin(theta))


_CONVERTERS = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def convert_geometry(geometry: dict[str, Any], input_crs: str) -> dict[str, Any]:
    """The geometry with every position converted from ``input_crs`` to CGCS2000/WGS 84 (rounded to 1e-7°)."""
    convert = _CONVERTERS.get(input_crs)
    if convert is None:
        return geometry

    def point(p: list[float]) -> list[float]:
        x, y = convert(p[0], p[1])
        return [round(x, 7), round(y, 7), *p[2:]]

    def walk(coords: Any) -> Any:
        return point(coords) if _position(coords) else [walk(c) for c in coords]

    return {**geometry, "coordinates": walk(geometry["coordinates"])}


def union(boxes: Iterable[BBox]) -> BBox | None:
    """The box around all ``boxes`` (None for none)."""
    items = list(boxes)
    if not items:
        return None
    return BBox(min(b.minx for b in items), min(b.miny for b in items), max(b.maxx for b in items), max(b.maxy for b in items))
