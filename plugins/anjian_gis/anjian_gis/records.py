"""What the plugin does on every write: convert declared datums, check geometries, keep the box index."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from anjian.errors import FieldError

from .geometry import check_geometry, convert_geometry, geometry_options
from .layers import index_record, layer_of
from .settings import GisSettings

__all__ = ["current_settings", "normalise", "validate", "written"]


def current_settings() -> GisSettings:
    """The settings as the engine validated them at start (``ANJIAN_GIS_*``; the hooks get no platform)."""
    prefix = "ANJIAN_GIS_"
    given = {k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.startswith(prefix)}
    return GisSettings.model_validate(given)


def _geometry_fields(entity: Any) -> list[tuple[Any, dict[str, Any]]]:
    found = []
    for f in getattr(entity, "column_fields", ()):
        options = geometry_options(f)
        if options is not None:
            found.append((f, options))
    return found


def normalise(entity: Any, record: Mapping[str, Any], old: Mapping[str, Any] | None) -> dict[str, Any]:
    """Geometries typed in GCJ-02/BD-09 (``input_crs``) converted to CGCS2000; stored values left alone."""
    changes: dict[str, Any] = {}
    for f, options in _geometry_fields(entity):
        crs = options.get("input_crs", "cgcs2000")
        value = record.get(f.name)
        if crs in ("gcj02", "bd09") and isinstance(value, dict) and value != (old or {}).get(f.name):
            if check_geometry(value, str(options["kind"])) is None:
                changes[f.name] = convert_geometry(value, crs)
    return changes


def validate(entity: Any, record: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Field errors for geometries that are malformed, unclosed, self-intersecting, swapped or outside the area."""
    errors = []
    fields = _geometry_fields(entity)
    if not fields:
        return []
    area = current_settings().area_box
    for f, options in fields:
        value = record.get(f.name)
        if value is None:
            continue
        problem = check_geometry(value, str(options["kind"]), area)
        if problem is not None:
            errors.append(FieldError(f"/{f.name}", problem.message, problem.code))
    return errors


def written(entity: Any, action: str, record: Mapping[str, Any], connection: Any) -> None:
    """Keep the bounding-box index in the same transaction as the write."""
    layer = layer_of(entity)
    if layer is not None:
        index_record(connection, layer, dict(record), deleted=action == "delete")
