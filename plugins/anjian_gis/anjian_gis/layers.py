"""Layers (collections): every entity with a geometry field, read within the caller's scope.

One ``Layer`` per entity (its first geometry field). Reads join the entity's table with the
bounding-box index, apply the access policy's scope (or, for anonymous callers, the entity's
publication flag) and return GeoJSON features. Used by OGC API - Features, WFS, WMS and 一张图.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, false, func, insert, select
from sqlalchemy.engine import Connection

from anjian.audit import Actor
from anjian.errors import PermissionDenied

from .geometry import BBox, bbox_of, geometry_options, union
from .tables import bbox_index

__all__ = ["Layer", "Query", "Result", "index_record", "layer_of", "layers", "reindex", "visible_layers"]


@dataclass(frozen=True)
class Layer:
    """An entity seen as a feature collection."""

    id: str
    title: str
    description: str
    spec: Any
    geometry_field: str
    kind: str
    time_field: str | None
    published: bool

    def property_fields(self, anonymous: bool) -> list[Any]:
        """Fields served as feature properties: scalar columns; for anonymous callers only the public ones."""
        fields = [
            f
            for f in self.spec.column_fields
            if f.type not in ("object", "array") and f.attachment is None and not f.hidden and f.name != self.geometry_field
        ]
        if anonymous:
            public = {self.spec.title_field, self.spec.scope}
            fields = [f for f in fields if f.name in public]
        return fields


def layer_of(spec: Any) -> Layer | None:
    """The entity as a layer when it has a geometry field (its first one), else None."""
    for f in spec.column_fields:
        options = geometry_options(f)
        if options is None:
            continue
        time_field = next((c.name for c in spec.column_fields if c.format in ("date", "date-time")), None)
        return Layer(
            id=spec.name,
            title=spec.title,
            description=getattr(spec, "description", "") or "",
            spec=spec,
            geometry_field=f.name,
            kind=str(options["kind"]),
            time_field=time_field,
            published=bool(spec.published),
        )
    return None


def layers(registry: Any) -> dict[str, Layer]:
    """Every published entity that has a geometry field, by entity name."""
    found = (layer_of(spec) for spec in registry.catalog.entities.values())
    return {layer.id: layer for layer in found if layer is not None}


def condition(platform: Any, actor: Actor | None, layer: Layer, table: Any) -> Any:
    """The SQL condition of what ``actor`` may read (None: everything); anonymous: published records only."""
    if actor is None:
        if not layer.spec.published:
            return false()
        return table.c[layer.spec.published].is_(True)
    platform.access.check(actor, layer.spec, "read")
    return platform.access.scope(actor, layer.spec, table, "read")


def visible_layers(platform: Any, actor: Actor | None) -> list[Layer]:
    """The layers the caller may read at all (anonymous: those with a publication flag)."""
    result = []
    for layer in layers(platform.registry).values():
        if actor is None:
            if layer.published:
                result.append(layer)
            continue
        try:
            platform.access.check(actor, layer.spec, "read")
        except PermissionDenied:
            continue
        result.append(layer)
    return result


@dataclass
class Query:
    """What a caller asks for: a box, a time, property equalities, a page."""

    bbox: BBox | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    limit: int = 100
    offset: int = 0
    record_id: int | None = None
    count: bool = True


@dataclass
class Result:
    features: list[dict[str, Any]]
    matched: int | None


def _where(platform: Any, actor: Actor | None, layer: Layer, table: Any, query: Query) -> list[Any]:
    clauses: list[Any] = [bbox_index.c.entity == layer.id]
    scope = condition(platform, actor, layer, table)
    if scope is not None:
        clauses.append(scope)
    box = query.bbox
    if box is not None:
        clauses += [
            bbox_index.c.maxx >= box.minx,
            bbox_index.c.minx <= box.maxx,
            bbox_index.c.maxy >= box.miny,
            bbox_index.c.miny <= box.maxy,
        ]
    if layer.time_field and (query.start or query.end):
        column = table.c[layer.time_field]
        is_date = next(f for f in layer.spec.column_fields if f.name == layer.time_field).format == "date"
        if query.start is not None:
            clauses.append(column >= (query.start.date() if is_date else query.start))
        if query.end is not None:
            clauses.append(column <= (query.end.date() if is_date else query.end))
    for name, value in query.properties.items():
        clauses.append(table.c[name] == value)
    if query.record_id is not None:
        clauses.append(table.c.id == query.record_id)
    return clauses


def read(platform: Any, actor: Actor | None, layer: Layer, query: Query) -> Result:
    """The features of ``layer`` matching ``query`` within the caller's scope, ordered by id."""
    table = platform.registry.table(layer.id)
    fields = layer.property_fields(anonymous=actor is None)
    joined = table.join(bbox_index, and_(bbox_index.c.entity == layer.id, bbox_index.c.record_id == table.c.id))
    clauses = _where(platform, actor, layer, table, query)
    columns = [table.c.id, table.c[layer.geometry_field], *(table.c[f.name] for f in fields)]
    rows_query = select(*columns).select_from(joined).where(*clauses).order_by(table.c.id).limit(query.limit).offset(query.offset)
    with platform.engine.connect() as conn:
        rows = conn.execute(rows_query).all()
        matched = None
        if query.count:
            matched = conn.execute(select(func.count()).select_from(joined).where(*clauses)).scalar_one()
    names = [f.name for f in fields]
    features = []
    for row in rows:
        props = {name: _plain(value) for name, value in zip(names, row[2:], strict=True)}
        features.append({"type": "Feature", "id": row[0], "geometry": row[1], "properties": props})
    return Result(features, matched)


def extent(platform: Any, actor: Actor | None, layer: Layer) -> BBox | None:
    """The box around the features the caller may see."""
    table = platform.registry.table(layer.id)
    joined = table.join(bbox_index, and_(bbox_index.c.entity == layer.id, bbox_index.c.record_id == table.c.id))
    clauses = _where(platform, actor, layer, table, Query())
    query = select(
        func.min(bbox_index.c.minx), func.min(bbox_index.c.miny), func.max(bbox_index.c.maxx), func.max(bbox_index.c.maxy)
    )
    with platform.engine.connect() as conn:
        row = conn.execute(query.select_from(joined).where(*clauses)).one()
    return None if row[0] is None else BBox(*row)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# ---- the bounding-box index --------------------------------------------------------------------


def index_record(conn: Connection, layer: Layer, record: dict[str, Any] | Any, deleted: bool = False) -> None:
    """Keep one record's box in step with its geometry (called inside the write transaction)."""
    record_id = record.get("id")
    if record_id is None:
        return
    conn.execute(delete(bbox_index).where(bbox_index.c.entity == layer.id, bbox_index.c.record_id == record_id))
    box = None if deleted else bbox_of(record.get(layer.geometry_field))
    if box is not None:
        conn.execute(insert(bbox_index).values(entity=layer.id, record_id=record_id, field=layer.geometry_field, **_box(box)))


def _box(box: BBox) -> dict[str, float]:
    return {"minx": box.minx, "miny": box.miny, "maxx": box.maxx, "maxy": box.maxy}


def reindex(platform: Any, only: Sequence[str] = ()) -> dict[str, int]:
    """Rebuild the index of every layer (or those named) from the stored geometries; returns counts."""
    from anjian.store.db import write

    counts: dict[str, int] = {}
    for layer in layers(platform.registry).values():
        if only and layer.id not in only:
            continue
        table = platform.registry.table(layer.id)
        with write(platform.engine) as conn, conn.begin():
            conn.execute(delete(bbox_index).where(bbox_index.c.entity == layer.id))
            rows = conn.execute(
                select(table.c.id, table.c[layer.geometry_field]).where(table.c[layer.geometry_field].is_not(None))
            )
            values = [
                {"entity": layer.id, "record_id": rid, "field": layer.geometry_field, **_box(box)}
                for rid, geometry in rows
                if (box := bbox_of(geometry)) is not None
            ]
            if values:
                conn.execute(insert(bbox_index), values)
        counts[layer.id] = len(values)
    return counts


def overall_extent(boxes: Iterable[BBox | None]) -> BBox | None:
    return union(b for b in boxes if b is not None)


def geometries(
    platform: Any, actor: Actor | None, layer: Layer, box: BBox, category: str | None, limit: int
) -> list[tuple[int, dict[str, Any], Any]]:
    """``(id, geometry, category value)`` of the features in ``box`` the caller may see (for drawing)."""
    table = platform.registry.table(layer.id)
    joined = table.join(bbox_index, and_(bbox_index.c.entity == layer.id, bbox_index.c.record_id == table.c.id))
    clauses = _where(platform, actor, layer, table, Query(bbox=box))
    visible = {f.name for f in layer.property_fields(anonymous=actor is None)}
    extra = table.c[category] if category in visible else None
    columns = [table.c.id, table.c[layer.geometry_field]] + ([extra] if extra is not None else [])
    with platform.engine.connect() as conn:
        rows = conn.execute(select(*columns).select_from(joined).where(*clauses).order_by(table.c.id).limit(limit)).all()
    return [(row[0], row[1], row[2] if extra is not None else None) for row in rows]
