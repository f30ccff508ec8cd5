"""地理信息服务 and 一张图: the GIS plugin (docs/gis.md).

Fields declared with ``"x-anjian": {"widget": "map", "geometry": {"kind": ...}}`` hold GeoJSON in
CGCS2000; this plugin checks them on every write (ranges, closed and simple rings, the
deployment's area, swapped axes), converts declared GCJ-02/BD-09 input, keeps a bounding-box
index, and serves every entity with such a field as a layer: OGC API - Features at ``/ogc/``,
WFS 2.0 and WMS 1.3.0 at ``/ogc/wfs`` and ``/ogc/wms``, and the 一张图 screen at ``/gis/`` —
always within the caller's region scope (anonymous callers: published layers, public fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anjian.hooks import PluginInfo, hookimpl

from .settings import GisSettings
from .tables import METADATA

__all__ = [
    "GisSettings",
    "anjian_blueprints",
    "anjian_cli_commands",
    "anjian_metadata_paths",
    "anjian_plugin",
    "anjian_record_normalise",
    "anjian_record_validate",
    "anjian_record_written",
    "anjian_tables",
]


@hookimpl
def anjian_plugin() -> PluginInfo:
    return PluginInfo(
        title="地理信息服务（一张图）",
        requires=">=0.1,<0.2",
        settings=GisSettings,
        description="几何字段校验与空间索引、OGC API - Features、WFS、WMS、一张图",
    )


@hookimpl
def anjian_metadata_paths() -> list[Path]:
    return [Path(__file__).parent / "metadata"]


@hookimpl
def anjian_tables() -> list[Any]:
    return [METADATA]


@hookimpl
def anjian_blueprints() -> list[Any]:
    from .routes import ogc, screens, services

    return [ogc, services, screens]


@hookimpl
def anjian_record_normalise(entity: Any, record: Mapping[str, Any], old: Mapping[str, Any] | None) -> Mapping[str, Any]:
    from .records import normalise

    return normalise(entity, record, old)


@hookimpl
def anjian_record_validate(entity: Any, record: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[Any]:
    from .records import validate

    return validate(entity, record, old)


@hookimpl
def anjian_record_written(entity: Any, action: str, record: Mapping[str, Any], connection: Any) -> None:
    from .records import written

    written(entity, action, record, connection)


@hookimpl
def anjian_cli_commands() -> list[Any]:
    from .commands import gis

    return [gis]
