"""Server-side map drawing for WMS GetMap: Pillow, transparent PNG, EPSG:4326/4490/CRS:84/3857."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

__all__ = ["MERCATOR_CRS", "Frame", "draw_png", "mercator_to_lonlat"]

MERCATOR_CRS = ("EPSG:3857", "EPSG:900913")
_R = 6378137.0


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x / _R), math.degrees(2 * math.atan(math.exp(y / _R)) - math.pi / 2)


def _lat_to_y(lat: float) -> float:
    lat = max(min(lat, 85.0511), -85.0511)
    return _R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


@dataclass(frozen=True)
class Frame:
    """The requested view: the box in the request's CRS (x = east, y = north) and the image size."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    width: int
    height: int
    mercator: bool

    def to_pixel(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = (math.radians(lon) * _R, _lat_to_y(lat)) if self.mercator else (lon, lat)
        return (
            (x - self.minx) / (self.maxx - self.minx) * self.width,
            (self.maxy - y) / (self.maxy - self.miny) * self.height,
        )

    def to_lonlat(self, px: float, py: float) -> tuple[float, float]:
        x = self.minx + px / self.width * (self.maxx - self.minx)
        y = self.maxy - py / self.height * (self.maxy - self.miny)
        return mercator_to_lonlat(x, y) if self.mercator else (x, y)

    def lonlat_box(self) -> tuple[float, float, float, float]:
        if not self.mercator:
            return self.minx, self.miny, self.maxx, self.maxy
        x0, y0 = mercator_to_lonlat(self.minx, self.miny)
        x1, y1 = mercator_to_lonlat(self.maxx, self.maxy)
        return x0, y0, x1, y1


def _rgba(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), alpha


def draw_png(frame: Frame, features: Iterable[tuple[dict[str, Any], str]], transparent: bool = True) -> bytes:
    """The PNG of ``features`` (geometry, colour) drawn in ``frame``: polygons filled, lines, then points on top."""
    image = Image.new("RGBA", (frame.width, frame.height), (255, 255, 255, 0 if transparent else 255))
    draw = ImageDraw.Draw(image, "RGBA")
    points: list[tuple[float, float, str]] = []
    for geometry, colour in features:
        kind: Any = geometry.get("type")
        coords: Any = geometry.get("coordinates")
        if kind == "Point":
            x, y = frame.to_pixel(coords[0], coords[1])
            points.append((x, y, colour))
        elif kind == "LineString":
            draw.line([frame.to_pixel(p[0], p[1]) for p in coords], fill=_rgba(colour), width=2)
        elif kind == "Polygon":
            for n, ring in enumerate(coords):
                pixels = [frame.to_pixel(p[0], p[1]) for p in ring]
                draw.polygon(pixels, fill=_rgba(colour, 40) if n == 0 else None, outline=_rgba(colour))
    for x, y, colour in points:
        if -5 <= x <= frame.width + 5 and -5 <= y <= frame.height + 5:
            draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=_rgba(colour), outline=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
