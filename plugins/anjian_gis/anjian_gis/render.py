"""Server-side map drawing for WMS GetMap: Pillow, transparent PNG, EPSG:4326/4490/CRS:84/3857."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
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


RADIUS = 4


def _sprites(colours: Iterable[str], mode: str) -> dict[str, tuple[Any, Any]]:
    """One marker (filled disc, white rim) per colour, with its mask, for pasting by the C core."""
    made: dict[str, tuple[Any, Any]] = {}
    size = 2 * RADIUS + 1
    for n, colour in enumerate(colours):
        if mode == "P":
            marker = Image.new("P", (size, size), 0)
            ImageDraw.Draw(marker).ellipse((0, 0, size - 1, size - 1), fill=n + 2, outline=1)
            mask = marker.point(lambda v: 255 if v else 0, "L")
        else:
            marker = Image.new("RGBA", (size, size), (0, 0, 0, 0))
            ImageDraw.Draw(marker).ellipse((0, 0, size - 1, size - 1), fill=_rgba(colour), outline=(255, 255, 255, 255))
            mask = marker.getchannel("A")
        made[colour] = (marker.im, mask.im)
    return made


def _stamp(image: Any, frame: Frame, dots: Sequence[tuple[float, float, str]], sprites: dict[str, tuple[Any, Any]]) -> None:
    """Paste each dot's marker (the core's paste: no Python drawing per point; clipped at the edges)."""
    core, width, height, size = image.im, frame.width, frame.height, 2 * RADIUS + 1
    to_pixel = frame.to_pixel
    for lon, lat, colour in dots:
        x, y = to_pixel(lon, lat)
        left, top = int(round(x)) - RADIUS, int(round(y)) - RADIUS
        if left < -size or top < -size or left > width or top > height:
            continue
        marker, mask = sprites[colour]
        if 0 <= left and 0 <= top and left + size <= width and top + size <= height:
            core.paste(marker, (left, top, left + size, top + size), mask)
        else:  # a marker cut by the edge: crop it to the part inside
            x0, y0 = max(left, 0), max(top, 0)
            x1, y1 = min(left + size, width), min(top + size, height)
            if x0 >= x1 or y0 >= y1:
                continue
            crop = (x0 - left, y0 - top, x1 - left, y1 - top)
            core.paste(marker.crop(crop), (x0, y0, x1, y1), mask.crop(crop))


def draw_png(
    frame: Frame,
    features: Iterable[tuple[dict[str, Any], str]],
    transparent: bool = True,
    dots: Sequence[tuple[float, float, str]] = (),
) -> bytes:
    """The PNG of ``features`` (geometry, colour) and ``dots`` (lon, lat, colour) drawn in ``frame``.

    Polygons filled, lines, then points on top. A map of points only is drawn on a palette image
    (a quarter of the bytes to compress); markers are pasted by Pillow's core, not drawn one by one.
    """
    shapes = list(features)
    dots = [*dots, *((g["coordinates"][0], g["coordinates"][1], c) for g, c in shapes if g.get("type") == "Point")]
    shapes = [(g, c) for g, c in shapes if g.get("type") != "Point"]
    colours = sorted({c for _x, _y, c in dots})
    if not shapes and len(colours) <= 250:
        image = Image.new("P", (frame.width, frame.height), 0)
        palette = [255, 255, 255, 255, 255, 255]
        for colour in colours:
            palette += list(_rgba(colour)[:3])
        image.putpalette(palette)
        _stamp(image, frame, dots, _sprites(colours, "P"))
        out = io.BytesIO()
        image.save(out, "PNG", compress_level=1, **({"transparency": 0} if transparent else {}))
        return out.getvalue()
    image = Image.new("RGBA", (frame.width, frame.height), (255, 255, 255, 0 if transparent else 255))
    draw = ImageDraw.Draw(image, "RGBA")
    for geometry, colour in shapes:
        kind: Any = geometry.get("type")
        coords: Any = geometry.get("coordinates")
        if kind == "LineString":
            draw.line([frame.to_pixel(p[0], p[1]) for p in coords], fill=_rgba(colour), width=2)
        elif kind == "Polygon":
            for n, ring in enumerate(coords):
                pixels = [frame.to_pixel(p[0], p[1]) for p in ring]
                draw.polygon(pixels, fill=_rgba(colour, 40) if n == 0 else None, outline=_rgba(colour))
    _stamp(image, frame, dots, _sprites(colours, "RGBA"))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
