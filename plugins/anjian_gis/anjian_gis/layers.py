"""Layers (collections): every entity with a geometry field, read within the caller's scope.

One ``Layer`` per entity (its first geometry field). Reads join the entity's table with the
bounding-box index, apply the access policy's scope (or, for anonymous callers, the entity's
publication flag) and return GeoJSON features. Used by OGC API - Features, WFS, WMS and 一张图.

A few entities without a geometry of their own are drawn where a linked record stands (``LINKED``):
live monitoring alarms at their enterprise, a layer present only while the plugin that declares the
entity is enabled.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, and_, cast, delete, false, func, insert, select
from sqlalchemy.engine import Connection

from anjian.audit import Actor
from anjian.errors import PermissionDenied
from anjian.meta.public import mask_value

from .geometry import BBox, bbox_of, geometry_options, union
from .spatial import box_clause, index_kind, prepare, put
from .sqljson import MAX_JSON_PROPERTIES, feature_json
from .tables import bbox_index

__all__ = [
    "LINKED",
    "Layer",
    "Linked",
    "Query",
    "Result",
    "feature_collection_json",
    "feature_texts",
    "index_record",
    "layer_of",
    "layers",
    "read",
    "read_json",
    "reindex",
    "visible_layers",
]


@dataclass(frozen=True)
class Linked:
    """An entity drawn at a linked record's geometry: which plugin declares it, through which link, while which field is empty."""

    plugin: str
    via: str
    open_while_empty: str


# monitoring_alarm (plugin "monitoring"): open alarms (closed_at empty) at their enterprise's position.
LINKED: dict[str, Linked] = {"monitoring_alarm": Linked("monitoring", "enterprise_id", "closed_at")}


@dataclass(frozen=True)
class Layer:
    """An entity seen as a feature collection (``source``: the entity whose geometry and box it uses)."""

    id: str
    title: str
    description: str
    spec: Any
    geometry_field: str
    kind: str
    time_field: str | None
    published: bool
    source: str = ""
    via: str | None = None
    open_while_empty: str | None = None

    @property
    def geometry_entity(self) -> str:
        return self.source or self.id

    def property_fields(self, anonymous: bool) -> list[Any]:
        """Fields served as feature properties: scalar columns; anonymous callers get the public projection's only."""
        fields = [
            f
            for f in self.spec.column_fields
            if f.type not in ("object", "array") and f.attachment is None and not f.hidden and f.name != self.geometry_field
        ]
        if anonymous:
            projection = getattr(self.spec, "public", None)
            by_name = {f.name: f for f in fields}
            return [by_name[name] for name in (projection.fields if projection else ()) if name in by_name]
        return fields

    def masks(self, anonymous: bool) -> dict[str, str]:
        """``{field: mask}`` an anonymous caller's properties wear (the public projection's masks)."""
        projection = getattr(self.spec, "public", None)
        if not anonymous or projection is None:
            return {}
        return dict(projection.mask)


def _time_field(spec: Any) -> str | None:
    return next((c.name for c in spec.column_fields if c.format in ("date", "date-time")), None)


def layer_of(spec: Any) -> Layer | None:
    """The entity as a layer when it has a geometry field (its first one), else None."""
    for f in spec.column_fields:
        options = geometry_options(f)
        if options is None:
            continue
        return Layer(
            id=spec.name,
            title=spec.title,
            description=getattr(spec, "description", "") or "",
            spec=spec,
            geometry_field=f.name,
            kind=str(options["kind"]),
            time_field=_time_field(spec),
            published=bool(spec.published),
        )
    return None


def _linked_layer(spec: Any, linked: Linked, entities: Mapping[str, Any]) -> Layer | None:
    """The layer of an entity drawn at its linked record (None when the link or its target's geometry is missing)."""
    link = next((f for f in spec.column_fields if f.name == linked.via), None)
    target_name = getattr(link, "link", None) if link is not None else None
    target = entities.get(target_name) if isinstance(target_name, str) else None
    target_layer = layer_of(target) if target is not None else None
    if target_layer is None or target_layer.kind != "point":
        return None
    return Layer(
        id=spec.name,
        title=spec.title,
        description=getattr(spec, "description", "") or "",
        spec=spec,
        geometry_field=target_layer.geometry_field,
        kind="point",
        time_field=_time_field(spec),
        published=bool(spec.published),
        source=target_layer.id,
        via=linked.via,
        open_while_empty=linked.open_while_empty,
    )


def layers(registry: Any, plugins: Iterable[str] = ()) -> dict[str, Layer]:
    """Every entity that has a geometry field, by entity name; plus the ``LINKED`` ones whose plugin is in ``plugins``."""
    entities = registry.catalog.entities
    found = {layer.id: layer for layer in (layer_of(spec) for spec in entities.values()) if layer is not None}
    enabled = set(plugins)
    for name, linked in LINKED.items():
        spec = entities.get(name)
        if spec is not None and linked.plugin in enabled and name not in found:
            layer = _linked_layer(spec, linked, entities)
            if layer is not None:
                found[name] = layer
    return found


def platform_layers(platform: Any) -> dict[str, Layer]:
    """``layers`` of the platform's catalog with its enabled plugins (through the plugin host, no imports)."""
    return layers(platform.registry, platform.host.names())


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
    for layer in platform_layers(platform).values():
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
    """What a caller asks for: a box, a time, property equalities or other conditions, a page."""

    bbox: BBox | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    limit: int = 100
    offset: int = 0
    record_id: int | None = None
    count: bool = True
    conditions: list[Any] = field(default_factory=list)  # SQL conditions on the layer's table (WFS filters)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending) before the id (WFS sortBy)


def _ordering(table: Any, query: Query) -> list[Any]:
    """The ORDER BY of a read: the requested properties (empty values last either way), then the id."""
    keys = [table.c[name].desc().nulls_last() if down else table.c[name].asc().nulls_last() for name, down in query.order]
    return [*keys, table.c.id]


@dataclass
class Result:
    features: list[dict[str, Any]]
    matched: int | None


@dataclass(frozen=True)
class _Source:
    """The tables one read joins: the layer's, the one holding the geometry, and the id the box index is keyed by."""

    table: Any
    geometry_table: Any
    key: Any
    joined: Any


def _source(platform: Any, layer: Layer) -> _Source:
    table = platform.registry.table(layer.id)
    if layer.via is None:
        joined = table.join(bbox_index, and_(bbox_index.c.entity == layer.id, bbox_index.c.record_id == table.c.id))
        return _Source(table, table, table.c.id, joined)
    target = platform.registry.table(layer.geometry_entity).alias("located")
    key = table.c[layer.via]
    joined = table.join(target, target.c.id == key).join(
        bbox_index, and_(bbox_index.c.entity == layer.geometry_entity, bbox_index.c.record_id == key)
    )
    return _Source(table, target, key, joined)


def _where(platform: Any, actor: Actor | None, layer: Layer, source: _Source, query: Query, kind: str) -> list[Any]:
    table = source.table
    clauses: list[Any] = [bbox_index.c.entity == layer.geometry_entity]
    scope = condition(platform, actor, layer, table)
    if scope is not None:
        clauses.append(scope)
    if layer.open_while_empty:
        clauses.append(table.c[layer.open_while_empty].is_(None))
    if query.bbox is not None:
        clauses += box_clause(kind, query.bbox, source.key, layer.geometry_entity)
    if layer.time_field and (query.start or query.end):
        column = table.c[layer.time_field]
        is_date = next(f for f in layer.spec.column_fields if f.name == layer.time_field).format == "date"
        if query.start is not None:
            clauses.append(column >= (query.start.date() if is_date else query.start))
        if query.end is not None:
            clauses.append(column <= (query.end.date() if is_date else query.end))
    for name, value in query.properties.items():
        clauses.append(table.c[name] == value)
    clauses += query.conditions
    if query.record_id is not None:
        clauses.append(table.c.id == query.record_id)
    return clauses


def read(platform: Any, actor: Actor | None, layer: Layer, query: Query, raw_geometry: bool = False) -> Result:
    """The features of ``layer`` matching ``query`` within the caller's scope, ordered by id.

    ``raw_geometry``: each geometry is the stored GeoJSON text, for responses that splice it in
    unparsed (see ``feature_texts``).
    """
    source = _source(platform, layer)
    table = source.table
    fields = layer.property_fields(anonymous=actor is None)
    stored = source.geometry_table.c[layer.geometry_field]
    geometry = cast(stored, Text) if raw_geometry else stored
    columns = [table.c.id, geometry, *(table.c[f.name] for f in fields)]
    with platform.engine.connect() as conn:
        clauses = _where(platform, actor, layer, source, query, index_kind(platform.engine, conn, layer.geometry_entity))
        rows_query = select(*columns).select_from(source.joined).where(*clauses).order_by(*_ordering(table, query))
        rows = conn.execute(rows_query.limit(_probe(query)).offset(query.offset)).all()
        matched = _matched(conn, source, clauses, query, len(rows))
        rows = rows[: query.limit]
    names = [f.name for f in fields]
    masks = layer.masks(anonymous=actor is None)
    features = []
    for row in rows:
        props = {name: _plain(value) for name, value in zip(names, row[2:], strict=True)}
        for name, how in masks.items():
            if name in props:
                props[name] = mask_value(props[name], how)
        features.append({"type": "Feature", "id": row[0], "geometry": row[1], "properties": props})
    return Result(features, matched)


def _probe(query: Query) -> int:
    """Rows to fetch: one more than the page when counting, so a page that holds every match needs no count."""
    return query.limit + 1 if query.count else query.limit


def _matched(conn: Connection, source: _Source, clauses: list[Any], query: Query, fetched: int) -> int | None:
    """``numberMatched``: known from the page itself (fetched with one row more) unless more rows follow
    (or the page is empty past the start)."""
    if not query.count:
        return None
    if fetched and fetched <= query.limit:
        return query.offset + fetched
    if not fetched and not query.offset:
        return 0
    return int(conn.execute(select(func.count()).select_from(source.joined).where(*clauses)).scalar_one())


def read_json(platform: Any, actor: Actor | None, layer: Layer, query: Query) -> tuple[list[bytes], int | None]:
    """The features of ``read`` as GeoJSON (UTF-8) built by the database, one per feature.

    10,000 features leave SQLite or PostgreSQL as finished JSON: no row objects, no property dicts,
    no encoder in Python. Falls back to ``read`` where the database cannot build it (masked
    properties, more properties than one JSON function takes, another database).
    """
    anonymous = actor is None
    fields = layer.property_fields(anonymous)
    dialect = platform.engine.dialect.name
    if dialect not in ("sqlite", "postgresql") or len(fields) > MAX_JSON_PROPERTIES or layer.masks(anonymous):
        result = read(platform, actor, layer, query, raw_geometry=True)
        return feature_texts(result), result.matched
    source = _source(platform, layer)
    table = source.table
    columns = [table.c[f.name] for f in fields]
    feature = feature_json(dialect, table.c.id, source.geometry_table.c[layer.geometry_field], columns, fields)
    with platform.engine.connect() as conn:
        clauses = _where(platform, actor, layer, source, query, index_kind(platform.engine, conn, layer.geometry_entity))
        rows_query = select(feature).select_from(source.joined).where(*clauses).order_by(*_ordering(table, query))
        texts = list(conn.execute(rows_query.limit(_probe(query)).offset(query.offset)).scalars())
        matched = _matched(conn, source, clauses, query, len(texts))
        del texts[query.limit :]
    if texts and isinstance(texts[0], str):
        texts = [t.encode() for t in texts]
    return texts, matched


def feature_texts(result: Result) -> list[bytes]:
    """Each feature of a ``raw_geometry`` read as JSON (geometries spliced in, not re-encoded)."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    texts = (
        f'{{"type":"Feature","id":{int(f["id"])},"geometry":{f["geometry"] or "null"},"properties":{dumps(f["properties"])}}}'
        for f in result.features
    )
    return [t.encode() for t in texts]


def feature_collection_json(features: list[bytes], extra: dict[str, Any]) -> bytes:
    """A FeatureCollection as UTF-8 JSON around features already encoded."""
    head = json.dumps({"type": "FeatureCollection", **extra}, ensure_ascii=False, separators=(",", ":")).encode()
    return b"".join((head[:-1], b',"features":[', b",".join(features), b"]}"))


def extent(platform: Any, actor: Actor | None, layer: Layer) -> BBox | None:
    """The box around the features the caller may see."""
    source = _source(platform, layer)
    query = select(
        func.min(bbox_index.c.minx), func.min(bbox_index.c.miny), func.max(bbox_index.c.maxx), func.max(bbox_index.c.maxy)
    )
    with platform.engine.connect() as conn:
        clauses = _where(platform, actor, layer, source, Query(), "columns")
        row = conn.execute(query.select_from(source.joined).where(*clauses)).one()
    return None if row[0] is None else BBox(*row)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# ---- the bounding-box index --------------------------------------------------------------------


def index_record(conn: Connection, layer: Layer, record: dict[str, Any] | Any, deleted: bool = False) -> None:
    """Keep one record's box in step with its geometry (called inside the write transaction)."""
    record_id = record.get("id")
    if record_id is None or layer.via is not None:
        return
    conn.execute(delete(bbox_index).where(bbox_index.c.entity == layer.id, bbox_index.c.record_id == record_id))
    box = None if deleted else bbox_of(record.get(layer.geometry_field))
    if box is not None:
        conn.execute(insert(bbox_index).values(entity=layer.id, record_id=record_id, field=layer.geometry_field, **_box(box)))
    put(conn, layer.id, int(record_id), box)


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
            prepare(conn, layer.id)
        counts[layer.id] = len(values)
    return counts


def overall_extent(boxes: Iterable[BBox | None]) -> BBox | None:
    return union(b for b in boxes if b is not None)


def points(
    platform: Any, actor: Actor | None, layer: Layer, box: BBox, category: str | None, limit: int
) -> list[tuple[float, float, Any]]:
    """``(lon, lat, category value)`` of a point layer's features in ``box`` (for drawing; read from the box index, no JSON)."""
    source = _source(platform, layer)
    visible = {f.name for f in layer.property_fields(anonymous=actor is None)}
    extra = source.table.c[category] if category in visible else None
    columns = [bbox_index.c.minx, bbox_index.c.miny] + ([extra] if extra is not None else [])
    with platform.engine.connect() as conn:
        clauses = _where(
            platform, actor, layer, source, Query(bbox=box), index_kind(platform.engine, conn, layer.geometry_entity)
        )
        rows = conn.execute(select(*columns).select_from(source.joined).where(*clauses).limit(limit)).all()
    if extra is None:
        return [(row[0], row[1], None) for row in rows]
    return [(row[0], row[1], row[2]) for row in rows]


def geometries(
    platform: Any, actor: Actor | None, layer: Layer, box: BBox, category: str | None, limit: int
) -> list[tuple[int, dict[str, Any], Any]]:
    """``(id, geometry, category value)`` of the features in ``box`` the caller may see (for drawing)."""
    source = _source(platform, layer)
    table = source.table
    visible = {f.name for f in layer.property_fields(anonymous=actor is None)}
    extra = table.c[category] if category in visible else None
    columns = [table.c.id, source.geometry_table.c[layer.geometry_field]] + ([extra] if extra is not None else [])
    with platform.engine.connect() as conn:
        clauses = _where(
            platform, actor, layer, source, Query(bbox=box), index_kind(platform.engine, conn, layer.geometry_entity)
        )
        rows = conn.execute(select(*columns).select_from(source.joined).where(*clauses).order_by(table.c.id).limit(limit)).all()
    return [(row[0], row[1], row[2] if extra is not None else None) for row in rows]
