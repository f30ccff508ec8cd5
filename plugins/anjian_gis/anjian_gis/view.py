"""Where the form maps and 一张图 open: the deployment's own area rather than all of China.

In order: ``ANJIAN_GIS_VIEW``; the ``centroid_lon``/``centroid_lat`` attributes of the deployment
region (``ANJIAN_DEPLOYMENT_REGION``) and the regions below it in the region dictionary; the extent
of what is already located (the box index); ``ANJIAN_GIS_AREA``. Derived views are cached briefly
per process, since every form with a map asks.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from sqlalchemy import func, select

from .geometry import CHINA, BBox
from .settings import GisSettings
from .tables import bbox_index

__all__ = ["clear_cache", "opening_view", "view_text"]

CENTROID_PAD = 0.15  # degrees around the outermost centroids (about a township's reach)
EXTENT_PAD = 0.02  # degrees around located records (one record alone still shows its surroundings)
TTL = 60.0
_CACHE: weakref.WeakKeyDictionary[Any, tuple[float, BBox]] = weakref.WeakKeyDictionary()


def opening_view(platform: Any) -> BBox:
    """The box the maps first show (within the deployment's area)."""
    settings: GisSettings | None = platform.host.settings.get("gis")
    area = settings.area_box if settings is not None else CHINA
    configured = settings.view_box if settings is not None else None
    if configured is not None:
        return configured
    cached = _CACHE.get(platform)
    now = time.monotonic()
    if cached is not None and now - cached[0] < TTL:
        return cached[1]
    box = _centroids(platform) or _located(platform) or area
    box = _within(box, area) or area
    _CACHE[platform] = (now, box)
    return box


def view_text(platform: Any) -> str:
    """``opening_view`` as the widget's ``data-view`` ('min lon,min lat,max lon,max lat')."""
    return ",".join(f"{v:.6f}" for v in opening_view(platform).as_list())


def clear_cache() -> None:
    _CACHE.clear()


def _centroids(platform: Any) -> BBox | None:
    """The box of the deployment region's centroids and its descendants' (region dictionary attributes)."""
    region = getattr(platform.settings, "deployment_region", "")
    table = platform.registry.catalog.dictionaries.get("region")
    if not region or table is None:
        return None
    points = []
    for code in platform.registry.with_descendants("region", (region,)):
        item = table.item(code)
        attributes = item.attributes if item is not None else {}
        lon, lat = attributes.get("centroid_lon"), attributes.get("centroid_lat")
        if (
            isinstance(lon, int | float)
            and isinstance(lat, int | float)
            and not isinstance(lon, bool)
            and not isinstance(lat, bool)
        ):
            points.append((float(lon), float(lat)))
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return BBox(min(xs) - CENTROID_PAD, min(ys) - CENTROID_PAD, max(xs) + CENTROID_PAD, max(ys) + CENTROID_PAD)


def _located(platform: Any) -> BBox | None:
    """The extent of every located record (the box index), padded."""
    columns = [func.min(bbox_index.c.minx), func.min(bbox_index.c.miny), func.max(bbox_index.c.maxx), func.max(bbox_index.c.maxy)]
    with platform.engine.connect() as conn:
        row = conn.execute(select(*columns)).one()
    if row[0] is None:
        return None
    return BBox(row[0] - EXTENT_PAD, row[1] - EXTENT_PAD, row[2] + EXTENT_PAD, row[3] + EXTENT_PAD)


def _within(box: BBox, area: BBox) -> BBox | None:
    """``box`` cut to ``area`` (None when they do not meet)."""
    cut = BBox(max(box.minx, area.minx), max(box.miny, area.miny), min(box.maxx, area.maxx), min(box.maxy, area.maxy))
    return cut if cut.minx < cut.maxx and cut.miny < cut.maxy else None
